"""The relations the article view shows, kept with the spans they link, and the
arcs they are drawn as (no Qt).

An edit touches a few spans or relations; only the arcs of the relations it
touched, or whose spans it touched, are made again (``RelationArc``: ends in
text order, label, direction). A relation is drawn only while both its spans are
shown.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence

from annotator.model import Relation, Span
from annotator.ui.arc_layout import arc_ends
from annotator.ui.scene import RelationArc


class ArcSource:
    """Spans by id, relations by id and by span, and the arcs of relations."""

    def __init__(self) -> None:
        self._span_by_id: dict[int, Span] = {}
        self._relations: dict[int, Relation] = {}
        self._relations_of_span: dict[int, set[int]] = {}  # span id -> relation ids

    def clear(self) -> None:
        self._span_by_id, self._relations, self._relations_of_span = {}, {}, {}

    def span(self, span_id: int | None) -> Span | None:
        return None if span_id is None else self._span_by_id.get(span_id)

    @property
    def relation_ids(self) -> set[int]:
        return set(self._relations)

    def set_spans(self, spans: Sequence[Span], touched: Sequence[Span] | None) -> set[int]:
        """The spans shown now (sorted by start); ``touched``: the spans an edit
        removed or added (None: any may have changed). Returns the relations whose
        arcs may have changed with them."""
        if touched is None:
            self._span_by_id = {s.id: s for s in spans if s.id is not None}
            return set(self._relations)
        for span in touched:
            if span.id is not None:
                self._span_by_id.pop(span.id, None)
        for span in touched:  # old and new versions: find the one still there
            i = bisect.bisect_left(spans, span.start, key=_start)
            if span.id is not None and i < len(spans) and spans[i].id == span.id:
                self._span_by_id[span.id] = spans[i]
        of_span = self._relations_of_span
        return set().union(*(of_span.get(s.id, ()) for s in touched if s.id is not None))

    def set_relations(
        self, relations: Sequence[Relation], touched: Sequence[Relation] | None
    ) -> set[int] | None:
        """The relations shown now; ``touched``: those an edit took out or put in
        (None: any may have). Returns the ids whose arcs changed, or None when
        there were none before (a newly opened document: every arc is new)."""
        if touched is not None:
            ids = {r.id for r in touched if r.id is not None}
            current = {r.id: r for r in relations if r.id in ids}
            new = dict(self._relations)
            for rid in ids:
                if rid in current:
                    new[rid] = current[rid]
                else:
                    new.pop(rid, None)
        else:
            new = {r.id: r for r in relations if r.id is not None}
        if not self._relations:
            self._relations = new
            for rid, added in new.items():
                self._link(rid, added)
            return None
        candidates = (
            new.keys() | self._relations.keys()
            if touched is None
            else {r.id for r in touched if r.id is not None}
        )
        changed = {rid for rid in candidates if new.get(rid) != self._relations.get(rid)}
        for rid in changed:
            old = self._relations.get(rid)
            if old is not None:
                for span_id in (old.head, old.child):
                    relations_of = self._relations_of_span.get(span_id)
                    if relations_of is not None:
                        relations_of.discard(rid)
            relation = new.get(rid)
            if relation is not None:
                self._link(rid, relation)
        self._relations = new
        return changed

    def arcs(self, relation_ids: Iterable[int]) -> list[RelationArc]:
        """The arcs of these relations (those whose spans are both shown)."""
        arcs: list[RelationArc] = []
        relations, spans = self._relations, self._span_by_id
        for rid in relation_ids:
            relation = relations.get(rid)
            if relation is None:
                continue
            head, child = spans.get(relation.head), spans.get(relation.child)
            if head is None or child is None:
                continue
            a, b = (head.start, head.end), (child.start, child.end)
            ends = arc_ends(rid, a, b)
            arcs.append(RelationArc(ends, relation.label, relation.head, relation.child, a <= b))
        return arcs

    def _link(self, relation_id: int, relation: Relation) -> None:
        self._relations_of_span.setdefault(relation.head, set()).add(relation_id)
        self._relations_of_span.setdefault(relation.child, set()).add(relation_id)


def _start(span: Span) -> int:
    return span.start
