"""Precision and recall of proposed relations against gold relations (pure), in
all and per relation rule.

A proposed relation counts as correct when its label and both argument spans
(character offsets) match a gold relation; for an undirected label the order of
the arguments does not matter.

Per rule (``annotator eval --relations-by-rule``): each model-layer relation
carries the id of the rule that proposed it; it was *kept* when the reviewed
(gold) layer of its document has a relation with the same label between spans
at the same offsets. One the reviewer deleted, relabelled, or whose span they
moved or deleted, was not kept. A rule's precision is kept / proposed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from annotator.model import Annotations, Relation
from annotator.relation_rules import RelationRule

Arg = tuple[int, int]
Key = tuple[Arg, str, Arg]
RuleState = Literal["on", "off", "not in file"]


@dataclass(frozen=True, slots=True)
class Scores:
    true_positives: int
    proposed: int
    gold: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.proposed if self.proposed else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _normalise(key: Key, symmetric: set[str]) -> Key:
    head, label, child = key
    return (min(head, child), label, max(head, child)) if label in symmetric else key


def score_relations(
    proposed: Iterable[Key], gold: Iterable[Key], undirected: Iterable[str] = ()
) -> Scores:
    symmetric = set(undirected)
    found = {_normalise(k, symmetric) for k in proposed}
    expected = {_normalise(k, symmetric) for k in gold}
    return Scores(len(found & expected), len(found), len(expected))


@dataclass(frozen=True, slots=True)
class RuleScore:
    """One row of the per-rule table: a rule, the label of its relations, how many
    it proposed and how many of those the reviews kept; ``state`` is the rule's in
    the rules file (``on``, ``off``, or ``not in file``)."""

    rule: str
    label: str
    proposed: int
    kept: int
    state: RuleState = "on"

    @property
    def precision(self) -> float | None:
        """kept / proposed; None when it proposed nothing."""
        return self.kept / self.proposed if self.proposed else None

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "label": self.label,
            "state": self.state,
            "proposed": self.proposed,
            "kept": self.kept,
            "precision": self.precision,
        }


@dataclass(frozen=True, slots=True)
class RuleTable:
    documents: int
    rows: tuple[RuleScore, ...]
    without_rule: int  # model relations with no rule id (from a file, or older imports)

    def as_dict(self) -> dict[str, object]:
        return {
            "documents": self.documents,
            "rules": [row.as_dict() for row in self.rows],
            "without_rule": self.without_rule,
        }


def relation_keys(layer: Annotations) -> list[tuple[Relation, Key]]:
    """Each relation of a layer with its key (offsets of both spans, label)."""
    spans = {s.id: (s.start, s.end) for s in layer.spans}
    return [
        (r, (spans[r.head], r.label, spans[r.child]))
        for r in layer.relations
        if r.head in spans and r.child in spans
    ]


def score_by_rule(
    documents: Iterable[tuple[Iterable[tuple[str | None, Key]], Iterable[Key]]],
    undirected: Iterable[str] = (),
    rules: Sequence[RelationRule] = (),
) -> RuleTable:
    """The per-rule table over ``documents``, each given as its proposals (rule id,
    key) and its gold keys. Every rule of ``rules`` (the rules file) has a row
    (proposed 0 when it proposed nothing), with its state there. Rows are sorted
    by precision, lowest first (rules that proposed nothing last), then by
    proposals (most first), rule, label."""
    symmetric = set(undirected)
    counts: dict[tuple[str, str], list[int]] = {}
    without_rule = 0
    n_documents = 0
    for proposals, gold in documents:
        n_documents += 1
        expected = {_normalise(k, symmetric) for k in gold}
        for rule, key in proposals:
            if rule is None:
                without_rule += 1
                continue
            count = counts.setdefault((rule, key[1]), [0, 0])
            count[0] += 1
            count[1] += _normalise(key, symmetric) in expected
    in_file = {entry.id: entry for entry in rules}
    proposing = {rule_id for rule_id, _ in counts}
    for entry in rules:
        if entry.id not in proposing:
            counts[(entry.id, entry.label)] = [0, 0]
    rows = [
        RuleScore(rule_id, label, proposed, kept, _state(in_file.get(rule_id)))
        for (rule_id, label), (proposed, kept) in counts.items()
    ]
    rows.sort(key=lambda r: (r.precision is None, r.precision or 0.0, -r.proposed, r.rule, r.label))
    return RuleTable(n_documents, tuple(rows), without_rule)


def model_against_gold(
    layers: Iterable[tuple[Annotations, Annotations]],
) -> Iterable[tuple[list[tuple[str | None, Key]], list[Key]]]:
    """``score_by_rule``'s input from (model, gold) layers of documents."""
    for model, gold in layers:
        yield (
            [(r.rule, key) for r, key in relation_keys(model)],
            [key for _, key in relation_keys(gold)],
        )


def below(table: RuleTable, precision: float, min_proposals: int) -> list[tuple[str, int, int]]:
    """The rules switched on whose precision is under ``precision`` with at least
    ``min_proposals`` proposals (all labels of a rule together), as (rule, kept,
    proposed), by rule id."""
    totals: dict[str, list[int]] = {}
    for row in table.rows:
        if row.state == "on":
            total = totals.setdefault(row.rule, [0, 0])
            total[0] += row.kept
            total[1] += row.proposed
    return [
        (rule, kept, proposed)
        for rule, (kept, proposed) in sorted(totals.items())
        if proposed >= min_proposals and kept / proposed < precision
    ]


def format_rule_table(table: RuleTable) -> str:
    width = max([len("rule"), *(len(r.rule) for r in table.rows)])
    label_width = max([len("label"), *(len(r.label) for r in table.rows)])
    lines = [
        f"Documents: {table.documents}",
        f"{'rule':<{width}}  {'label':<{label_width}}  {'state':<11} {'proposed':>8} "
        f"{'kept':>6} {'precision':>9}",
    ]
    for row in table.rows:
        precision = "-" if row.precision is None else f"{row.precision:.2f}"
        lines.append(
            f"{row.rule:<{width}}  {row.label:<{label_width}}  {row.state:<11} "
            f"{row.proposed:>8} {row.kept:>6} {precision:>9}"
        )
    if not table.rows:
        lines.append("  (no rule proposed a relation in these documents)")
    if table.without_rule:
        n = table.without_rule
        lines.append(
            f"{n} model relation{'s have' if n != 1 else ' has'} no rule id (read from a "
            "file, or imported before rule ids were recorded): not counted."
        )
    return "\n".join(lines)


def _state(rule: RelationRule | None) -> RuleState:
    if rule is None:
        return "not in file"
    return "on" if rule.enabled else "off"
