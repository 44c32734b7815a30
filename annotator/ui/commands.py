"""Undo commands. Each calls store operations through the review session, never
widgets. The edit is committed before the command is pushed, so a command's
first redo() (which QUndoStack.push calls) does nothing; later redos replay it
with the ids it produced, so commands further up the stack stay valid."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from annotator.model import Relation, Span, Status
from annotator.store import Change

if TYPE_CHECKING:
    from annotator.ui.review import ReviewSession

Layer = tuple[tuple[Span, ...], tuple[Relation, ...]]


class StoreCommand(QUndoCommand):
    def __init__(self, session: ReviewSession, doc_id: int, text: str) -> None:
        super().__init__(text)
        self.session = session
        self.doc_id = doc_id
        self._done = True  # pushed after the edit was committed

    def redo(self) -> None:
        if self._done:
            return
        if self._run(self._redo) is not None:
            self._done = True

    def undo(self) -> None:
        if self._run(self._undo) is not None:
            self._done = False

    def _run(self, edit: Callable[[int], Change]) -> Change | None:
        return self.session.apply_for(self.doc_id, edit)

    def _redo(self, version: int) -> Change:
        raise NotImplementedError

    def _undo(self, version: int) -> Change:
        raise NotImplementedError


class ReplaceSpans(StoreCommand):
    """Add, delete, or add-replacing-overlaps: some spans out, some spans in."""

    def __init__(self, session: ReviewSession, doc_id: int, change: Change, text: str) -> None:
        super().__init__(session, doc_id, text)
        self.removed = change.removed_spans
        self.removed_relations = change.removed_relations
        self.added = change.added_spans

    def _redo(self, version: int) -> Change:
        store = self.session.store
        return store.replace_spans(
            self.doc_id, version, [s.id for s in self.removed if s.id is not None], self.added
        )

    def _undo(self, version: int) -> Change:
        store = self.session.store
        return store.replace_spans(
            self.doc_id,
            version,
            [s.id for s in self.added if s.id is not None],
            self.removed,
            self.removed_relations,
        )


class Propagate(StoreCommand):
    """One correction applied to every identical mention: spans added, relabelled
    and deleted (with their relations) in one step."""

    def __init__(self, session: ReviewSession, doc_id: int, change: Change, text: str) -> None:
        super().__init__(session, doc_id, text)
        self.added = change.added_spans
        self.removed = change.removed_spans
        self.removed_relations = change.removed_relations
        self.relabeled = change.relabeled

    def _redo(self, version: int) -> Change:
        return self.session.store.replace_spans(
            self.doc_id,
            version,
            [s.id for s in self.removed if s.id is not None],
            self.added,
            relabel=[(a.id, a.label) for _, a in self.relabeled if a.id is not None],
        )

    def _undo(self, version: int) -> Change:
        return self.session.store.replace_spans(
            self.doc_id,
            version,
            [s.id for s in self.added if s.id is not None],
            self.removed,
            self.removed_relations,
            relabel=[(b.id, b.label) for b, _ in self.relabeled if b.id is not None],
        )


class UpdateSpan(StoreCommand):
    """A relabel or a boundary move of one span."""

    def __init__(
        self, session: ReviewSession, doc_id: int, before: Span, after: Span, text: str
    ) -> None:
        super().__init__(session, doc_id, text)
        self.before = before
        self.after = after

    def _set(self, version: int, span: Span) -> Change:
        store = self.session.store
        assert span.id is not None
        if self.before.label != self.after.label:
            return store.relabel_span(self.doc_id, version, span.id, span.label)
        return store.move_span(self.doc_id, version, span.id, span.token_start, span.token_end)

    def _redo(self, version: int) -> Change:
        return self._set(version, self.after)

    def _undo(self, version: int) -> Change:
        return self._set(version, self.before)


class SetStatus(StoreCommand):
    def __init__(self, session: ReviewSession, doc_id: int, before: Status, after: Status) -> None:
        super().__init__(session, doc_id, f"Mark {after.value}")
        self.before = before
        self.after = after

    def _run(self, edit: Callable[[int], Change]) -> Change | None:
        status = self.after if edit == self._redo else self.before
        return self.session.apply_for(self.doc_id, edit, status=status)

    def _redo(self, version: int) -> Change:
        return self.session.store.set_status(self.doc_id, version, self.after)

    def _undo(self, version: int) -> Change:
        return self.session.store.set_status(self.doc_id, version, self.before)


class ResetGold(StoreCommand):
    def __init__(self, session: ReviewSession, doc_id: int, before: Layer, after: Layer) -> None:
        super().__init__(session, doc_id, "Reset to model")
        self.before = before
        self.after = after

    def _run(self, edit: Callable[[int], Change]) -> Change | None:
        return self.session.apply_for(self.doc_id, edit, reload_gold=True)

    def _swap(self, version: int, old: Layer, new: Layer) -> Change:
        return self.session.store.replace_spans(
            self.doc_id, version, [s.id for s in old[0] if s.id is not None], new[0], new[1]
        )

    def _redo(self, version: int) -> Change:
        return self._swap(version, self.before, self.after)

    def _undo(self, version: int) -> Change:
        return self._swap(version, self.after, self.before)


class EditRelation(StoreCommand):
    """Add (before is None), delete (after is None), relabel or reverse a relation."""

    def __init__(
        self,
        session: ReviewSession,
        doc_id: int,
        before: Relation | None,
        after: Relation | None,
        text: str,
    ) -> None:
        super().__init__(session, doc_id, text)
        self.before = before
        self.after = after

    def _go(self, version: int, old: Relation | None, new: Relation | None) -> Change:
        store = self.session.store
        if old is None:
            assert new is not None
            return store.replace_spans(self.doc_id, version, relations=[new])
        assert old.id is not None
        if new is None:
            return store.delete_relation(self.doc_id, version, old.id)
        return store.update_relation(
            self.doc_id, version, old.id, label=new.label, reverse=new.head != old.head
        )

    def _redo(self, version: int) -> Change:
        return self._go(version, self.before, self.after)

    def _undo(self, version: int) -> Change:
        return self._go(version, self.after, self.before)
