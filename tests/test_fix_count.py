"""Fixes that turn a model layer into the gold (evaluate.count_fixes): hand-made
cases of each kind, and the counts' invariants on random layers."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from annotator.evaluate import Fixes, count_fixes
from annotator.model import Span

# "Nikol Pashinian met Ilham Aliyev in Baku on Friday": Nikol 0-5, Pashinian 6-15,
# met 16-19, Ilham 20-25, Aliyev 26-32, in 33-35, Baku 36-40, on 41-43, Friday 44-50


def span(start: int, end: int, label: str) -> Span:
    return Span(start, end, 0, 0, label)  # token indices play no part here


PASHINIAN = span(0, 15, "PERSON")
ALIYEV = span(20, 32, "PERSON")
BAKU = span(36, 40, "GPE")
FRIDAY = span(44, 50, "DATE")
GOLD = [PASHINIAN, ALIYEV, BAKU, FRIDAY]


def test_the_gold_itself_needs_no_fix() -> None:
    assert count_fixes(GOLD, GOLD) == Fixes()
    assert count_fixes([], []).total == 0


def test_a_missing_span_is_an_add_and_an_extra_one_a_delete() -> None:
    assert count_fixes([PASHINIAN, ALIYEV, BAKU], GOLD) == Fixes(add=1)
    assert count_fixes([*GOLD, span(16, 19, "ORG")], GOLD) == Fixes(delete=1)
    assert count_fixes([], GOLD) == Fixes(add=4)
    assert count_fixes(GOLD, []) == Fixes(delete=4)


def test_same_offsets_other_label_is_a_relabel() -> None:
    model = [PASHINIAN, ALIYEV, span(36, 40, "PERSON"), FRIDAY]  # "Baku" as PERSON
    assert count_fixes(model, GOLD) == Fixes(relabel=1)


def test_overlap_with_the_same_label_is_a_resize() -> None:
    model = [span(6, 15, "PERSON"), span(20, 32, "PERSON"), BAKU, span(41, 50, "DATE")]
    assert count_fixes(model, GOLD) == Fixes(resize=2)  # "Pashinian", "on Friday"


def test_overlap_with_another_label_and_other_offsets_is_a_delete_and_an_add() -> None:
    model = [span(0, 5, "ORG"), ALIYEV, BAKU, FRIDAY]  # "Nikol" as ORG
    assert count_fixes(model, GOLD) == Fixes(add=1, delete=1)


def test_one_model_span_over_two_gold_spans_resizes_once_and_adds_the_other() -> None:
    merged = span(0, 32, "PERSON")  # "Nikol Pashinian met Ilham Aliyev"
    assert count_fixes([merged, BAKU, FRIDAY], GOLD) == Fixes(add=1, resize=1)


def test_two_model_spans_over_one_gold_span_resize_once_and_delete_the_other() -> None:
    split = [span(0, 5, "PERSON"), span(6, 15, "PERSON"), ALIYEV, BAKU, FRIDAY]
    assert count_fixes(split, GOLD) == Fixes(delete=1, resize=1)


def test_the_larger_overlap_is_the_resize() -> None:
    gold = [span(0, 15, "PERSON")]
    model = [span(0, 5, "PERSON"), span(6, 15, "PERSON")]  # 9 characters in common
    assert count_fixes(model, gold) == Fixes(delete=1, resize=1)
    assert count_fixes(gold, model) == Fixes(add=1, resize=1)


def test_an_exact_twin_is_matched_before_an_overlap() -> None:
    gold = [span(0, 5, "PERSON"), span(6, 15, "PERSON")]
    model = [span(0, 15, "PERSON")]
    assert count_fixes(model, gold) == Fixes(add=1, resize=1)
    model = [span(0, 5, "PERSON"), span(6, 10, "PERSON")]
    assert count_fixes(model, gold) == Fixes(resize=1)


def test_fixes_add_up_over_documents() -> None:
    total = count_fixes([], GOLD) + count_fixes(GOLD, []) + Fixes(relabel=2, resize=1)
    assert total == Fixes(add=4, delete=4, relabel=2, resize=1)
    assert total.total == 11


def layers() -> st.SearchStrategy[list[Span]]:
    """Non-overlapping spans over 60 characters with two labels."""

    def build(raw: list[tuple[int, int, str]]) -> list[Span]:
        spans: list[Span] = []
        for start, width, label in sorted(raw):
            if not spans or start >= spans[-1].end:
                spans.append(span(start, start + width, label))
        return spans

    return st.lists(
        st.tuples(st.integers(0, 55), st.integers(1, 5), st.sampled_from(["A", "B"])),
        max_size=12,
    ).map(build)


@given(layers(), layers())
def test_each_span_is_counted_once(model: list[Span], gold: list[Span]) -> None:
    fixes = count_fixes(model, gold)
    matched = fixes.relabel + fixes.resize  # each pairs one model span with one gold span
    exact = {(s.start, s.end, s.label) for s in model} & {(s.start, s.end, s.label) for s in gold}
    assert len(model) == len(exact) + matched + fixes.delete
    assert len(gold) == len(exact) + matched + fixes.add
    assert (fixes.total == 0) == (model == gold)
    assert count_fixes(model, model) == Fixes()
