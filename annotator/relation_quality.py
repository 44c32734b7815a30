"""Precision and recall of proposed relations against gold relations (pure).

A proposed relation counts as correct when its label and both argument spans
(character offsets) match a gold relation; for an undirected label the order of
the arguments does not matter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

Arg = tuple[int, int]
Key = tuple[Arg, str, Arg]


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


def score_relations(
    proposed: Iterable[Key], gold: Iterable[Key], undirected: Iterable[str] = ()
) -> Scores:
    symmetric = set(undirected)

    def norm(key: Key) -> Key:
        head, label, child = key
        return (min(head, child), label, max(head, child)) if label in symmetric else key

    found = {norm(k) for k in proposed}
    expected = {norm(k) for k in gold}
    return Scores(len(found & expected), len(found), len(expected))
