"""How far reviewers agree (``annotator agreement``): pure computation over the
reviewer layers of a team database. No Qt, no spaCy, no SQL.

For every pair of reviewers, over the documents both reviewed (with one of the
chosen statuses):

- **Entity F1**: spans must match exactly (start, end, label). The pair's first
  reviewer (by name) is taken as the reference: ``p`` is the share of the second
  reviewer's spans the first has too, ``r`` the share of the first's the second
  has. F1 = 2·both / (first's + second's) is symmetric: swapping the two swaps
  ``p`` and ``r`` and leaves F1 alone.
- **Cohen's kappa** over IOB2 token tags (``O``, ``B-X``, ``I-X``): observed
  agreement against the agreement the two tag distributions give by chance.
  Per label, the tags of the other labels count as ``O``.
- **Relation F1**: both argument spans (offsets and label) and the relation
  label must match; as for entities.

With more than two reviewers, **Fleiss' kappa** over the IOB tags of the tokens
of every document that three or more reviewers reviewed (each token an item
rated by the reviewers of its document; the number of raters may vary between
documents, Fleiss' formula averaged over items as usual).

A document's agreement (to list the lowest) is the entity F1 over all the pairs
that reviewed it (both spans summed over the pairs); two reviewers with no spans
at all agree fully (1.0).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from itertools import combinations

from annotator.model import Annotations, Status

_SpanKey = tuple[int, int, str]
_RelationKey = tuple[_SpanKey, _SpanKey, str]
OUTSIDE = "O"


@dataclass(frozen=True, slots=True)
class AgreementDocument:
    """One document of a team database: its token count and each reviewer's review."""

    id: int
    title: str
    tokens: int
    reviews: Mapping[str, tuple[Status, Annotations]]


@dataclass(slots=True)
class Overlap:
    """Counts of one comparison: the first's items, the second's, and those in both."""

    first: int = 0
    second: int = 0
    both: int = 0

    def add(self, other: Overlap) -> None:
        self.first += other.first
        self.second += other.second
        self.both += other.both

    @property
    def p(self) -> float:
        """The share of the second's items the first has too (the first as reference)."""
        return self.both / self.second if self.second else 0.0

    @property
    def r(self) -> float:
        return self.both / self.first if self.first else 0.0

    @property
    def f1(self) -> float:
        total = self.first + self.second
        return 2 * self.both / total if total else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "p": self.p,
            "r": self.r,
            "f1": self.f1,
            "both": self.both,
            "first": self.first,
            "second": self.second,
        }


@dataclass(slots=True)
class PairAgreement:
    """Agreement of two reviewers over the documents both reviewed."""

    first: str
    second: str
    documents: int = 0
    tokens: int = 0
    entities: dict[str, Overlap] = field(default_factory=dict)
    relations: dict[str, Overlap] = field(default_factory=dict)
    kappa: float | None = None
    kappa_per_label: dict[str, float | None] = field(default_factory=dict)

    @property
    def micro(self) -> Overlap:
        return _micro(self.entities)

    @property
    def relations_micro(self) -> Overlap:
        return _micro(self.relations)

    def as_dict(self) -> dict[str, object]:
        return {
            "first": self.first,
            "second": self.second,
            "documents": self.documents,
            "tokens": self.tokens,
            "micro": self.micro.as_dict(),
            "per_label": {k: v.as_dict() for k, v in sorted(self.entities.items())},
            "kappa": self.kappa,
            "kappa_per_label": dict(sorted(self.kappa_per_label.items())),
            "relations": {
                "micro": self.relations_micro.as_dict(),
                "per_label": {k: v.as_dict() for k, v in sorted(self.relations.items())},
            },
        }


@dataclass(frozen=True, slots=True)
class DocumentAgreement:
    id: int
    title: str
    f1: float
    reviewers: tuple[str, ...]


