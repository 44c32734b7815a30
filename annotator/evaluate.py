"""Model layer against gold layer: precision, recall and F1 per label and micro-averaged,
for entities (exact boundaries and label, as spaCy's Scorer counts them) and for
relations (both argument spans and the label must match)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from annotator.model import Annotations, Document


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
