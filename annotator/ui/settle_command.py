"""Adjudication's choices (annotator/ui/adjudicating.py), each one undoable step:
a version of a span disagreement (``take_spans``) or of a relation disagreement
(``take_relations``), committed through the store, and their undo commands."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

from annotator.adjudication import (
    BOTH,
    Disagreement,
    RelationDisagreement,
    RelationKey,
    SpanKey,
    relations_to_take,
    span_key,
)
from annotator.adjudication.keys import find_span
from annotator.model import Relation, Span
from annotator.store import Change
from annotator.ui.commands import StoreCommand

if TYPE_CHECKING:
    from annotator.ui.review import ReviewSession


def take_spans(
    session: ReviewSession,
    relations: Mapping[str, Collection[RelationKey]],
    disagreement: Disagreement,
    choice: str,
    spans: Sequence[Span],
) -> Change | None:
    """Put ``spans`` (a reviewer's version, or all of them: ``choice``) in the final
    layer in place of what it has in the disagreement's region, with the relations
    of the reviewer(s) chosen (``relations``: each reviewer's) whose both ends are
    then in it; record the choice. One undoable step."""
    doc_id = session.doc_id
    if doc_id is None:
        return None
    start, end = region = disagreement.region
    gold = session.gold
    remove = [s for s in gold if s.start < end and start < s.end]
    taken = {span_key(s) for s in spans}

    def in_final(key: SpanKey) -> bool:  # once the spans are taken
        outside = key[1] <= start or end <= key[0]
        return key in taken or (outside and find_span(gold, key) is not None)

    keys = sorted(
        {
            key
            for reviewer, theirs in relations.items()
            if choice in (reviewer, BOTH)
            for key in relations_to_take(theirs, taken, in_final)
        }
    )
    removed = [s.id for s in remove if s.id is not None]

    def run(version: int) -> Change:
        return session.store.settle(
            doc_id, version, region, choice, removed, spans, relation_keys=keys
        )

    def command(change: Change) -> SettleCommand:
        return SettleCommand(session, doc_id, region, choice, change)

    return session.run_edit(run, command)


def take_relations(
    session: ReviewSession,
    disagreement: RelationDisagreement,
    choice: str,
    keys: Sequence[RelationKey],
) -> Change | None:
    """Make the final layer's relations between the disagreement's two spans
    ``keys`` (a reviewer's, or all of them: ``choice``) and record the choice. One
    undoable step; relations already there that are wanted stay as they are."""
    doc_id = session.doc_id
    if doc_id is None:
        return None
    ids: dict[SpanKey, int] = {}
    for key in disagreement.spans:
        span = find_span(session.gold, key)
        if span is None or span.id is None:
            return None
        ids[key] = span.id
    keys_of = {span_id: key for key, span_id in ids.items()}
    have = {
        (keys_of[r.head], keys_of[r.child], r.label): r
        for r in session.relations
        if r.head in keys_of and r.child in keys_of and r.head != r.child
    }
    remove = [r.id for key, r in have.items() if key not in keys and r.id is not None]
    add = [Relation(ids[h], ids[c], label) for h, c, label in keys if (h, c, label) not in have]
    pair = disagreement.pair

    def run(version: int) -> Change:
        return session.store.settle_relations(doc_id, version, pair, choice, remove, add)

    def command(change: Change) -> SettleRelationsCommand:
        return SettleRelationsCommand(session, doc_id, pair, choice, change)

    return session.run_edit(run, command)


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


class SettleRelationsCommand(StoreCommand):
    """A choice for one relation disagreement: undone, the relations it added go,
    those it removed come back (with their ids) and the choice is forgotten."""

    def __init__(
        self,
        session: ReviewSession,
        doc_id: int,
        pair: tuple[tuple[int, int], tuple[int, int]],
        choice: str,
        change: Change,
    ) -> None:
        super().__init__(session, doc_id, f"Take {choice}'s relations")
        self.pair = pair
        self.choice = choice
        self.removed = change.removed_relations
        self.added = change.added_relations

    def _redo(self, version: int) -> Change:
        return self.session.store.settle_relations(
            self.doc_id,
            version,
            self.pair,
            self.choice,
            [r.id for r in self.removed if r.id is not None],
            self.added,
        )

    def _undo(self, version: int) -> Change:
        return self.session.store.unsettle_relations(
            self.doc_id,
            version,
            self.pair,
            [r.id for r in self.added if r.id is not None],
            self.removed,
        )