@dataclass(slots=True)
class Agreement:
    statuses: tuple[Status, ...]
    reviewers: list[str]
    pairs: list[PairAgreement]
    fleiss: float | None = None
    fleiss_documents: int = 0
    fleiss_per_label: dict[str, float | None] = field(default_factory=dict)
    documents: list[DocumentAgreement] = field(default_factory=list)  # lowest F1 first

    def compared_pairs(self) -> list[PairAgreement]:
        return [p for p in self.pairs if p.documents]

    def as_dict(self, lowest: int = 10) -> dict[str, object]:
        """``micro``, ``per_label``, ``kappa`` and ``relations`` are the pair's when
        one pair of reviewers shares documents, else the mean over those pairs;
        ``pairs`` has each pair's own figures."""
        pairs = self.compared_pairs()
        summary: dict[str, object] = {
            "statuses": [s.value for s in self.statuses],
            "reviewers": self.reviewers,
            "pairs_compared": len(pairs),
        }
        if len(pairs) == 1:
            only = pairs[0].as_dict()
            summary.update({k: only[k] for k in ("micro", "per_label", "kappa", "relations")})
        else:
            summary.update(_mean_of_pairs(pairs))
        summary["fleiss_kappa"] = self.fleiss
        summary["fleiss_documents"] = self.fleiss_documents
        summary["fleiss_kappa_per_label"] = dict(sorted(self.fleiss_per_label.items()))
        summary["pairs"] = [p.as_dict() for p in pairs]
        summary["lowest"] = [
            {"id": d.id, "title": d.title, "f1": d.f1, "reviewers": list(d.reviewers)}
            for d in self.documents[:lowest]
        ]
        return summary


# ---- the statistics ------------------------------------------------------------


def iob_tags(tokens: int, spans: Iterable[tuple[int, int, str]]) -> list[str]:
    """IOB2 tags of ``tokens`` tokens from (token_start, token_end inclusive, label)."""
    tags = [OUTSIDE] * tokens
    for start, end, label in spans:
        tags[start] = f"B-{label}"
        for i in range(start + 1, end + 1):
            tags[i] = f"I-{label}"
    return tags


def cohen_kappa(first: Sequence[str], second: Sequence[str]) -> float | None:
    """Cohen's kappa of two raters' labels for the same items; None when chance
    agreement is already total (both gave every item one and the same label)."""
    if len(first) != len(second):
        raise ValueError("Cohen's kappa needs two ratings of the same items.")
    n = len(first)
    if not n:
        return None
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    count_first, count_second = Counter(first), Counter(second)
    expected = sum(count_first[k] * count_second[k] for k in count_first) / (n * n)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def fleiss_kappa(table: Sequence[Mapping[str, int]]) -> float | None:
    """Fleiss' kappa from one row per item: category -> how many raters chose it.
    Items with fewer than two raters are left out; None when there are no items or
    chance agreement is total."""
    rows = [row for row in table if sum(row.values()) >= 2]
    if not rows:
        return None
    totals: Counter[str] = Counter()
    agreement = 0.0
    ratings = 0
    for row in rows:
        n = sum(row.values())
        totals.update(row)
        ratings += n
        agreement += (sum(c * c for c in row.values()) - n) / (n * (n - 1))
    observed = agreement / len(rows)
    expected = sum((t / ratings) ** 2 for t in totals.values())
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def compare(first: Iterable[object], second: Iterable[object]) -> Overlap:
    a, b = set(first), set(second)
    return Overlap(len(a), len(b), len(a & b))


# ---- over a team's documents -----------------------------------------------------


