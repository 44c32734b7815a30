"""The pure arc functions: which piece of an arc a line shows, and arc rows."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from annotator.relation_quality import score_relations
from annotator.ui.arc_layout import ARC_GAP, arc_ends, line_segments


def x_of(span: tuple[int, int]) -> float:
    return float(span[0] * 10)  # one character is 10 pixels wide


def test_arcs_on_one_line_nest_and_stack():
    arcs = [
        arc_ends(0, (0, 3), (40, 45)),  # long
        arc_ends(1, (10, 12), (20, 25)),  # inside the long one
        arc_ends(2, (50, 55), (60, 65)),  # beside, after it
        arc_ends(3, (30, 33), (55, 58)),  # crosses the long one and the third
    ]
    segments = {s.arc: s for s in line_segments(arcs, 0, 80, 800.0, x_of)}
    assert (segments[1].left, segments[1].right) == (100.0, 200.0)
    assert segments[1].level == 0
    assert segments[0].level > segments[1].level  # the long arc goes over the short one
    assert segments[2].level == 0  # nothing in its way
    assert segments[3].level not in (segments[0].level, segments[2].level)
    assert all(s.opens and s.closes for s in segments.values())


def test_an_arc_across_lines_is_drawn_on_every_line():
    arc = [arc_ends(7, (95, 99), (10, 14))]  # child first in the text: ends are ordered
    assert (arc[0].lo, arc[0].hi) == (10, 95)
    first = line_segments(arc, 0, 40, 400.0, x_of)
    middle = line_segments(arc, 40, 80, 400.0, x_of)
    last = line_segments(arc, 80, 120, 400.0, lambda span: float((span[0] - 80) * 10))
    elsewhere = line_segments(arc, 120, 160, 400.0, x_of)
    assert [(s.left, s.right, s.opens, s.closes) for s in first] == [(100.0, 400.0, True, False)]
    assert [(s.left, s.right, s.opens, s.closes) for s in middle] == [(0.0, 400.0, False, False)]
    assert [(s.left, s.right, s.opens, s.closes) for s in last] == [(0.0, 150.0, False, True)]
    assert elsewhere == []


@given(st.lists(st.tuples(st.integers(0, 70), st.integers(1, 70)), max_size=25))
def test_segments_sharing_a_row_never_touch(raw):
    arcs = [arc_ends(i, (a, a + 1), (a + w, a + w + 1)) for i, (a, w) in enumerate(raw)]
    segments = line_segments(arcs, 0, 200, 2000.0, x_of)
    for i, one in enumerate(segments):
        for other in segments[i + 1 :]:
            if one.level == other.level:
                assert one.right + ARC_GAP <= other.left or other.right + ARC_GAP <= one.left


def test_relation_scores():
    a, b, c = (0, 5), (10, 15), (20, 25)
    gold = [(a, "ORG-AFF", b), (b, "PER-SOC", c), (a, "PHYS", c)]
    proposed = [(a, "ORG-AFF", b), (c, "PER-SOC", b), (a, "GEN-AFF", c)]
    scores = score_relations(proposed, gold, undirected=["PER-SOC"])
    assert (scores.true_positives, scores.proposed, scores.gold) == (2, 3, 3)
    assert round(scores.precision, 3) == 0.667 and round(scores.f1, 3) == 0.667
    assert score_relations([], gold).precision == 0.0
