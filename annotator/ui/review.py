"""The review session: the open document, its gold spans in memory, and every edit
going through the store first, then the undo stack, then the view.

An edit is shown as done only after the store committed it. If the store
refuses (conflict with another window, read-only or full disk, lock), the
session reports it; a conflict, or any failure while undoing or redoing,
reloads the document and drops its undo history, so the stack never claims a
state the database does not hold.

Every committed edit is announced once, as an ``EditResult`` saying what
changed; the panels update themselves from it.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from annotator.model import (
    Document,
    LayerDiff,
    Relation,
    Span,
    SpanError,
    Status,
    diff_layers,
    make_span,
    moved_boundaries,
    refresh_diff,
)
from annotator.store import Change, ConflictError, Store, StoreError
from annotator.ui import commands

if TYPE_CHECKING:
    from annotator.propagation import Propagation


@dataclass(frozen=True, slots=True)
class EditResult:
    """What one committed edit changed in the open document."""

    doc_id: int
    version: int
    touched_spans: tuple[Span, ...] | None  # spans removed or added; None: all may have changed
    # relations removed, added or changed (old and new versions); None: all may have changed
    touched_relations: tuple[Relation, ...] | None
    status: Status | None  # the new status, if it changed

    @property
    def relations_changed(self) -> bool:
        return self.touched_relations is None or bool(self.touched_relations)

    @property
    def spans_changed(self) -> bool:
        return self.touched_spans is None or bool(self.touched_spans)


class ReviewSession(QObject):
    documentOpened = Signal(int)  # doc id
    edited = Signal(object)  # EditResult, after every committed edit
    documentsChanged = Signal(object)  # ids of documents a multi-document step changed
    failed = Signal(str)  # why an edit was not saved

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.undo_stack = QUndoStack(self)
        self.document: Document | None = None
        self.gold: list[Span] = []  # sorted by start
        self._gold_by_id: dict[int, Span] = {}
        self.relations: list[Relation] = []
        self._relations_by_id: dict[int, Relation] = {}
        self.diff = LayerDiff({}, ())
        self._model_sorted: list[Span] = []
        # how the edited layer is marked: by default against the model layer (changes,
        # deleted model spans); adjudication marks it against the reviewers' proposals
        self.compare: Callable[[Sequence[Span]], LayerDiff] | None = None

    # ---- documents -----------------------------------------------------

    def open(self, doc_id: int) -> None:
        self.document = self.store.load_document(doc_id)
        self._set_gold(sorted(self.document.gold.spans, key=_start))
        self._model_sorted = sorted(self.document.model.spans, key=_start)
        self.diff = self._compared()
        self._set_relations(list(self.document.gold.relations))
        self.documentOpened.emit(doc_id)

    def _compared(self) -> LayerDiff:
        if self.compare is not None:
            return self.compare(self.gold)
        return diff_layers(self._model_sorted, self.gold)

    def _set_gold(self, spans: list[Span]) -> None:
        self.gold = spans
        self._gold_by_id = {s.id: s for s in spans if s.id is not None}

    def _set_relations(self, relations: list[Relation]) -> None:
        self.relations = relations
        self._relations_by_id = {r.id: r for r in relations if r.id is not None}

    @property
    def doc_id(self) -> int | None:
        return None if self.document is None else self.document.id

    @property
    def version(self) -> int:
        assert self.document is not None
        return self.document.version

    def span(self, span_id: int | None) -> Span | None:
        return None if span_id is None else self._gold_by_id.get(span_id)

    # ---- edits (each one undoable) ---------------------------------------

    def create_span(self, token_start: int, token_end: int, label: str) -> Span | None:
        """Add a span; overlapping spans are replaced in the same step."""
        doc = self._require_document()
        try:
            span = make_span(doc.tokens, token_start, token_end, label)
        except SpanError as exc:
            self.failed.emit(str(exc))
            return None
        change = self._apply(
            lambda v: self.store.add_span(doc.id, v, span, replace_overlapping=True)
        )
        if change is None or change.span is None:
            return None
        replaced = f", replacing {len(change.removed_spans)}" if change.removed_spans else ""
        self._push(commands.ReplaceSpans(self, doc.id, change, f"Add {label}{replaced}"))
        return change.span

    def delete_span(self, span_id: int) -> bool:
        doc = self._require_document()
        change = self._apply(lambda v: self.store.delete_span(doc.id, v, span_id))
        if change is None:
            return False
        label = change.removed_spans[0].label
        self._push(commands.ReplaceSpans(self, doc.id, change, f"Delete {label}"))
        return True

    def relabel_span(self, span_id: int, label: str) -> Span | None:
        """The span as relabelled, or None if nothing was (no such span, the same
        label, or refused: ``failed`` says why)."""
        doc = self._require_document()
        before = self.span(span_id)
        if before is None or before.label == label:
            return None
        change = self._apply(lambda v: self.store.relabel_span(doc.id, v, span_id, label))
        if change is None or change.span is None:
            return None
        self._push(commands.UpdateSpan(self, doc.id, before, change.span, f"Relabel {label}"))
        return change.span

    def move_span(self, span_id: int, start_delta: int, end_delta: int) -> None:
        doc = self._require_document()
        before = self.span(span_id)
        if before is None:
            return
        ts, te = moved_boundaries(doc.text, doc.tokens, before, start_delta, end_delta)
        if ts > te or ts < 0 or te >= len(doc.tokens):
            self.failed.emit("A span keeps at least one token and stays inside the text.")
            return
        change = self._apply(lambda v: self.store.move_span(doc.id, v, span_id, ts, te))
        if change is not None and change.span is not None:
            self._push(commands.UpdateSpan(self, doc.id, before, change.span, "Resize span"))

    def set_status(self, status: Status) -> bool:
        doc = self._require_document()
        before = doc.status
        change = self._apply(lambda v: self.store.set_status(doc.id, v, status), status=status)
        if change is None:
            return False
        self._push(commands.SetStatus(self, doc.id, before, status))
        return True

    def reset_to_model(self) -> None:
        doc = self._require_document()
        before = tuple(self.gold)
        relations = doc.gold.relations
        change = self._apply(lambda v: self.store.reset_gold(doc.id, v), reload_gold=True)
        if change is not None:
            after = (
                tuple(self.gold),
                self.store.annotations(doc.id, self.store.edit_layer).relations,
            )
            self._push(commands.ResetGold(self, doc.id, (before, relations), after))

    def apply_everywhere(self, plan: Propagation, text: str) -> Change | None:
        """Apply a correction's propagation (see annotator/propagation.py) as one
        undoable, audited step."""
        doc = self._require_document()
        if not plan.changes:
            return None
        change = self._apply(
            lambda v: self.store.replace_spans(
                doc.id, v, plan.delete, plan.add, relabel=plan.relabel
            )
        )
        if change is not None:
            self._push(commands.Propagate(self, doc.id, change, text))
        return change

    # ---- relations (each one undoable) -------------------------------------

    def relation(self, relation_id: int | None) -> Relation | None:
        return None if relation_id is None else self._relations_by_id.get(relation_id)

    def add_relation(self, head: int, child: int, label: str) -> Relation | None:
        doc = self._require_document()
        change = self._apply(lambda v: self.store.add_relation(doc.id, v, head, child, label))
        if change is None or change.relation is None:
            return None
        self._push(commands.EditRelation(self, doc.id, None, change.relation, f"Add {label}"))
        return change.relation

    def delete_relation(self, relation_id: int) -> bool:
        doc = self._require_document()
        before = self.relation(relation_id)
        change = self._apply(lambda v: self.store.delete_relation(doc.id, v, relation_id))
        if change is None or before is None:
            return False
        self._push(commands.EditRelation(self, doc.id, before, None, f"Delete {before.label}"))
        return True

    def relabel_relation(self, relation_id: int, label: str) -> None:
        self._update_relation(relation_id, label, reverse=False)

    def reverse_relation(self, relation_id: int) -> None:
        self._update_relation(relation_id, None, reverse=True)

    def _update_relation(self, relation_id: int, label: str | None, reverse: bool) -> None:
        doc = self._require_document()
        before = self.relation(relation_id)
        if before is None or (label == before.label and not reverse):
            return
        change = self._apply(
            lambda v: self.store.update_relation(
                doc.id, v, relation_id, label=label, reverse=reverse
            )
        )
        if change is not None and change.relation is not None:
            text = "Reverse relation" if reverse else f"Relabel relation {label}"
            self._push(commands.EditRelation(self, doc.id, before, change.relation, text))

    def run_edit(
        self, run: Callable[[int], Change], command: Callable[[Change], QUndoCommand]
    ) -> Change | None:
        """Any other edit (e.g. adjudication's): ``run`` commits it through the store
        (given the version), ``command`` makes its undo command from the change."""
        change = self._apply(run)
        if change is not None:
            self._push(command(change))
        return change

    # ---- used by the undo commands ---------------------------------------

    def apply_for(
        self,
        doc_id: int,
        run: Callable[[int], Change],
        *,
        status: Status | None = None,
        reload_gold: bool = False,
    ) -> Change | None:
        """Run a store edit of an undo command for ``doc_id`` (opening it first
        if needed). If it fails, the document is reloaded and the undo history
        dropped: the stack must not move past an edit that was not made."""
        if self.doc_id != doc_id:
            self.open(doc_id)
        return self._apply(run, status=status, reload_gold=reload_gold, recover=True)

    # ---- internals -------------------------------------------------------

    def _require_document(self) -> Document:
        if self.document is None:
            raise RuntimeError("no document is open")
        return self.document

    def _push(self, command: QUndoCommand) -> None:
        self.undo_stack.push(command)

    def _apply(
        self,
        run: Callable[[int], Change],
        *,
        status: Status | None = None,
        reload_gold: bool = False,
        recover: bool = False,
    ) -> Change | None:
        """Commit through the store, then update the in-memory state and announce it."""
        doc = self._require_document()
        try:
            change = run(doc.version)
        except ConflictError as exc:
            self._recover(f"{exc} It was reloaded and its undo history cleared.")
            return None
        except StoreError as exc:
            if recover:
                self._recover(f"{exc} The document was reloaded and its undo history cleared.")
            else:
                self.failed.emit(str(exc))
            return None
        self.document = replace(doc, version=change.version, status=status or doc.status)
        touched: tuple[Span, ...] | None
        if reload_gold:
            touched = None
            layer = self.store.edit_layer
            self._set_gold(sorted(self.store.annotations(doc.id, layer).spans, key=_start))
            self.diff = self._compared()
        else:
            touched = self._absorb(change)
        touched_relations: tuple[Relation, ...] | None
        if reload_gold:
            touched_relations = None
            self._set_relations(self.store.relations(doc.id, self.store.edit_layer))
        else:
            touched_relations = self._absorb_relations(change)
        new_status = status if status is not None and status != doc.status else None
        self.edited.emit(EditResult(doc.id, change.version, touched, touched_relations, new_status))
        return change

    def _absorb_relations(self, change: Change) -> tuple[Relation, ...]:
        """Fold a committed change into the relations; returns those taken out and put in."""
        new = [r for r in (change.relation, *change.added_relations) if r is not None]
        old = [
            self._relations_by_id[r.id]
            for r in (*change.removed_relations, *new)
            if r.id is not None and r.id in self._relations_by_id
        ]
        if not new and not old:
            return ()
        by_id = self._relations_by_id
        for relation in old:
            by_id.pop(relation.id or -1, None)
        for relation in new:
            if relation.id is not None:
                by_id[relation.id] = relation
        self.relations = sorted(by_id.values(), key=_relation_id)
        return (*old, *new)

    def _absorb(self, change: Change) -> tuple[Span, ...]:
        """Fold a committed span change into the sorted in-memory gold list;
        returns the spans taken out and put in."""
        updated = list(
            dict.fromkeys(
                s
                for s in (change.span, *change.added_spans, *(a for _, a in change.relabeled))
                if s is not None
            )
        )
        replaced = {s.id for s in change.removed_spans} | {s.id for s in updated}
        if not replaced:
            return ()
        touched = [self._gold_by_id[i] for i in replaced if i is not None and i in self._gold_by_id]
        gold = list(self.gold)  # a new list: the view may still hold the old one
        for span in touched:
            i = bisect.bisect_left(gold, span.start, key=_start)
            if i < len(gold) and gold[i].id == span.id:
                del gold[i]
            self._gold_by_id.pop(span.id or -1, None)
        for span in updated:
            bisect.insort(gold, span, key=_start)
            if span.id is not None:
                self._gold_by_id[span.id] = span
            touched.append(span)
        self.gold = gold
        if self.compare is not None:
            self.diff = self.compare(self.gold)
        else:
            self.diff = refresh_diff(self.diff, self._model_sorted, self.gold, touched)
        return tuple(touched)

    def _recover(self, message: str) -> None:
        doc_id = self.doc_id
        self.failed.emit(message)
        # the stack cannot be cleared from inside one of its own undo()/redo() calls
        QTimer.singleShot(0, self.undo_stack.clear)
        if doc_id is not None:
            self.open(doc_id)


def _start(span: Span) -> int:
    return span.start


def _relation_id(relation: Relation) -> int:
    return relation.id or 0
