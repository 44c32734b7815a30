"""Where the reviews overrule the base's predictions on a silver document.

Rehearsal (rehearsal.py) trains on the base's predictions on documents nobody
reviewed. Where the reviews say otherwise about the same words, rehearsing the
base would teach its mistakes back: the base tags "Armenia" as an ORG, the
reviews made it a GPE, and the silver documents would say ORG again. The
reviews keep priority: in a silver document, those words are left *missing*
(neither an entity nor outside one: spaCy's NER learns nothing there), and the
rest keeps the base's predictions. Words are compared as token texts.

A stretch of a silver document is missing when
- the base predicted an entity on words that the reviews never gave that label
  but did give another one, or that the reviews contain without making them an
  entity of their own (a reviewer deleted it, or it is part of a longer one);
- or the words of an entity of the reviews stand there and the base did not
  predict exactly that entity with one of the labels the reviews gave it
  (with any prediction of the base that overlaps them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from annotator.formats.records import Record

Words = tuple[str, ...]
TokenSpan = tuple[int, int, str]  # first token, end token (exclusive), label


def words_of(record: Record) -> list[str]:
    tokens = record.tokens
    if tokens is None:
        return []
    return [record.text[s:e] for s, e in zip(tokens.starts, tokens.ends, strict=True)]


def token_spans(record: Record) -> list[TokenSpan]:
    """The record's spans over its tokens (those that fall on them)."""
    if record.tokens is None:
        return []
    found = []
    for span in record.spans:
        at = record.tokens.token_span(span.start, span.end)
        if at is not None:
            found.append((at[0], at[1] + 1, span.label))
    return sorted(found)


@dataclass(slots=True)
class Reviews:
    """What the reviewed documents say about words."""

    labels: dict[Words, set[str]] = field(default_factory=dict)  # made entities, with labels
    plain: set[Words] = field(default_factory=set)  # present, never an entity of their own
    longest: int = 0  # words in the longest entity of ``labels``


def what_reviews_say(reviewed: Iterable[Record], asked: set[Words]) -> Reviews:
    """The entities of the ``reviewed`` records by their words, and which of the
    ``asked`` word sequences (the base's silver entities) they contain otherwise."""
    labels: dict[Words, set[str]] = defaultdict(set)
    texts: list[tuple[list[str], set[tuple[int, int]]]] = []
    for record in reviewed:
        words = words_of(record)
        spans = token_spans(record)
        for first, end, label in spans:
            labels[tuple(words[first:end])].add(label)
        texts.append((words, {(first, end) for first, end, _ in spans}))
    longest_asked = max(map(len, asked), default=0)
    seen_plain: set[Words] = set()
    for words, entities in texts:
        for i in range(len(words)):
            for n in range(1, min(longest_asked, len(words) - i) + 1):
                candidate = tuple(words[i : i + n])
                if candidate in asked and (i, i + n) not in entities:
                    seen_plain.add(candidate)
    return Reviews(
        dict(labels),
        {w for w in seen_plain if w not in labels},
        max(map(len, labels), default=0),
    )


def overruled(
    words: Sequence[str], predicted: Sequence[TokenSpan], reviews: Reviews
) -> list[tuple[int, int]]:
    """The token stretches ``[first, end)`` of a silver document to leave missing,
    merged and sorted; ``predicted``: the base's entities on its ``words``."""
    stretches: list[tuple[int, int]] = []
    exact = {(first, end): label for first, end, label in predicted}
    for first, end, label in predicted:
        surface = tuple(words[first:end])
        given = reviews.labels.get(surface)
        if (given is not None and label not in given) or (
            given is None and surface in reviews.plain
        ):
            stretches.append((first, end))
    for i in range(len(words)):
        for n in range(1, min(reviews.longest, len(words) - i) + 1):
            given = reviews.labels.get(tuple(words[i : i + n]))
            if given is not None and exact.get((i, i + n)) not in given:
                stretches.append((i, i + n))
    # a stretch takes in every prediction it touches (a part of an entity is no entity)
    grown = []
    for first, end in stretches:
        for p_first, p_end, _ in predicted:
            if p_first < end and first < p_end:
                first, end = min(first, p_first), max(end, p_end)
        grown.append((first, end))
    return _merged(grown)


def _merged(stretches: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for first, end in sorted(stretches):
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((first, end))
    return merged
