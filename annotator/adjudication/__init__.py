"""Where reviewers disagree, and what settling it puts in the ``final`` layer:
pure functions over the reviewer layers of one document. No Qt, no SQL.

- A span is **agreed** when every reviewer compared has it (same start, end and
  label); a relation when every reviewer has it between agreed spans. The final
  layer is seeded with the agreed spans and relations.
- Every other span is a **proposal**. Proposals that overlap (directly or
  through others) are one **disagreement**, so "New York City" against
  "New York" + "City", or "Secretary of State" against "State", is one choice;
  a span only one reviewer marked, overlapping nothing, is one on its own.
- Once the final layer is seeded, reviews merged later can agree on a span the
  seed did not have (a reviewer came round to another's view). Such a **late
  agreement** is not added by itself: it is a proposal of every reviewer, shown
  and taken like any other, unless the final layer has it or a choice recorded
  since covers it (the adjudicator decided there already). A seeded span the
  adjudicator deleted is not proposed again.
- A disagreement is **settled** when the final layer has a span inside it (the
  adjudicator took a version with spans, or edited freely there) or a choice was
  recorded for it (e.g. a reviewer's version that has no span there).
- Taking a reviewer's **version** of a disagreement puts their spans of it in the
  final layer (replacing what was there) with their relations between spans the
  final layer then has. Taking **both** (all) puts in every proposal of it that
  overlaps no other proposal (a span only one reviewer marked is taken); where
  proposals overlap, one version must be chosen.
- Reviewers who relate two spans of the final layer differently make a
  **relation disagreement** (annotator/adjudication/relations.py); F8 visits
  both kinds in the text's order (``in_order``).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field

from annotator.adjudication.keys import (
    BOTH,
    PairKey,
    RelationKey,
    SpanKey,
    plain,
    proposers_tag,
    relation_keys,
    short_name,
    span_key,
)
from annotator.adjudication.relations import (
    ProposedRelation,
    RelationDisagreement,
    open_relation_disagreements,
    relation_disputes,
)
from annotator.model import Annotations, Relation, Span

__all__ = [
    "BOTH",
    "Comparison",
    "Disagreement",
    "PairKey",
    "ProposedRelation",
    "ProposedSpan",
    "RelationDisagreement",
    "RelationKey",
    "Settleable",
    "SpanKey",
    "compare_layers",
    "in_order",
    "late_agreements",
    "open_disagreements",
    "open_relation_disagreements",
    "position",
    "proposals_of",
    "relation_keys",
    "relations_from_keys",
    "relations_to_take",
    "short_name",
    "span_key",
]


@dataclass(frozen=True, slots=True)
class ProposedSpan(Span):
    """A span some reviewers (``by``) proposed and others did not."""

    by: tuple[str, ...] = ()

    @property
    def tag(self) -> str:
        return proposers_tag(self.label, self.by)


@dataclass(frozen=True, slots=True)
class Disagreement:
    """Proposals that are one choice: characters ``start``..``end``, tokens
    ``token_start``..``token_end`` (inclusive), each reviewer's spans there
    (empty: that reviewer has no span there)."""

    start: int
    end: int
    token_start: int
    token_end: int
    versions: tuple[tuple[str, tuple[Span, ...]], ...]  # by reviewer, in name order
    proposed: tuple[ProposedSpan, ...] = ()  # see ``proposals``; made by compare_layers

    @property
    def region(self) -> tuple[int, int]:
        return (self.start, self.end)

    def version(self, reviewer: str) -> tuple[Span, ...] | None:
        """The reviewer's spans here, or None if they are not compared here."""
        return dict(self.versions).get(reviewer)

    def proposals(self) -> tuple[ProposedSpan, ...]:
        """Each distinct span proposed here, with who proposed it, by position."""
        return self.proposed or _proposals(self.versions)

    def both(self) -> tuple[Span, ...]:
        """The proposals here that overlap no other proposal here."""
        proposals = self.proposals()
        return tuple(
            plain(p)
            for p in proposals
            if not any(q is not p and q.start < p.end and p.start < q.end for q in proposals)
        )

    def describe(self, text: str) -> str:
        """One line: what each reviewer has here."""
        parts = []
        for reviewer, spans in self.versions:
            shown = ", ".join(f"{s.label} \u201c{text[s.start : s.end]}\u201d" for s in spans)
            parts.append(f"{reviewer}: {shown or 'nothing'}")
        return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class Comparison:
    """One document's reviewer layers compared."""

    reviewers: tuple[str, ...]
    agreed: tuple[Span, ...]  # without ids
    agreed_relations: tuple[RelationKey, ...]
    disagreements: tuple[Disagreement, ...]  # by position
    # pairs of spans the reviewers relate differently, whatever the final layer has
    # (see relations.py), by position
    relation_disputes: tuple[RelationDisagreement, ...] = ()
    # each reviewer's relations, by their spans' offsets and labels
    relations: Mapping[str, frozenset[RelationKey]] = field(default_factory=dict)


