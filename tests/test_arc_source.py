"""The view's relations and their arcs (ui/arc_source.py): an edit remakes only
the arcs it can have changed, and a relation is drawn only while both its spans are."""

from __future__ import annotations

from annotator.model import Relation, Span
from annotator.ui.arc_source import ArcSource


def span(span_id: int, start: int, label: str = "ORG") -> Span:
    return Span(start, start + 4, start // 5, start // 5, label, span_id)


SPANS = [span(1, 0), span(2, 10), span(3, 20), span(4, 30)]
RELATIONS = [Relation(1, 3, "PART-WHOLE", 10), Relation(4, 2, "PHYS", 11)]


def opened() -> ArcSource:
    source = ArcSource()
    source.set_spans(SPANS, None)
    assert source.set_relations(RELATIONS, None) is None  # a new document: all arcs new
    return source


def test_arcs_run_in_text_order_and_know_their_direction():
    source = opened()
    first, second = source.arcs([10, 11])
    assert (first.ends.lo, first.ends.hi, first.head_first) == (0, 20, True)
    assert (second.ends.lo, second.ends.hi, second.head_first) == (10, 30, False)
    assert (second.head, second.child, second.label) == (4, 2, "PHYS")


def test_an_edit_of_a_span_names_the_relations_whose_arcs_it_moved():
    source = opened()
    grown = Span(20, 28, 4, 5, "ORG", 3)
    spans = [SPANS[0], SPANS[1], grown, SPANS[3]]
    assert source.set_spans(spans, [SPANS[2], grown]) == {10}
    [arc] = source.arcs([10])
    assert arc.ends.second == (20, 28)
    assert source.span(3) == grown


def test_a_relation_whose_span_is_gone_is_not_drawn():
    source = opened()
    spans = [SPANS[0], SPANS[2], SPANS[3]]  # span 2 deleted
    assert source.set_spans(spans, [SPANS[1]]) == {11}
    assert source.arcs([10, 11]) == source.arcs([10])
    assert source.span(2) is None


def test_a_relation_edit_names_only_the_relations_that_changed():
    source = opened()
    relabelled = Relation(4, 2, "ORG-AFF", 11)
    assert source.set_relations([RELATIONS[0], relabelled], [relabelled]) == {11}
    assert source.set_relations([RELATIONS[0]], [relabelled]) == {11}  # removed
    assert source.relation_ids == {10}
    # a span no longer linked by the removed relation moves no arc
    assert source.set_spans(SPANS, [SPANS[3]]) == set()
