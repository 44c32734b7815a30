"""How much is left to settle in each document of a team database, read through
the store: what the adjudication window lists and orders N / P by
(annotator/ui/adjudicating.py)."""

from __future__ import annotations

from collections.abc import Callable

from annotator.adjudication import (
    compare_layers,
    open_disagreements,
    open_relation_disagreements,
)
from annotator.model import Annotations, Layer, Span, Status
from annotator.store import Store


def compared_reviews(store: Store, doc_id: int) -> dict[str, Annotations]:
    """The layers compared: the reviewers who accepted the document, or, when none
    did, every reviewer of it."""
    reviews = store.reviews_of(doc_id)
    accepted = {r: a for r, (s, a) in reviews.items() if s is Status.ACCEPTED}
    return accepted or {r: a for r, (_, a) in reviews.items()}


def left_to_settle(store: Store, doc_id: int) -> int:
    """How many disagreements of a document, of spans and of relations, are open."""
    settled = store.settled_regions(doc_id)
    comparison = compare_layers(compared_reviews(store, doc_id), store.final_seed(doc_id), settled)
    if not comparison.disagreements and not comparison.relation_disputes:
        return 0
    layer = store.annotations(doc_id, Layer.FINAL)
    final = sorted(layer.spans, key=_start)
    left = len(open_disagreements(comparison, final, settled))
    if comparison.relation_disputes:
        pairs = store.settled_pairs(doc_id)
        disputes = comparison.relation_disputes
        left += len(open_relation_disagreements(disputes, final, layer.relations, pairs))
    return left


def most_left_first(store: Store, left_of: Callable[[int], int]) -> list[int]:
    """Every document, most left to settle first (then by id): the list's order."""
    lefts = [(left_of(d), d) for d in store.document_ids()]
    return [d for _, d in sorted(lefts, key=lambda e: (-e[0], e[1]))]


def _start(span: Span) -> int:
    return span.start