def compare_layers(
    layers: Mapping[str, Annotations],
    seeded: Collection[SpanKey] | None = None,
    settled: Collection[tuple[int, int]] = (),
) -> Comparison:
    """Compare the reviewers' layers of one document (reviewer -> layer).

    ``seeded``: the spans the final layer was seeded with (None: not seeded yet).
    A span every reviewer has that is not among them (a late agreement) is a
    proposal of them all, unless a choice recorded for a region (``settled``)
    covers it; it stays in ``agreed`` too."""
    reviewers = tuple(sorted(layers))
    if not reviewers:
        return Comparison((), (), (), ())
    keys = {name: {span_key(s): s for s in layers[name].spans} for name in reviewers}
    common = set(keys[reviewers[0]])
    for name in reviewers[1:]:
        common &= set(keys[name])
    late = set() if seeded is None else late_agreements(common, seeded, settled)
    agreed = tuple(
        plain(keys[reviewers[0]][k]) for k in sorted(common, key=lambda k: (k[0], k[1], k[2]))
    )
    relations = [frozenset(relation_keys(layers[name])) for name in reviewers]
    agreed_relations = set(relations[0]).intersection(*relations[1:])
    agreed_relations = {r for r in agreed_relations if r[0] in common and r[1] in common}
    proposals = sorted(
        (
            (s, name)
            for name in reviewers
            for k, s in keys[name].items()
            if k not in common or k in late
        ),
        key=lambda item: (item[0].start, item[0].end),
    )
    return Comparison(
        reviewers,
        agreed,
        tuple(sorted(agreed_relations)),
        tuple(_group(proposals, reviewers)),
        relation_disputes(dict(zip(reviewers, relations, strict=True)), keys),
        dict(zip(reviewers, relations, strict=True)),
    )


def late_agreements(
    agreed: Collection[SpanKey],
    seeded: Collection[SpanKey],
    settled: Collection[tuple[int, int]],
) -> set[SpanKey]:
    """The spans every reviewer has that the seed did not put in the final layer
    and that no recorded choice (its region, ``settled``) covers."""
    regions = sorted(settled)
    starts = [start for start, _ in regions]
    reach = list(itertools.accumulate((end for _, end in regions), max))  # furthest end so far
    found = set()
    for key in agreed:
        if key in seeded:
            continue
        i = bisect.bisect_right(starts, key[0])  # the regions starting at or before it
        if i == 0 or reach[i - 1] < key[1]:
            found.add(key)
    return found


def _group(proposals: Sequence[tuple[Span, str]], reviewers: Sequence[str]) -> list[Disagreement]:
    """Proposals by start, grouped: one group while the next overlaps what the
    group covers."""
    groups: list[Disagreement] = []
    current: list[tuple[Span, str]] = []
    end = -1
    for span, reviewer in proposals:
        if current and span.start >= end:
            groups.append(_disagreement(current, reviewers))
            current = []
        current.append((span, reviewer))
        end = max(end, span.end) if len(current) > 1 else span.end
    if current:
        groups.append(_disagreement(current, reviewers))
    return groups


def _disagreement(items: Sequence[tuple[Span, str]], reviewers: Sequence[str]) -> Disagreement:
    versions = tuple((name, tuple(plain(s) for s, r in items if r == name)) for name in reviewers)
    return Disagreement(
        min(s.start for s, _ in items),
        max(s.end for s, _ in items),
        min(s.token_start for s, _ in items),
        max(s.token_end for s, _ in items),
        versions,
        _proposals(versions),
    )


def _proposals(versions: Sequence[tuple[str, Sequence[Span]]]) -> tuple[ProposedSpan, ...]:
    by: dict[SpanKey, list[str]] = {}
    first: dict[SpanKey, Span] = {}
    for reviewer, spans in versions:
        for span in spans:
            by.setdefault(span_key(span), []).append(reviewer)
            first.setdefault(span_key(span), span)
    return tuple(
        ProposedSpan(s.start, s.end, s.token_start, s.token_end, s.label, None, tuple(by[k]))
        for k, s in sorted(first.items())
    )


def open_disagreements(
    comparison: Comparison,
    final: Sequence[Span],
    settled: Collection[tuple[int, int]],
) -> list[Disagreement]:
    """The disagreements not settled yet: no choice recorded for them and no span
    of the final layer (``final``, sorted by start) inside them."""
    starts = [s.start for s in final]
    found = []
    for d in comparison.disagreements:
        if d.region in settled:
            continue
        i = bisect.bisect_left(starts, d.start)
        inside = (i < len(final) and final[i].start < d.end) or (
            i > 0 and final[i - 1].end > d.start
        )
        if not inside:
            found.append(d)
    return found


Settleable = Disagreement | RelationDisagreement


def in_order(
    spans: Sequence[Disagreement], relations: Sequence[RelationDisagreement]
) -> list[Settleable]:
    """The open disagreements of both kinds in the order F8 visits them: by token
    (a relation disagreement is where its later span is), a span's before a
    relation's on the same token."""
    return sorted([*spans, *relations], key=position)


def position(item: Settleable) -> tuple[int, int, int, int]:
    if isinstance(item, Disagreement):
        return (item.token_start, 0, item.start, item.end)
    return (item.token_start, 1, item.first.start, item.first.end)


def proposals_of(disagreements: Sequence[Disagreement]) -> tuple[ProposedSpan, ...]:
    """Every proposal of these disagreements, by position (what the view draws)."""
    return tuple(p for d in disagreements for p in d.proposals())


def relations_to_take(
    relations: Collection[RelationKey],
    taken: Collection[SpanKey],
    in_final: Callable[[SpanKey], bool],
) -> tuple[RelationKey, ...]:
    """The reviewer's relations (their keys) that touch a span ``taken`` from their
    layer and whose both ends are in the final layer once it is taken
    (``in_final``)."""
    if not relations or not taken:
        return ()
    return tuple(
        sorted(
            key
            for key in relations
            if (key[0] in taken or key[1] in taken) and in_final(key[0]) and in_final(key[1])
        )
    )


def relations_from_keys(keys: Sequence[RelationKey], spans: Sequence[Span]) -> tuple[Relation, ...]:
    """Relations between ``spans`` (which carry ids) for these keys; keys whose
    ends are not among the spans are left out."""
    ids = {span_key(s): s.id for s in spans if s.id is not None}
    return tuple(
        Relation(ids[head], ids[child], label)
        for head, child, label in keys
        if head in ids and child in ids
    )
