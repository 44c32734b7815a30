"""One correction applied to the documents not yet reviewed, as one undoable
step: a multi-document store transaction, and the undo command that reverses it.
The open document's view follows if it is among them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QUndoCommand

from annotator.store import Change, DocumentEdit, StoreError

if TYPE_CHECKING:
    from annotator.ui.review import ReviewSession


def run_in_documents(
    session: ReviewSession, edits: Sequence[DocumentEdit], *, undoing: bool = False
) -> list[Change] | None:
    """Commit ``edits`` in one transaction; on a refusal nothing is changed and
    the reason is shown (and, during undo or redo, the undo history is dropped)."""
    try:
        changes = session.store.replace_in_documents(edits)
    except StoreError as exc:
        message = f"{exc} Nothing was changed."
        if undoing:
            message += " The undo history was cleared."
            QTimer.singleShot(0, session.undo_stack.clear)
        session.failed.emit(message)
        return None
    ids = [e.doc_id for e in edits]
    if session.doc_id in ids and session.doc_id is not None:
        session.open(session.doc_id)  # the open document changed under the window
    session.documentsChanged.emit(ids)
    return changes


class InDocuments(QUndoCommand):
    """Spans added, relabelled and deleted in several documents at once."""

    def __init__(
        self, session: ReviewSession, edits: Sequence[DocumentEdit], changes: Sequence[Change]
    ) -> None:
        super().__init__()
        self.session = session
        self.steps = [(e.doc_id, c) for e, c in zip(edits, changes, strict=True)]
        self._done = True  # pushed after the edit was committed

    def redo(self) -> None:
        if not self._done and self._run(forward=True):
            self._done = True

    def undo(self) -> None:
        if self._run(forward=False):
            self._done = False

    def _run(self, forward: bool) -> bool:
        """Make (forward) or take back every document's change, in one transaction."""
        store = self.session.store
        edits = []
        for doc_id, c in self.steps:
            gone, back = (
                (c.removed_spans, c.added_spans) if forward else (c.added_spans, c.removed_spans)
            )
            labels = [after if forward else before for before, after in c.relabeled]
            edits.append(
                DocumentEdit(
                    doc_id,
                    store.document_version(doc_id),
                    tuple(s.id for s in gone if s.id is not None),
                    back,
                    () if forward else c.removed_relations,
                    tuple((s.id, s.label) for s in labels if s.id is not None),
                )
            )
        return run_in_documents(self.session, edits, undoing=True) is not None
