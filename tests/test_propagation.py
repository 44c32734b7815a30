"""One correction applied to every identical mention: which mentions, what changes."""

from __future__ import annotations

from helpers import whitespace_document

from annotator.model import Span
from annotator.propagation import Correction, CorrectionKind, mentions, propagate

TEXT = "Armenia signed . Armenia 's army met Armenian forces near Armenia"


def gold(spans: list[Span]) -> list[Span]:
    return sorted(spans, key=lambda s: s.start)


def test_mentions_stand_on_token_boundaries_and_exclude_the_corrected_one():
    doc = whitespace_document(TEXT)
    found = list(mentions(TEXT, doc.tokens, 0, 7))
    # "Armenian" holds "Armenia" but not on a token boundary; the last word ends the text
    assert [TEXT[doc.tokens.starts[a] : doc.tokens.ends[b]] for a, b in found] == ["Armenia"] * 2
    assert found[-1][1] == len(doc.tokens) - 1


def test_relabel_reaches_exact_spans_and_free_mentions_and_skips_overlaps():
    doc = whitespace_document(TEXT)
    t = doc.tokens
    spans = gold(
        [
            Span(0, 7, 0, 0, "GPE", 1),  # the corrected one (now GPE)
            Span(t.starts[3], t.ends[4], 3, 4, "ORG", 2),  # "Armenia 's": overlaps a mention
            Span(t.starts[10], t.ends[10], 10, 10, "PERSON", 3),  # the last "Armenia"
        ]
    )
    plan = propagate(TEXT, t, spans, Correction(CorrectionKind.RELABEL, 0, 7, "GPE"))
    assert plan.relabel == ((3, "GPE"),)
    assert plan.add == () and plan.delete == ()
    assert plan.skipped == 1


def test_add_makes_spans_on_free_mentions_only():
    doc = whitespace_document(TEXT)
    t = doc.tokens
    spans = gold([Span(0, 7, 0, 0, "GPE", 1), Span(t.starts[3], t.ends[3], 3, 3, "GPE", 2)])
    plan = propagate(TEXT, t, spans, Correction(CorrectionKind.ADD, 0, 7, "GPE"))
    assert [(s.token_start, s.token_end, s.label) for s in plan.add] == [(10, 10, "GPE")]
    assert plan.relabel == () and plan.skipped == 0  # the one already GPE needs nothing


def test_delete_takes_only_exact_spans_with_the_same_label():
    doc = whitespace_document(TEXT)
    t = doc.tokens
    spans = gold(
        [
            Span(t.starts[3], t.ends[3], 3, 3, "ORG", 2),
            Span(t.starts[10], t.ends[10], 10, 10, "GPE", 3),
        ]
    )
    plan = propagate(TEXT, t, spans, Correction(CorrectionKind.DELETE, 0, 7, "ORG"))
    assert plan.delete == (2,) and plan.add == () and plan.relabel == ()


def test_multi_token_phrases_and_no_other_mention():
    text = "the United States and the United States of America"
    doc = whitespace_document(text)
    plan = propagate(text, doc.tokens, [], Correction(CorrectionKind.ADD, 4, 17, "GPE"))
    assert [(s.start, s.end) for s in plan.add] == [(26, 39)]
    lone = propagate(text, doc.tokens, [], Correction(CorrectionKind.ADD, 44, 51, "GPE"))
    assert lone.changes == 0 and lone.skipped == 0
