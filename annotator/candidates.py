"""Likely missing spans (pure: no Qt, no SQL, no spaCy).

Two kinds of places a reviewer may have to add a span, in text order, none of
them overlapping a gold span:
- maximal runs of proper nouns (POS tag PROPN, stored at import), a hyphen glued
  between two of them included ("Nagorno - Karabakh");
- uncovered mentions of words that are spans elsewhere: in this document or in
  reviewed ones. Their suggested label is the one those words carry most often.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from annotator.model import Span, Tokens

HYPHENS = frozenset({"-", "\u2010", "\u2011", "\u2013"})
PREFIX = 3  # characters that index the known words


@dataclass(frozen=True, slots=True)
class Candidate:
    token_start: int
    token_end: int  # inclusive
    start: int  # characters, end exclusive
    end: int
    label: str | None  # the suggested label, if the words have one elsewhere
    reason: str  # "proper nouns" or "a span elsewhere"


def known_labels(text: str, spans: Sequence[Span]) -> dict[str, Counter[str]]:
    """Words -> how often each label covers them, for the spans of one text."""
    known: dict[str, Counter[str]] = {}
    for span in spans:
        known.setdefault(text[span.start : span.end], Counter())[span.label] += 1
    return known


def candidates(
    text: str,
    tokens: Tokens,
    pos: Sequence[str],
    gold: Sequence[Span],
    known: Mapping[str, Counter[str]],
) -> list[Candidate]:
    """Likely missing spans of a document; ``gold`` sorted by start."""
    found: list[Candidate] = []
    for first, last in _proper_noun_runs(text, tokens, pos):
        found.append(_candidate(text, tokens, first, last, known, "proper nouns"))
    for first, last in _known_places(text, tokens, known):
        found.append(_candidate(text, tokens, first, last, known, "a span elsewhere"))
    free = [c for c in found if not _overlaps_gold(gold, c.start, c.end)]
    return _one_per_place(free)


def _known_places(
    text: str, tokens: Tokens, known: Mapping[str, Counter[str]]
) -> list[tuple[int, int]]:
    """Token ranges where known words stand on token boundaries: one pass over
    the tokens, comparing only the words that share the token's first letters."""
    by_prefix: dict[str, list[str]] = {}
    for words, labels in known.items():
        if words.strip() and labels:
            by_prefix.setdefault(words[:PREFIX], []).append(words)
    places: list[tuple[int, int]] = []
    ends = tokens.ends
    for i, start in enumerate(tokens.starts):
        for words in by_prefix.get(text[start : start + PREFIX], ()):
            end = start + len(words)
            if text.startswith(words, start):
                j = bisect.bisect_left(ends, end, lo=i)
                if j < len(ends) and ends[j] == end:
                    places.append((i, j))
    return places


def _candidate(
    text: str,
    tokens: Tokens,
    first: int,
    last: int,
    known: Mapping[str, Counter[str]],
    reason: str,
) -> Candidate:
    start, end = tokens.starts[first], tokens.ends[last]
    labels = known.get(text[start:end])
    label = labels.most_common(1)[0][0] if labels else None
    return Candidate(first, last, start, end, label, reason)


def _proper_noun_runs(text: str, tokens: Tokens, pos: Sequence[str]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    if len(pos) != len(tokens):
        return runs
    i, n = 0, len(tokens)
    while i < n:
        if pos[i] != "PROPN":
            i += 1
            continue
        last = i
        while True:
            nxt = last + 1
            if nxt < n and pos[nxt] == "PROPN":
                last = nxt
            elif (
                nxt + 1 < n
                and text[tokens.starts[nxt] : tokens.ends[nxt]] in HYPHENS
                and tokens.ends[last] == tokens.starts[nxt]
                and tokens.ends[nxt] == tokens.starts[nxt + 1]
                and pos[nxt + 1] == "PROPN"
            ):
                last = nxt + 1
            else:
                break
        runs.append((i, last))
        i = last + 1
    return runs


def _overlaps_gold(gold: Sequence[Span], start: int, end: int) -> bool:
    i = bisect.bisect_right(gold, start, key=_end)
    return i < len(gold) and gold[i].start < end


def _one_per_place(found: list[Candidate]) -> list[Candidate]:
    """Overlapping candidates become one: the longest, with a label if any has one."""
    found.sort(key=lambda c: (c.start, -(c.end - c.start)))
    kept: list[Candidate] = []
    for candidate in found:
        if kept and candidate.start < kept[-1].end:
            best = kept[-1]
            if best.label is None and candidate.label is not None:
                kept[-1] = Candidate(
                    best.token_start, best.token_end, best.start, best.end,
                    candidate.label, best.reason,
                )  # fmt: skip
            continue
        kept.append(candidate)
    return kept


def _end(span: Span) -> int:
    return span.end
