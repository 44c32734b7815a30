"""Model layer against gold layer: precision, recall and F1 per label and micro-averaged,
for entities (exact boundaries and label, as spaCy's Scorer counts them) and for
relations (both argument spans and the label must match); and the fixes (add,
delete, relabel, resize) that turn the model layer's spans into the gold's."""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from annotator.model import Annotations, Document, Span


@dataclass(slots=True)
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "p": self.precision,
            "r": self.recall,
            "f": self.f1,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


@dataclass(slots=True)
class Evaluation:
    documents: int = 0
    entities: dict[str, PRF] = field(default_factory=dict)
    relations: dict[str, PRF] = field(default_factory=dict)

    @staticmethod
    def micro(table: dict[str, PRF]) -> PRF:
        return PRF(
            sum(x.tp for x in table.values()),
            sum(x.fp for x in table.values()),
            sum(x.fn for x in table.values()),
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "documents": self.documents,
            "entities": {
                "micro": self.micro(self.entities).as_dict(),
                "per_label": {k: v.as_dict() for k, v in sorted(self.entities.items())},
            },
            "relations": {
                "micro": self.micro(self.relations).as_dict(),
                "per_label": {k: v.as_dict() for k, v in sorted(self.relations.items())},
            },
        }


def evaluate(documents: Iterable[Document]) -> Evaluation:
    result = Evaluation()
    for doc in documents:
        result.documents += 1
        _count(result.entities, _entity_keys(doc.model), _entity_keys(doc.gold))
        _count(result.relations, _relation_keys(doc.model), _relation_keys(doc.gold))
    return result


def _entity_keys(layer: Annotations) -> Counter[tuple[object, ...]]:
    return Counter((s.start, s.end, s.label) for s in layer.spans)


def _relation_keys(layer: Annotations) -> Counter[tuple[object, ...]]:
    spans = {s.id: (s.start, s.end) for s in layer.spans}
    return Counter(
        (spans[r.head], spans[r.child], r.label)
        for r in layer.relations
        if r.head in spans and r.child in spans
    )


def _count(
    table: dict[str, PRF],
    predicted: Counter[tuple[object, ...]],
    gold: Counter[tuple[object, ...]],
) -> None:
    for key in predicted | gold:
        label = str(key[-1])
        entry = table.setdefault(label, PRF())
        both = min(predicted[key], gold[key])
        entry.tp += both
        entry.fp += predicted[key] - both
        entry.fn += gold[key] - both


def format_table(evaluation: Evaluation) -> str:
    lines = [f"Documents: {evaluation.documents}"]
    for title, table in (("Entities", evaluation.entities), ("Relations", evaluation.relations)):
        lines.append(f"{title:<14} {'P':>7} {'R':>7} {'F':>7} {'gold':>6} {'model':>6}")
        for label, prf in sorted(table.items()):
            lines.append(_row(label, prf))
        lines.append(_row("micro avg", Evaluation.micro(table)))
        lines.append("")
    return "\n".join(lines).rstrip()


def _row(name: str, prf: PRF) -> str:
    return (
        f"  {name:<12} {prf.precision * 100:6.1f}% {prf.recall * 100:6.1f}% "
        f"{prf.f1 * 100:6.1f}% {prf.tp + prf.fn:>6} {prf.tp + prf.fp:>6}"
    )


# ---- fixes: how much a reviewer changes to turn the model layer into the gold ------


@dataclass(frozen=True, slots=True)
class Fixes:
    """Edits that turn one layer's spans into another's: a relabel keeps the
    offsets, a resize keeps the label of an overlapping span, and what is left
    over is deleted (model side) or added (gold side)."""

    add: int = 0
    delete: int = 0
    relabel: int = 0
    resize: int = 0

    @property
    def total(self) -> int:
        return self.add + self.delete + self.relabel + self.resize

    def __add__(self, other: Fixes) -> Fixes:
        return Fixes(
            self.add + other.add,
            self.delete + other.delete,
            self.relabel + other.relabel,
            self.resize + other.resize,
        )


def count_fixes(model: Sequence[Span], gold: Sequence[Span]) -> Fixes:
    """The edits of each kind that turn ``model`` into ``gold``, each model and
    gold span in at most one of them. Spans are paired in this order: equal
    offsets and label (no fix), equal offsets (a relabel), then overlapping with
    the same label, the largest overlap first (a resize); an unpaired model span
    is a delete, an unpaired gold span an add. So an overlapping span with other
    offsets and another label is a delete and an add. Each layer's spans do not
    overlap one another, as the store keeps them."""
    model_left = {(s.start, s.end): s.label for s in model}
    gold_left = {(s.start, s.end): s.label for s in gold}
    relabel = 0
    for bounds in [b for b in gold_left if b in model_left]:
        if model_left.pop(bounds) != gold_left.pop(bounds):
            relabel += 1
    rest = sorted(model_left)  # disjoint: their ends rise with their starts
    starts = [start for start, _ in rest]
    pairs: list[tuple[int, tuple[int, int], tuple[int, int]]] = []
    for g, label in gold_left.items():
        i = bisect.bisect_left(starts, g[1])  # the model spans that start before g ends
        while i > 0 and rest[i - 1][1] > g[0]:
            i -= 1
            m = rest[i]
            if model_left[m] == label:
                pairs.append((min(g[1], m[1]) - max(g[0], m[0]), g, m))
    pairs.sort(key=lambda pair: (-pair[0], pair[1], pair[2]))
    resize = 0
    for _, g, m in pairs:
        if g in gold_left and m in model_left:
            del gold_left[g], model_left[m]
            resize += 1
    return Fixes(add=len(gold_left), delete=len(model_left), relabel=relabel, resize=resize)
