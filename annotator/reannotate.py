"""Re-annotate stored documents with another pipeline (``annotator reannotate``).

The documents keep their tokens; the pipeline predicts on them
(annotator.nlp.pretokenized) and each document's result is stored in its own
transaction by ``Store.reannotate``: the model layer is replaced, the gold
layer too where no reviewer has touched it (annotator/store/reannotation.py
says exactly when), and an audit row is written.

Resumable: the store records the pipeline (and the ``--model`` it came from) in
the document's meta, and documents whose model layer already comes from this
pipeline are skipped. A run stopped by Ctrl+C or a kill keeps the documents
committed so far; running it again does the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from annotator.model import Analysis, Status, Tokens
from annotator.store import Store

DEFAULT_BATCH_SIZE = 64
K = TypeVar("K")


class Reannotator(Protocol):
    """What re-annotation needs from the NLP layer (annotator.nlp.pipeline.Pipeline)."""

    name: str

    def analyse_tokens(
        self, items: Iterable[tuple[K, str, Tokens]], batch_size: int = ...
    ) -> Iterator[tuple[K, Analysis]]: ...


@dataclass(slots=True)
class ReannotationPlan:
    """The selected documents: those to do, and how many are already done."""

    to_do: list[int]
    already_done: int


@dataclass(slots=True)
class ReannotationReport:
    reannotated: int = 0
    gold_replaced: int = 0
    gold_kept: int = 0
    skipped: int = 0

    def summary(self) -> str:
        return (
            f"Re-annotated {self.reannotated} document{'s' if self.reannotated != 1 else ''} "
            f"({self.gold_replaced} gold layers replaced, {self.gold_kept} kept: reviewed), "
            f"skipped {self.skipped} already done"
        )


def plan_reannotation(
    store: Store, pipeline: str, source: str, statuses: Sequence[Status] = (Status.TODO,)
) -> ReannotationPlan:
    """The documents with ``statuses`` whose model layer does not yet come from
    ``pipeline`` loaded from ``source``."""
    candidates = store.reannotation_candidates(statuses)
    to_do = [c.doc_id for c in candidates if not c.done_by(pipeline, source)]
    return ReannotationPlan(to_do, len(candidates) - len(to_do))


def run_reannotation(
    store: Store,
    pipeline: Reannotator,
    source: str,
    statuses: Sequence[Status] = (Status.TODO,),
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    plan: ReannotationPlan | None = None,
    progress: Callable[[int], None] | None = None,
) -> ReannotationReport:
    """Re-annotate the planned documents, one transaction each; ``progress(1)``
    is called after each commit. ``source`` is what the pipeline was loaded from
    (recorded, and part of what makes a document done)."""
    plan = plan or plan_reannotation(store, pipeline.name, source, statuses)
    report = ReannotationReport(skipped=plan.already_done)

    def items() -> Iterator[tuple[int, str, Tokens]]:
        for doc_id in plan.to_do:
            document = store.load_document(doc_id)
            yield doc_id, document.text, document.tokens

    for doc_id, analysis in pipeline.analyse_tokens(items(), batch_size):
        done = store.reannotate(
            doc_id,
            analysis.spans,
            analysis.relations,
            pipeline.name,
            source,
            pos=analysis.pos,
        )
        report.reannotated += 1
        if done.gold_replaced:
            report.gold_replaced += 1
        else:
            report.gold_kept += 1
        if progress:
            progress(1)
    return report