def agreement(
    documents: Iterable[AgreementDocument], statuses: Sequence[Status] = (Status.ACCEPTED,)
) -> Agreement:
    """Pairwise and (more than two reviewers) Fleiss agreement over ``documents``,
    counting only the reviews with one of ``statuses``."""
    wanted = set(statuses)
    docs = list(documents)
    reviewers = sorted({name for d in docs for name in d.reviews})
    pairs = {pair: PairAgreement(*pair) for pair in combinations(reviewers, 2)}
    tags: dict[tuple[str, str], tuple[list[str], list[str]]] = {pair: ([], []) for pair in pairs}
    labels: set[str] = set()
    fleiss_rows: list[dict[str, list[str]]] = []  # per document: reviewer -> tags
    per_document: list[DocumentAgreement] = []
    for doc in docs:
        reviewed = {
            name: annotations
            for name, (status, annotations) in doc.reviews.items()
            if status in wanted
        }
        if len(reviewed) < 2:
            continue
        doc_tags = {
            name: iob_tags(doc.tokens, ((s.token_start, s.token_end, s.label) for s in a.spans))
            for name, a in reviewed.items()
        }
        entities = {name: _span_keys(a) for name, a in reviewed.items()}
        relations = {name: _relation_keys(a) for name, a in reviewed.items()}
        labels.update(key[2] for keys in entities.values() for key in keys)
        overall = Overlap()
        for pair in combinations(sorted(reviewed), 2):
            result = pairs[pair]
            result.documents += 1
            result.tokens += doc.tokens
            first, second = pair
            for label, overlap in _by_label(entities[first], entities[second]).items():
                result.entities.setdefault(label, Overlap()).add(overlap)
                overall.add(overlap)
            for label, overlap in _by_label(relations[first], relations[second]).items():
                result.relations.setdefault(label, Overlap()).add(overlap)
            tags[pair][0].extend(doc_tags[first])
            tags[pair][1].extend(doc_tags[second])
        if len(reviewed) >= 3:
            fleiss_rows.append(doc_tags)
        per_document.append(
            DocumentAgreement(
                doc.id,
                doc.title,
                overall.f1 if overall.first + overall.second else 1.0,
                tuple(sorted(reviewed)),
            )
        )
    for pair, result in pairs.items():
        first_tags, second_tags = tags[pair]
        result.kappa = cohen_kappa(first_tags, second_tags)
        result.kappa_per_label = {
            label: cohen_kappa(_only(first_tags, label), _only(second_tags, label))
            for label in sorted(labels)
            if label in result.entities
        }
    report = Agreement(tuple(statuses), reviewers, list(pairs.values()))
    if len(reviewers) > 2 and fleiss_rows:
        report.fleiss = fleiss_kappa(_fleiss_table(fleiss_rows, None))
        report.fleiss_documents = len(fleiss_rows)
        report.fleiss_per_label = {
            label: fleiss_kappa(_fleiss_table(fleiss_rows, label)) for label in sorted(labels)
        }
    report.documents = sorted(per_document, key=lambda d: (d.f1, d.id))
    return report


def _span_keys(annotations: Annotations) -> set[_SpanKey]:
    return {(s.start, s.end, s.label) for s in annotations.spans}


def _relation_keys(annotations: Annotations) -> set[_RelationKey]:
    by_id = {s.id: (s.start, s.end, s.label) for s in annotations.spans}
    return {
        (by_id[r.head], by_id[r.child], r.label)
        for r in annotations.relations
        if r.head in by_id and r.child in by_id
    }


def _by_label(
    first: AbstractSet[tuple[object, ...]], second: AbstractSet[tuple[object, ...]]
) -> dict[str, Overlap]:
    """Overlaps per label of two sets of keys whose third item is the label."""
    labels = {str(key[2]) for key in (*first, *second)}
    return {
        label: compare((k for k in first if k[2] == label), (k for k in second if k[2] == label))
        for label in labels
    }


def _only(tags: Sequence[str], label: str) -> list[str]:
    """The tags of one label; the others' count as outside."""
    return [t if t[2:] == label else OUTSIDE for t in tags]


def _fleiss_table(
    documents: Sequence[Mapping[str, Sequence[str]]], label: str | None
) -> list[dict[str, int]]:
    table = []
    for doc_tags in documents:
        columns = list(doc_tags.values())
        if label is not None:
            columns = [_only(column, label) for column in columns]
        for item in zip(*columns, strict=True):
            table.append(dict(Counter(item)))
    return table


def _micro(table: Mapping[str, Overlap]) -> Overlap:
    total = Overlap()
    for overlap in table.values():
        total.add(overlap)
    return total


