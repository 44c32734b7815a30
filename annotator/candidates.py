"""Likely missing spans (pure: no Qt, no SQL, no spaCy).

Two kinds of places a reviewer may have to add a span, in text order, none of
them overlapping a gold span:
- maximal runs of proper nouns (POS tag PROPN, stored at import), a hyphen glued
  between two of them included ("Nagorno-Karabakh" as "Nagorno", "-", "Karabakh");
- uncovered mentions of words that are spans elsewhere: in this document or in
  reviewed ones. Their suggested label is the one those words carry most often.

``CandidateIndex`` keeps the places of one document (its tokens and tags never
change) and answers "the next free one from here" without scanning the whole
article, so that a 1 MB article answers as fast as a short one.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from annotator.model import Span, Tokens

HYPHENS = frozenset({"-", "\u2010", "\u2011", "\u2013"})
PREFIX = 3  # characters that index the known words
COUNT_UP_TO = 5000  # "i of N" is given when there are at most this many places


@dataclass(frozen=True, slots=True)
class Candidate:
    token_start: int
    token_end: int  # inclusive
    start: int  # characters, end exclusive
    end: int
    label: str | None  # the suggested label, if the words have one elsewhere
    reason: str  # "proper nouns" or "a span elsewhere"


@dataclass(frozen=True, slots=True)
class _Place:
    first: int
    last: int
    start: int
    end: int
    reason: str
    inner: tuple[str, ...] = ()  # known words inside it, for a label


def known_labels(text: str, spans: Sequence[Span]) -> dict[str, Counter[str]]:
    """Words -> how often each label covers them, for the spans of one text."""
    known: dict[str, Counter[str]] = {}
    for span in spans:
        known.setdefault(text[span.start : span.end], Counter())[span.label] += 1
    return known


class CandidateIndex:
    """The likely missing spans of one document."""

    def __init__(self, text: str, tokens: Tokens, pos: Sequence[str]) -> None:
        self.text = text
        self.tokens = tokens
        self._runs = [
            _Place(a, b, tokens.starts[a], tokens.ends[b], "proper nouns")
            for a, b in _proper_noun_runs(text, tokens, pos)
        ]
        self._words: dict[str, list[tuple[int, int]]] = {}  # known words -> places
        self._merged: list[_Place] | None = None

    def learn(self, words: Sequence[str]) -> None:
        """Add the places of words not seen before (one pass for many at once)."""
        new = [w for w in words if w not in self._words and w.strip()]
        if not new:
            return
        places = _known_places(self.text, self.tokens, new)
        for w in new:
            self._words[w] = places.get(w, [])
        self._merged = None

    def candidates(
        self, gold: Sequence[Span], known: Mapping[str, Counter[str]]
    ) -> list[Candidate]:
        """Every free place, in text order (``gold`` sorted by start)."""
        self.learn(list(known))
        return [
            self._candidate(p, known)
            for p in self._all()
            if not _overlaps_gold(gold, p.start, p.end)
        ]

    def step(
        self,
        gold: Sequence[Span],
        known: Mapping[str, Counter[str]],
        offset: int,
        direction: int,
        past: bool,
    ) -> tuple[Candidate, int | None, int | None] | None:
        """The first free place after (``direction`` 1) or before (-1) ``offset``,
        wrapping around; ``past``: skip one starting at ``offset``. Returns it with
        its number and the count of free places, when they are few enough."""
        self.learn(list(known))
        places = self._all()
        if not places:
            return None
        if direction > 0:
            bisector = bisect.bisect_right if past else bisect.bisect_left
            begin = bisector(places, offset, key=_place_start)
            order = [*range(begin, len(places)), *range(begin)]
        else:
            begin = bisect.bisect_left(places, offset, key=_place_start) - 1
            order = [*range(begin, -1, -1), *range(len(places) - 1, begin, -1)]
        for i in order:
            place = places[i]
            if not _overlaps_gold(gold, place.start, place.end):
                number = total = None
                if len(places) <= COUNT_UP_TO:
                    free = [not _overlaps_gold(gold, p.start, p.end) for p in places]
                    number, total = sum(free[: i + 1]), sum(free)
                return self._candidate(place, known), number, total
        return None

    def _all(self) -> list[_Place]:
        if self._merged is None:
            known = [
                _Place(a, b, self.tokens.starts[a], self.tokens.ends[b], "a span elsewhere",
                       (words,))
                for words, spots in self._words.items()
                for a, b in spots
            ]  # fmt: skip
            known_spans = {(p.first, p.last) for p in known}
            runs = [r for r in self._runs if not self._parts_known(r, known_spans)]
            self._merged = _one_per_place(runs + known)
        return self._merged

    def _parts_known(self, run: _Place, known: set[tuple[int, int]]) -> bool:
        """A hyphenated run whose parts are each a span elsewhere ("Armenia-Azerbaijan
        war") stands for those parts, not for one name."""
        text, tokens = self.text, self.tokens
        hyphens = [
            i
            for i in range(run.first + 1, run.last)
            if text[tokens.starts[i] : tokens.ends[i]] in HYPHENS
        ]
        if not hyphens:
            return False
        bounds = [run.first - 1, *hyphens, run.last + 1]
        return all((a + 1, b - 1) in known for a, b in itertools.pairwise(bounds))

    def _candidate(self, place: _Place, known: Mapping[str, Counter[str]]) -> Candidate:
        label = None
        for words in (self.text[place.start : place.end], *place.inner):
            labels = known.get(words)
            if labels:
                label = labels.most_common(1)[0][0]
                break
        return Candidate(place.first, place.last, place.start, place.end, label, place.reason)


def candidates(
    text: str,
    tokens: Tokens,
    pos: Sequence[str],
    gold: Sequence[Span],
    known: Mapping[str, Counter[str]],
) -> list[Candidate]:
    """Likely missing spans of a document; ``gold`` sorted by start."""
    return CandidateIndex(text, tokens, pos).candidates(gold, known)


def _known_places(
    text: str, tokens: Tokens, words: Sequence[str]
) -> dict[str, list[tuple[int, int]]]:
    """Where ``words`` stand on token boundaries. Few words: a find per word;
    many: one pass over the tokens, comparing the words sharing first letters."""
    places: dict[str, list[tuple[int, int]]] = {}
    ends = tokens.ends
    if len(words) <= 20:
        for w in words:
            at = text.find(w)
            while at >= 0:
                found = tokens.snap(at, at + len(w), "strict")
                if found is not None:
                    places.setdefault(w, []).append(found)
                at = text.find(w, at + 1)
        return places
    by_prefix: dict[str, list[str]] = {}
    for w in words:
        by_prefix.setdefault(w[:PREFIX], []).append(w)
    for i, start in enumerate(tokens.starts):
        for w in by_prefix.get(text[start : start + PREFIX], ()):
            end = start + len(w)
            if text.startswith(w, start):
                j = bisect.bisect_left(ends, end, lo=i)
                if j < len(ends) and ends[j] == end:
                    places.setdefault(w, []).append((i, j))
    return places


def name_end(text: str, tokens: Tokens, pos: Sequence[str], token: int) -> int:
    """The last token of the run of proper nouns that goes on from ``token``
    (``token`` itself when the next token is no proper noun)."""
    if len(pos) != len(tokens):
        return token
    return _run_end(text, tokens, pos, token)


def _run_end(text: str, tokens: Tokens, pos: Sequence[str], last: int) -> int:
    n = len(tokens)
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
            return last


def _proper_noun_runs(text: str, tokens: Tokens, pos: Sequence[str]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    if len(pos) != len(tokens):
        return runs
    i, n = 0, len(tokens)
    while i < n:
        if pos[i] != "PROPN":
            i += 1
            continue
        last = _run_end(text, tokens, pos, i)
        runs.append((i, last))
        i = last + 1
    return runs


def _overlaps_gold(gold: Sequence[Span], start: int, end: int) -> bool:
    i = bisect.bisect_right(gold, start, key=_end)
    return i < len(gold) and gold[i].start < end


def _one_per_place(found: list[_Place]) -> list[_Place]:
    """Overlapping places become one: the longest, knowing the words inside it."""
    found.sort(key=lambda p: (p.start, -(p.end - p.start)))
    kept: list[_Place] = []
    for place in found:
        if kept and place.start < kept[-1].end:
            best = kept[-1]
            kept[-1] = _Place(
                best.first, best.last, best.start, best.end, best.reason,
                best.inner + place.inner,
            )  # fmt: skip
            continue
        kept.append(place)
    return kept


def _place_start(place: _Place) -> int:
    return place.start


def _end(span: Span) -> int:
    return span.end
