"""Apply one correction to every identical mention of a document (pure: no Qt,
no SQL). A reviewer who turned one "Armenia" from ORG into GPE asks for the
same change wherever the same words stand on the same token boundaries.

- an add or a relabel to label L: each other mention gets L (a span on exactly
  those tokens is relabelled, a free mention gets a new span); a mention that
  overlaps another span is skipped and counted, never replaced silently;
- a delete of a span labelled L: each other mention's span with exactly those
  tokens and label L is deleted.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum

from annotator.model import Span, Tokens, make_span


class CorrectionKind(Enum):
    ADD = "add"
    RELABEL = "relabel"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class Correction:
    """One correction the reviewer made: the span's characters and its label
    (the new one for an add or relabel, the removed one for a delete)."""

    kind: CorrectionKind
    start: int
    end: int
    label: str


@dataclass(frozen=True, slots=True)
class Propagation:
    add: tuple[Span, ...] = ()
    relabel: tuple[tuple[int, str], ...] = ()  # span id, new label
    delete: tuple[int, ...] = ()  # span ids
    skipped: int = 0  # mentions that overlap another span

    @property
    def changes(self) -> int:
        return len(self.add) + len(self.relabel) + len(self.delete)


def mentions(text: str, tokens: Tokens, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Token ranges (inclusive) of the other places where ``text[start:end]``
    stands on exact token boundaries, in text order."""
    yield from mentions_of(text, tokens, text[start:end], skip=start)


def mentions_of(
    text: str, tokens: Tokens, words: str, skip: int | None = None
) -> Iterator[tuple[int, int]]:
    """Token ranges (inclusive) where ``words`` stand on exact token boundaries
    (except the one starting at ``skip``), in text order."""
    if not words:
        return
    at = text.find(words)
    while at >= 0:
        if at != skip:
            found = tokens.snap(at, at + len(words), "strict")
            if found is not None:
                yield found
        at = text.find(words, at + 1)


def propagate(
    text: str, tokens: Tokens, gold: Sequence[Span], correction: Correction
) -> Propagation:
    """What applying ``correction`` to every other mention changes; ``gold`` is
    the document's gold layer sorted by start."""
    places = mentions(text, tokens, correction.start, correction.end)
    return _plan(tokens, gold, places, correction)


def propagate_to(
    text: str, tokens: Tokens, gold: Sequence[Span], words: str, correction: Correction
) -> Propagation:
    """What applying ``correction``, made on ``words`` in another document, to
    every mention of them in this one changes."""
    return _plan(tokens, gold, mentions_of(text, tokens, words), correction)


def _plan(
    tokens: Tokens,
    gold: Sequence[Span],
    places: Iterator[tuple[int, int]],
    correction: Correction,
) -> Propagation:
    add: list[Span] = []
    relabel: list[tuple[int, str]] = []
    delete: list[int] = []
    skipped = 0
    for first, last in places:
        start, end = tokens.starts[first], tokens.ends[last]
        here = _overlapping(gold, start, end)
        exact = next((s for s in here if s.start == start and s.end == end), None)
        if correction.kind is CorrectionKind.DELETE:
            if exact is not None and exact.label == correction.label and exact.id is not None:
                delete.append(exact.id)
            continue
        if exact is not None and len(here) == 1:
            if exact.label != correction.label and exact.id is not None:
                relabel.append((exact.id, correction.label))
        elif here:
            skipped += 1
        else:
            add.append(make_span(tokens, first, last, correction.label))
    return Propagation(tuple(add), tuple(relabel), tuple(delete), skipped)


def _overlapping(gold: Sequence[Span], start: int, end: int) -> list[Span]:
    i = bisect.bisect_right(gold, start, key=_end)
    found = []
    while i < len(gold) and gold[i].start < end:
        found.append(gold[i])
        i += 1
    return found


def _end(span: Span) -> int:
    return span.end
