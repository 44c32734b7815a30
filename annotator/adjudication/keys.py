"""Spans and relations of different layers compared by value: a span by its
offsets and label, a relation by its two spans' keys and its label (span ids
differ from layer to layer). No Qt, no SQL."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence

from annotator.model import Annotations, Span

SpanKey = tuple[int, int, str]  # start, end, label
RelationKey = tuple[SpanKey, SpanKey, str]  # head, child, label
Range = tuple[int, int]  # characters start..end
PairKey = tuple[Range, Range]  # two spans' characters, the first in the text first
BOTH = "both"


def span_key(span: Span) -> SpanKey:
    return (span.start, span.end, span.label)


def relation_keys(layer: Annotations) -> set[RelationKey]:
    by_id = {s.id: span_key(s) for s in layer.spans}
    return {
        (by_id[r.head], by_id[r.child], r.label)
        for r in layer.relations
        if r.head in by_id and r.child in by_id
    }


def short_name(name: str, limit: int = 8) -> str:
    """A reviewer's name as a tag suffix: the name, or its initials when long."""
    if len(name) <= limit:
        return name
    parts = [p for p in name.replace(".", " ").replace("_", " ").split() if p]
    initials = "".join(p[0] for p in parts)
    return initials if len(initials) > 1 else name[: limit - 1] + "\u2026"


def proposers_tag(label: str, by: tuple[str, ...]) -> str:
    """A proposal's tag: its label and who proposed it (``GPE·ana+cy``)."""
    return f"{label}\u00b7{'+'.join(short_name(n) for n in by)}"


def plain(span: Span) -> Span:
    """The span without id (and without the proposal's reviewers)."""
    return Span(span.start, span.end, span.token_start, span.token_end, span.label)


def find_span(spans: Sequence[Span], key: SpanKey) -> Span | None:
    """The span of ``spans`` (sorted by start) with these offsets and label."""
    return span_finder(spans)(key)


def span_finder(spans: Sequence[Span]) -> Callable[[SpanKey], Span | None]:
    """``find_span`` for many keys in the same spans (sorted by start): their
    starts are listed once, then each key is a bisection in C."""
    starts = [s.start for s in spans]

    def find(key: SpanKey) -> Span | None:
        i = bisect.bisect_left(starts, key[0])
        while i < len(starts) and starts[i] == key[0]:
            if spans[i].end == key[1] and spans[i].label == key[2]:
                return spans[i]
            i += 1
        return None

    return find
