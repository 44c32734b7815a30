"""Where reviewers disagree on the relations between two spans, and what settling
it puts in the ``final`` layer: pure functions, no Qt, no SQL.

- A relation (head span, child span, label; spans by offsets and label) is
  **disputed** when some but not all of the compared reviewers have it. A
  reviewer without one of the two spans has no relation between them: their
  version there is "none".
- The disputed relations between one pair of spans, in either direction, are one
  **relation disagreement**. It is shown once both spans are in the final layer;
  its position (the order of F8) is the later span's: reading on, both arguments
  have been met, and settled first if they were disputed themselves.
- It is **settled** when a choice was recorded for the pair (keyed by the two
  spans' characters), or when the final layer's relations between the two are no
  longer those every reviewer has (what the seed put there): the adjudicator
  edited there, with the relation keys or by taking a reviewer's version of a
  span, which brings that reviewer's relations along.
- Taking a reviewer's **version** sets the final layer's relations between the two
  spans to theirs (possibly none). Taking **both** (all) puts in every distinct
  relation any reviewer has there, if the labels' rules allow it: an undirected
  label both ways round is one relation; a directed label both ways round, or a
  label whose argument types refuse the spans, needs one version chosen.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from annotator.adjudication.keys import (
    PairKey,
    RelationKey,
    SpanKey,
    plain,
    proposers_tag,
    span_finder,
    span_key,
)
from annotator.model import Label, Relation, Span

SpanPair = tuple[SpanKey, SpanKey]  # the first in the text first


@dataclass(frozen=True, slots=True)
class ProposedRelation:
    """A relation some reviewers (``by``) have between two spans and others do not."""

    key: RelationKey
    by: tuple[str, ...]

    @property
    def tag(self) -> str:
        return proposers_tag(self.key[2], self.by)


@dataclass(frozen=True, slots=True)
class RelationDisagreement:
    """The reviewers' relations between two spans, which they do not all share."""

    first: Span  # the argument that comes first in the text (without id)
    second: Span  # the later one: where the disagreement is, for F8
    versions: tuple[tuple[str, tuple[RelationKey, ...]], ...]  # by reviewer, in name order
    agreed: tuple[RelationKey, ...]  # every reviewer has these between the two
    proposed: tuple[ProposedRelation, ...]  # the others, with who has each
    # the two spans' keys, and their characters (what a recorded choice is keyed by);
    # made once, as every edit looks them up
    spans: SpanPair = field(init=False, compare=False)
    pair: PairKey = field(init=False, compare=False)

    def __post_init__(self) -> None:
        first, second = self.first, self.second
        object.__setattr__(self, "spans", (span_key(first), span_key(second)))
        object.__setattr__(self, "pair", ((first.start, first.end), (second.start, second.end)))

    @property
    def token_start(self) -> int:
        return self.second.token_start

    @property
    def token_end(self) -> int:
        return self.second.token_end

    def version(self, reviewer: str) -> tuple[RelationKey, ...] | None:
        """The reviewer's relations between the two, or None if they are not compared."""
        return dict(self.versions).get(reviewer)

    def union(self, rules: Mapping[str, Label]) -> tuple[tuple[RelationKey, ...], str | None]:
        """Every distinct relation any reviewer has between the two, or (nothing and)
        why the labels' rules (relation label -> Label) refuse them together."""
        taken: list[RelationKey] = []
        for key in sorted({k for _, keys in self.versions for k in keys}):
            head, child, label = key
            rule = rules.get(label)
            refusal = rule.refuses(head[2], child[2]) if rule is not None else None
            if refusal:
                return (), f"Not allowed: {refusal}; take one version"
            if (child, head, label) in taken:
                if rule is not None and not rule.directed:
                    continue  # the same relation, drawn the other way round
                return (), f"{label} runs both ways here (it has a direction): take one version"
            taken.append(key)
        return tuple(taken), None

    def describe(self, text: str) -> str:
        """One line: each reviewer's relations between the two."""
        parts = []
        for reviewer, keys in self.versions:
            shown = ", ".join(
                f"{label} {text[h[0] : h[1]]} \u2192 {text[c[0] : c[1]]}" for h, c, label in keys
            )
            parts.append(f"{reviewer}: {shown or 'none'}")
        return "; ".join(parts)


