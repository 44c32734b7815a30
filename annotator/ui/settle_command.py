"""The undo command of one adjudication choice (annotator/ui/adjudicating.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator.store import Change
from annotator.ui.commands import StoreCommand

if TYPE_CHECKING:
    from annotator.ui.review import ReviewSession


class SettleCommand(StoreCommand):
    """A choice for one disagreement: undone, the spans it added go, those it
    removed come back (with their ids and relations) and the choice is forgotten."""

    def __init__(
        self,
        session: ReviewSession,
        doc_id: int,
        region: tuple[int, int],
        choice: str,
        change: Change,
    ) -> None:
        super().__init__(session, doc_id, f"Take {choice}")
        self.region = region
        self.choice = choice
        self.removed = change.removed_spans
        self.removed_relations = change.removed_relations
        self.added = change.added_spans
        self.added_relations = change.added_relations

    def _redo(self, version: int) -> Change:
        return self.session.store.settle(
            self.doc_id,
            version,
            self.region,
            self.choice,
            [s.id for s in self.removed if s.id is not None],
            self.added,
            self.added_relations,
        )

    def _undo(self, version: int) -> Change:
        return self.session.store.unsettle(
            self.doc_id,
            version,
            self.region,
            [s.id for s in self.added if s.id is not None],
            self.removed,
            self.removed_relations,
        )
