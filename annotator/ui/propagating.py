"""A correction applied to every identical mention: in this document (".") or
in the documents not yet reviewed (Ctrl+.). Works through the review controller."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QProgressDialog

from annotator.model import Document, Span, Status
from annotator.propagation import Correction, CorrectionKind, propagate, propagate_to
from annotator.store import DocumentEdit
from annotator.ui.corpus_edit import InDocuments, run_in_documents
from annotator.ui.wording import count, quote

if TYPE_CHECKING:
    from annotator.ui.controller import ReviewController


class Propagator:
    def __init__(self, controller: ReviewController) -> None:
        self.c = controller

    def _last_correction(self, then: str) -> tuple[Document, Correction] | None:
        """The open document and the correction to repeat, or None (and why)."""
        doc, correction = self.c.session.document, self.c.last_correction
        if doc is None or correction is None:
            self.c.message.emit(
                f"Make a correction first (add, relabel or delete a span); then {then}."
            )
            return None
        return doc, correction

    def apply_everywhere(self) -> None:
        """Apply the last add, relabel or delete to every identical mention."""
        found = self._last_correction(". applies it to every identical mention in this document")
        if found is None:
            return
        doc, correction = found
        plan = propagate(doc.text, doc.tokens, self.c.session.gold, correction)
        words = quote(doc.text[correction.start : correction.end])
        skipped = (
            f"; {plan.skipped} skipped because they overlap another span" if plan.skipped else ""
        )
        if not plan.changes:
            self.c.message.emit(f"No other mention of {words} to change{skipped}.")
            return
        deleting = correction.kind is CorrectionKind.DELETE
        what = f"Deleted {correction.label} on" if deleting else f"Made {correction.label} of"
        if self.c.session.apply_everywhere(plan, f"{what} every {words}") is None:
            return
        parts = [
            f"{len(plan.add)} added" if plan.add else "",
            f"{len(plan.relabel)} relabelled" if plan.relabel else "",
            f"{len(plan.delete)} deleted" if plan.delete else "",
        ]
        detail = ", ".join(p for p in parts if p)
        self.c.message.emit(f"{what} {plan.changes} more mentions of {words} ({detail}){skipped}.")

    def apply_everywhere_in_documents(self) -> None:
        """Apply the last correction to every mention in the documents not yet
        reviewed (status todo): counts first, a question, then one undoable step."""
        found = self._last_correction("Ctrl+. applies it in every document not yet reviewed")
        if found is None:
            return
        doc, correction = found
        store = self.c.session.store
        words = doc.text[correction.start : correction.end]
        todo = [i for i in store.document_ids(Status.TODO) if i != doc.id]
        candidates = store.ids_containing(todo, words)
        progress = QProgressDialog(
            "Looking for mentions…", "Cancel", 0, len(candidates), self.c.view.window()
        )
        progress.setMinimumDuration(1000)
        edits: list[DocumentEdit] = []
        changes = skipped = 0
        for n, doc_id in enumerate(candidates):
            progress.setValue(n)
            if progress.wasCanceled():
                self.c.message.emit("Cancelled; nothing was changed.")
                return
            other = store.load_document(doc_id)
            gold = sorted(other.gold.spans, key=_start)
            plan = propagate_to(other.text, other.tokens, gold, words, correction)
            skipped += plan.skipped
            if plan.changes:
                changes += plan.changes
                edits.append(
                    DocumentEdit(other.id, other.version, plan.delete, plan.add, (), plan.relabel)
                )
        progress.reset()
        quoted = quote(words)
        if not edits:
            self.c.message.emit(f"No document to review has a mention of {quoted} to change.")
            return
        deleting = correction.kind is CorrectionKind.DELETE
        what = f"Delete {correction.label} on" if deleting else f"Make {correction.label} of"
        also = f" ({skipped} more are skipped: they overlap another span)" if skipped else ""
        counted = f"{count(changes, 'mention')} of {quoted} in {count(len(edits), 'document')}"
        question = (
            f"{what} {counted} not yet reviewed{also}? Only their gold layer changes; "
            "Ctrl+Z undoes it all."
        )
        if not self.c.confirm("Apply to the documents not yet reviewed", question):
            self.c.message.emit("Nothing was changed.")
            return
        done = run_in_documents(self.c.session, edits)
        if done is not None:
            self.c.session.undo_stack.push(InDocuments(self.c.session, edits, done))
            self.c.message.emit(f"{what} {counted}.")


def _start(span: Span) -> int:
    return span.start