def relation_disputes(
    relations: Mapping[str, Collection[RelationKey]],
    spans: Mapping[str, Mapping[SpanKey, Span]],
) -> tuple[RelationDisagreement, ...]:
    """Every pair of spans some reviewers relate differently from the others,
    whatever the final layer has, by position. ``relations``: each compared
    reviewer's relation keys (``relation_keys`` of their layer); ``spans``: each
    one's spans by key."""
    reviewers = sorted(relations)
    if len(reviewers) < 2 or not any(relations.values()):
        return ()
    everyone = set(relations[reviewers[0]]).intersection(*(relations[n] for n in reviewers[1:]))
    by_pair: dict[SpanPair, dict[str, list[RelationKey]]] = {}
    for name in reviewers:
        for key in relations[name]:
            if key not in everyone:
                by_pair.setdefault(pair_of(key), {})
    if not by_pair:
        return ()
    for name in reviewers:
        for key in relations[name]:
            have = by_pair.get(pair_of(key))
            if have is not None:
                have.setdefault(name, []).append(key)
    made = []
    for (a, b), by in by_pair.items():
        name = next(iter(by))  # a reviewer with a relation there has both spans
        first, second = plain(spans[name][a]), plain(spans[name][b])
        made.append(_disagreement(first, second, by, reviewers))
    return tuple(sorted(made, key=_position))


def _disagreement(
    first: Span, second: Span, have: Mapping[str, list[RelationKey]], reviewers: Sequence[str]
) -> RelationDisagreement:
    versions = tuple((name, tuple(sorted(have.get(name, ())))) for name in reviewers)
    agreed = set(versions[0][1]).intersection(*(keys for _, keys in versions[1:]))
    by: dict[RelationKey, list[str]] = {}
    for name, keys in versions:
        for key in keys:
            if key not in agreed:
                by.setdefault(key, []).append(name)
    proposed = tuple(ProposedRelation(k, tuple(names)) for k, names in sorted(by.items()))
    return RelationDisagreement(first, second, versions, tuple(sorted(agreed)), proposed)


def _position(d: RelationDisagreement) -> tuple[int, int, int]:
    return (d.second.start, d.first.start, d.first.end)


def pair_of(key: RelationKey) -> SpanPair:
    """A relation's two spans, the first in the text first (its direction aside)."""
    head, child, _ = key
    return (head, child) if head <= child else (child, head)


def open_relation_disagreements(
    disputes: Sequence[RelationDisagreement],
    final: Sequence[Span],
    final_relations: Sequence[Relation],
    settled: Collection[PairKey],
) -> list[RelationDisagreement]:
    """The relation disagreements not settled yet: both spans in the final layer
    (``final``, sorted by start, with ids; ``final_relations`` between them), no
    choice recorded for the pair, and the final layer's relations between the two
    still those every reviewer has. Looks up the disputed spans only (bisection),
    so it costs little on a long article."""
    if not disputes:
        return []
    ids: dict[SpanKey, int | None] = {}  # the disputed spans the final layer has: their ids
    find_span = span_finder(final)
    candidates = []
    for d in disputes:
        if d.pair in settled:
            continue
        found = True
        for key in d.spans:
            if key not in ids:
                span = find_span(key)
                ids[key] = None if span is None else span.id
            found = found and ids[key] is not None
        if found:
            candidates.append(d)
    if not candidates:
        return []
    keys = {span_id: key for key, span_id in ids.items() if span_id is not None}
    wanted = {d.spans for d in candidates}
    there: dict[SpanPair, set[RelationKey]] = {}
    for relation in final_relations:
        head, child = keys.get(relation.head), keys.get(relation.child)
        if head is None or child is None:
            continue
        between = (head, child, relation.label)
        pair = pair_of(between)
        if pair in wanted:
            there.setdefault(pair, set()).add(between)
    return [d for d in candidates if there.get(d.spans, set()) == set(d.agreed)]
