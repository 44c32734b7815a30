"""Pure layout and diff functions used by the view."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.model import Change, Span, diff_layers, refresh_diff, spans_overlapping
from annotator.ui.stacking import split_blocks, stack_levels


def test_split_blocks_at_newlines_and_long_paragraphs_at_sentences():
    text = "First line.\nSecond line here.\n\nAfter a blank line."
    assert [text[s:e] for s, e in split_blocks(text, [])] == [
        "First line.",
        "Second line here.",
        "",
        "After a blank line.",
    ]
    long = "One sentence here. Two sentence here. Three sentence here."
    starts = [0, 19, 38]
    blocks = split_blocks(long, starts, max_chars=25)
    assert [long[s:e] for s, e in blocks] == [
        "One sentence here. ",
        "Two sentence here. ",
        "Three sentence here.",
    ]
    nosent = "aaaa bbbb cccc dddd"
    assert [nosent[s:e] for s, e in split_blocks(nosent, [], max_chars=10)] == [
        "aaaa bbbb ",
        "cccc dddd",
    ]


@given(st.text(alphabet="ab .\n", max_size=300), st.integers(1, 40))
def test_split_blocks_covers_all_text_but_newlines(text, limit):
    blocks = split_blocks(text, [], max_chars=limit)
    assert "".join(text[s:e] for s, e in blocks) == text.replace("\n", "")
    assert all(e - s <= limit for s, e in blocks)


def test_stack_levels_puts_clashing_tags_on_new_rows():
    assert stack_levels([(0, 10), (12, 20), (5, 15), (16, 30), (31, 40)], gap=1) == [
        0,
        0,
        1,
        1,
        0,
    ]
    assert stack_levels([]) == []


@given(st.lists(st.tuples(st.integers(0, 100), st.integers(1, 30)), max_size=30))
def test_stack_levels_never_overlaps_within_a_row(raw):
    intervals = [(float(a), float(a + w)) for a, w in raw]
    levels = stack_levels(intervals, gap=2)
    for i, (a1, b1) in enumerate(intervals):
        for j, (a2, b2) in enumerate(intervals):
            if i < j and levels[i] == levels[j]:
                assert b1 + 2 <= a2 or b2 + 2 <= a1


def S(start, end, label, span_id=None):
    return Span(start, end, 0, 0, label, span_id)


def test_diff_layers_names_every_kind_of_change():
    model = [
        S(0, 5, "GPE"),
        S(10, 15, "ORG"),
        S(20, 25, "PERSON"),
        S(30, 35, "DATE"),
        S(50, 55, "GPE"),
    ]
    gold = [
        S(0, 5, "GPE", 1),  # same
        S(10, 15, "NORP", 2),  # relabeled
        S(20, 28, "PERSON", 3),  # resized
        S(40, 45, "LOC", 4),  # added
        S(50, 58, "ORG", 5),  # resized and relabeled
    ]  # DATE 30..35 was deleted
    diff = diff_layers(model, gold)
    assert diff.changes == {
        1: Change.SAME,
        2: Change.RELABELED,
        3: Change.RESIZED,
        4: Change.ADDED,
        5: Change.RELABELED,
    }
    assert diff.deleted == (S(30, 35, "DATE"),)


def spans_strategy(prefix_id: int):
    """Non-overlapping sorted spans over 0..200."""
    return st.lists(
        st.tuples(st.integers(0, 190), st.integers(1, 8), st.sampled_from(["A", "B"])), max_size=25
    ).map(lambda raw: _non_overlapping(raw, prefix_id))


def _non_overlapping(raw, prefix_id):
    spans: list[Span] = []
    for start, width, label in sorted(raw):
        if spans and start < spans[-1].end:
            continue
        spans.append(S(start, start + width, label, prefix_id + len(spans)))
    return spans


@settings(max_examples=200, deadline=None)
@given(
    model=spans_strategy(0), gold=spans_strategy(1000), edit=spans_strategy(5000), data=st.data()
)
def test_refresh_diff_equals_a_full_diff(model, gold, edit, data):
    before = diff_layers(model, gold)
    # an edit: remove some gold spans, add some new ones that fit
    removed = [s for s in gold if data.draw(st.booleans())]
    kept = [s for s in gold if s not in removed]
    added = [
        s
        for s in edit
        if not spans_overlapping(sorted(kept, key=lambda x: x.start), s.start, s.end)
    ]
    added = _non_overlapping([(s.start, s.end - s.start, s.label) for s in added], 9000)
    after = sorted(kept + added, key=lambda s: s.start)
    refreshed = refresh_diff(before, model, after, removed + added)
    full = diff_layers(model, after)
    assert refreshed.changes == full.changes
    assert refreshed.deleted == full.deleted
