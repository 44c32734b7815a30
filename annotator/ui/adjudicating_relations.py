"""Relation disagreements in the adjudication window (annotator/ui/adjudicating.py):
which are open in the open document, and the dashed arcs of the relations
reviewers proposed there, between the final layer's spans. What they are, and
when they are settled, is annotator/adjudication/relations.py; a choice is
``take_relations`` (annotator/ui/settle_command.py)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from annotator.adjudication import (
    Comparison,
    PairKey,
    RelationDisagreement,
    RelationKey,
    open_relation_disagreements,
)
from annotator.adjudication.keys import span_finder
from annotator.model import Span
from annotator.ui.arc_layout import arc_ends
from annotator.ui.scene import RelationArc

if TYPE_CHECKING:
    from annotator.ui.review import ReviewSession


def open_relations(
    comparison: Comparison, session: ReviewSession, settled: Collection[PairKey]
) -> list[RelationDisagreement]:
    """The relation disagreements of the open document still to settle."""
    return open_relation_disagreements(
        comparison.relation_disputes, session.gold, session.relations, settled
    )


def ghost_arcs(
    open_: Sequence[RelationDisagreement], gold: Sequence[Span]
) -> tuple[RelationArc, ...]:
    """The arcs of the relations proposed in these disagreements, between the final
    layer's spans (``gold``, by start), each tagged with who proposed it
    (``ORG-AFF·ben``). Their ids are below 0 and follow from the relation alone,
    as the view caches by content."""
    arcs: list[RelationArc] = []
    if not open_:
        return ()
    find_span = span_finder(gold)
    for disagreement in open_:
        for proposed in disagreement.proposed:
            head_key, child_key, label = proposed.key
            head, child = find_span(head_key), find_span(child_key)
            if head is None or child is None or head.id is None or child.id is None:
                continue
            a, b = (head.start, head.end), (child.start, child.end)
            ends = arc_ends(ghost_id(proposed.key), a, b)
            arcs.append(RelationArc(ends, label, head.id, child.id, a <= b, proposed.tag))
    return tuple(arcs)


def proposed_at(open_: Sequence[RelationDisagreement], arc_id: int) -> RelationDisagreement | None:
    """The disagreement whose proposed relation has the arc ``arc_id`` (a click on
    its label), or None."""
    return next((d for d in open_ if any(ghost_id(p.key) == arc_id for p in d.proposed)), None)


def ghost_id(key: RelationKey) -> int:
    """A proposed relation's arc id: below 0, the same for the same relation."""
    return -1 - (hash(key) & ((1 << 62) - 1))