def _mean_of_pairs(pairs: Sequence[PairAgreement]) -> dict[str, object]:
    """The mean over pairs of p, r and f1 (micro and per label) and of kappa."""
    if not pairs:
        return {"micro": {"p": 0.0, "r": 0.0, "f1": 0.0}, "per_label": {}, "kappa": None}

    def mean(values: Sequence[float | None]) -> float | None:
        present = [v for v in values if v is not None]
        return sum(present) / len(present) if present else None

    def mean_prf(overlaps: Sequence[Overlap]) -> dict[str, float | None]:
        return {key: mean([getattr(o, key) for o in overlaps]) for key in ("p", "r", "f1")}

    labels = sorted({label for p in pairs for label in p.entities})
    relation_labels = sorted({label for p in pairs for label in p.relations})
    return {
        "micro": mean_prf([p.micro for p in pairs]),
        "per_label": {
            label: mean_prf([p.entities[label] for p in pairs if label in p.entities])
            for label in labels
        },
        "kappa": mean([p.kappa for p in pairs]),
        "relations": {
            "micro": mean_prf([p.relations_micro for p in pairs]),
            "per_label": {
                label: mean_prf([p.relations[label] for p in pairs if label in p.relations])
                for label in relation_labels
            },
        },
    }


# ---- the table ---------------------------------------------------------------


def format_table(report: Agreement, lowest: int = 10) -> str:
    statuses = ", ".join(s.value for s in report.statuses)
    pairs = report.compared_pairs()
    lines = [
        f"Agreement over {statuses} documents: {len(report.reviewers)} reviewers "
        f"({', '.join(report.reviewers) or 'none'}), {len(pairs)} pair"
        f"{'s' if len(pairs) != 1 else ''} with documents in common"
    ]
    if not pairs:
        lines.append("No document was reviewed by two reviewers with that status.")
        return "\n".join(lines)
    for pair in pairs:
        lines += ["", _pair_table(pair)]
    if len(pairs) > 1:
        mean = _mean_of_pairs(pairs)
        micro = mean["micro"]
        assert isinstance(micro, dict)
        lines += [
            "",
            f"Mean over the {len(pairs)} pairs: entities P {_pct(micro['p'])} "
            f"R {_pct(micro['r'])} F1 {_pct(micro['f1'])}, "
            f"Cohen's kappa {_num(mean['kappa'])}",  # type: ignore[arg-type]
        ]
    if report.fleiss_documents:
        lines.append(
            f"Fleiss' kappa (IOB tokens of the {_count(report.fleiss_documents, 'document')} "
            f"three or more reviewers reviewed): {_num(report.fleiss)}"
        )
    if report.documents:
        lines += ["", "Lowest agreement (entity F1 over the pairs that reviewed it):"]
        for doc in report.documents[:lowest]:
            lines.append(
                f"  {doc.id:>6}  {_pct(doc.f1):>6}  {doc.title[:60]}  ({', '.join(doc.reviewers)})"
            )
    return "\n".join(lines)


def _pair_table(pair: PairAgreement) -> str:
    a, b = pair.first, pair.second
    lines = [
        f"{a} and {b}: {_count(pair.documents, 'document')}, {_count(pair.tokens, 'token')} "
        f"(P: share of {b}'s spans that {a} has too; R: of {a}'s that {b} has)",
        f"  {'entities':<14} {'P':>7} {'R':>7} {'F1':>7} {'kappa':>7} {a[:8]:>8} {b[:8]:>8} "
        f"{'both':>6}",
    ]
    for label, o in sorted(pair.entities.items()):
        lines.append(_row(label, o, pair.kappa_per_label.get(label)))
    lines.append(_row("micro", pair.micro, pair.kappa))
    if pair.relations:
        lines.append(f"  {'relations':<14}")
        for label, o in sorted(pair.relations.items()):
            lines.append(_row(label, o, None))
        lines.append(_row("micro", pair.relations_micro, None))
    return "\n".join(lines)


def _row(name: str, o: Overlap, kappa: float | None) -> str:
    return (
        f"  {name:<14} {_pct(o.p):>7} {_pct(o.r):>7} {_pct(o.f1):>7} {_num(kappa):>7} "
        f"{o.first:>8} {o.second:>8} {o.both:>6}"
    )


def _pct(value: object) -> str:
    return f"{100 * value:.1f}" if isinstance(value, int | float) else "-"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _num(value: float | None) -> str:
    return f"{value:.3f}" if value is not None else "-"
