from __future__ import annotations

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.model import (
    Span,
    SpanError,
    Tokens,
    check_span,
    make_span,
    moved_boundaries,
    overlapping,
    resize_span,
    span_from_chars,
)

TEXT = "Secretary of State Antony Blinken met Ararat Mirzoyan."
NLP = spacy.blank("en")


def tokens_of(text: str) -> Tokens:
    doc = NLP(text)
    return Tokens(tuple(t.idx for t in doc), tuple(t.idx + len(t) for t in doc))


def test_token_at_and_exact_span():
    tokens = tokens_of(TEXT)
    assert tokens.token_at(0) == 0
    assert tokens.token_at(9) is None  # the space after "Secretary"
    assert tokens.token_span(19, 33) == (3, 4)  # "Antony Blinken"
    assert tokens.token_span(19, 30) is None


@pytest.mark.parametrize(
    ("start", "end", "mode", "expected"),
    [
        (21, 30, "expand", (3, 4)),  # "tony Blin" grows to "Antony Blinken"
        (21, 30, "contract", None),  # no whole token inside
        (19, 30, "contract", (3, 3)),  # "Antony Blin" keeps "Antony"
        (19, 33, "strict", (3, 4)),
        (20, 33, "strict", None),
    ],
)
def test_snap_modes(start, end, mode, expected):
    assert tokens_of(TEXT).snap(start, end, mode) == expected


WORDS = st.lists(st.text(alphabet="abc,.' ", min_size=1, max_size=6), min_size=1, max_size=8).map(
    " ".join
)


@settings(max_examples=300, deadline=None)
@given(text=WORDS, data=st.data(), mode=st.sampled_from(["strict", "contract", "expand"]))
def test_snap_agrees_with_spacy_char_span(text, data, mode):
    doc = NLP(text)
    tokens = Tokens(tuple(t.idx for t in doc), tuple(t.idx + len(t) for t in doc))
    # a non-empty selection: an empty one never makes a span
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    reference = doc.char_span(start, end, alignment_mode=mode)
    ours = tokens.snap(start, end, mode)
    if reference is None or len(reference) == 0 or reference.text.isspace():
        # spaCy may return an empty span or a whitespace token where we return None
        assert ours is None or all(text[tokens.starts[i]].isspace() for i in range(*ours))
    else:
        assert ours == (reference.start, reference.end - 1)


def test_make_and_resize_span():
    tokens = tokens_of(TEXT)
    span = make_span(tokens, 3, 4, "PERSON")
    assert TEXT[span.start : span.end] == "Antony Blinken"
    grown = resize_span(tokens, span, -1, 0)
    assert TEXT[grown.start : grown.end] == "State Antony Blinken"
    shrunk = resize_span(tokens, span, 0, -1)
    assert TEXT[shrunk.start : shrunk.end] == "Antony"
    with pytest.raises(SpanError, match="at least one token"):
        resize_span(tokens, shrunk, 1, 0)
    with pytest.raises(SpanError, match="outside"):
        resize_span(tokens, span, 0, 100)


def test_span_from_chars_strict_refuses_misaligned():
    tokens = tokens_of(TEXT)
    with pytest.raises(SpanError, match="do not align"):
        span_from_chars(tokens, 20, 33, "PERSON")
    assert span_from_chars(tokens, 20, 33, "PERSON", mode="expand").start == 19


def test_overlapping_ignores_the_span_itself():
    a = Span(0, 5, 0, 0, "X", id=1)
    b = Span(4, 9, 1, 1, "X", id=2)
    c = Span(9, 12, 2, 2, "X", id=3)
    assert overlapping([a, b, c], a) == [b]
    assert overlapping([a, b, c], Span(0, 12, 0, 2, "Y")) == [a, b, c]


def test_check_span_names_the_problem():
    tokens = tokens_of(TEXT)
    with pytest.raises(SpanError, match="outside the text"):
        check_span(len(TEXT), tokens, Span(40, 999, 0, 0, "X"))
    with pytest.raises(SpanError, match=r"covers tokens 3\.\.4, not 3\.\.3"):
        check_span(len(TEXT), tokens, Span(19, 33, 3, 3, "X"))
    check_span(len(TEXT), tokens, Span(19, 33, 3, 4, "X"))


def test_moved_boundaries_step_over_line_breaks():
    """A boundary never lands on a whitespace-only token (a paragraph break)."""
    text = "Armenia\n\nThe United States said"
    tokens = Tokens((0, 7, 9, 13, 20, 27), (7, 9, 12, 19, 26, 31))
    armenia = make_span(tokens, 0, 0, "GPE")
    assert moved_boundaries(text, tokens, armenia, 0, 1) == (0, 2)  # to "The", not "\n\n"
    the_us = make_span(tokens, 2, 4, "GPE")
    assert moved_boundaries(text, tokens, the_us, -1, 0) == (0, 4)  # back to "Armenia"
    both = make_span(tokens, 0, 2, "GPE")
    assert moved_boundaries(text, tokens, both, 0, -1) == (0, 0)  # shrinks past "\n\n"
    assert moved_boundaries(text, tokens, both, 1, 0) == (2, 2)
    assert moved_boundaries(text, tokens, the_us, 0, 2) == (2, 6)  # past the end: refused
