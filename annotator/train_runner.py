"""Training on the reviews and re-annotating with the result, for ``annotator
train`` and for the window's "Train on my reviews…" (each run on a database
connection of its own; spaCy is imported when a job runs, never at start-up).

- ``plan_training``, ``silver_documents`` and ``record_trained``: what the
  command and the window share around annotator.nlp.training (the documents,
  the base, the documents to rehearse, the models table).
- ``training_for``: the window's trainer and re-annotator (annotator.train_options).

The window imports this module before its first paint: what the jobs need is
imported when they run.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from annotator.model import Document, Layer, Span, Status
from annotator.store import Store

if TYPE_CHECKING:
    from annotator.formats.records import Record
    from annotator.nlp.rehearsal import SilverDocument
    from annotator.nlp.training import TrainResult
    from annotator.nlp.training_progress import Evaluation
    from annotator.nlp.training_setup import TrainSettings
    from annotator.train_options import (
        ReannotateOutcome,
        Training,
        TrainingMonitor,
        TrainOutcome,
        TrainRequest,
        TrainScore,
    )


class TrainingPlan(NamedTuple):
    ids: list[int]  # the documents to learn from and score on
    settings: TrainSettings
    note: str  # about the base chosen ("" when there is nothing to say)


def plan_training(
    store: Store,
    statuses: Sequence[Status],
    output: Path,
    base: str | None,
    *,
    dev: float = 0.2,
    max_steps: int | None = None,
    seed: int = 0,
    overwrite: bool = False,
    rehearse: float | None = None,
) -> TrainingPlan:
    """The documents with ``statuses`` and the settings to train on them; ``base``
    None: the pipeline that pre-annotated them; ``rehearse`` None: the default
    ratio of silver documents. Raises TrainingError when there are too few
    documents."""
    from annotator.nlp.training_setup import (
        DEFAULT_MAX_STEPS,
        MIN_DOCUMENTS,
        TrainingError,
        TrainSettings,
        default_base,
    )
    from annotator.store.models import list_models, pipelines_of

    ids = sorted(i for status in statuses for i in store.document_ids(status))
    if len(ids) < MIN_DOCUMENTS:
        raise TrainingError(
            f"Training needs at least {MIN_DOCUMENTS} "
            f"{' or '.join(s.value for s in statuses)} documents (one to learn from, one "
            f"to score the model on); {store.path} has {len(ids)}."
        )
    models = list_models(store)
    note = ""
    if base is None:
        trained = {entry.model.name: entry.model.path for entry in models}
        base, note = default_base(pipelines_of(store, statuses), trained)
    settings = TrainSettings(
        output=output,
        base=base,
        dev=dev,
        max_steps=DEFAULT_MAX_STEPS if max_steps is None else max_steps,
        seed=seed,
        overwrite=overwrite,
        rehearse=default_rehearse() if rehearse is None else rehearse,
        version=f"0.0.{len(models) + 1}",
        provenance={
            "database": str(store.path),
            "statuses": [s.value for s in statuses],
            "layer": Layer.GOLD.value,
        },
    )
    return TrainingPlan(ids, settings, note)


def gold_records(store: Store) -> Callable[[int], Record]:
    """The documents' gold layer, as training reads it."""
    from annotator.formats.records import record_from_document

    def load(doc_id: int) -> Record:
        return record_from_document(store.load_document(doc_id), Layer.GOLD, {})

    return load


# a sentence a reviewed document shares with one not reviewed keeps the latter out of
# rehearsal when it has at least this many tokens (not "Advertisement", "Reuters .")
MIN_SHARED_TOKENS = 5


def silver_documents(store: Store, reviewed: Sequence[int], seed: int) -> Iterator[SilverDocument]:
    """The documents training may rehearse with the base's predictions, in a
    seeded random order, loaded one at a time as training asks for them: status
    todo (and no team reviewer's decision on them), untouched (their gold layer
    is still their model layer), and sharing no sentence with the ``reviewed``
    documents, whose gold keeps priority."""
    from annotator.formats.records import FormatError, record_from_document
    from annotator.nlp.rehearsal import SilverDocument

    decided = {s.doc_id for s in store.reviewer_statuses() if s.status is not Status.TODO}
    candidates = [
        c for c in store.reannotation_candidates([Status.TODO]) if c.doc_id not in decided
    ]
    if not candidates:
        return
    random.Random(seed).shuffle(candidates)
    known = set(reviewed)
    seen: set[str] = set()
    for doc_id in reviewed:
        seen |= _sentences(store.load_document(doc_id))
    for candidate in candidates:
        if candidate.doc_id in known:
            continue
        document = store.load_document(candidate.doc_id)
        if _keys(document.model.spans) != _keys(document.gold.spans):
            continue  # a reviewer has begun on it
        if _sentences(document) & seen:
            continue
        try:
            record = record_from_document(document, Layer.MODEL, {})
        except FormatError:
            continue  # a stored span off its tokens: nothing to learn from it
        yield SilverDocument(record, candidate.pipeline, candidate.source)


def _keys(spans: Sequence[Span]) -> set[tuple[int, int, str]]:
    return {(s.start, s.end, s.label) for s in spans}


def _sentences(document: Document) -> set[str]:
    """The document's sentences of at least MIN_SHARED_TOKENS tokens, spaces normalised."""
    tokens, text = document.tokens, document.text
    starts = [*sorted(set(document.sentence_starts) | {0}), len(tokens)]
    found = set()
    for first, stop in pairwise(starts):
        if stop <= first:
            continue
        words = [text[tokens.starts[i] : tokens.ends[i]] for i in range(first, stop)]
        words = [w for w in words if w.strip()]
        if len(words) >= MIN_SHARED_TOKENS:
            found.add(" ".join(words))
    return found


def record_trained(store: Store, result: TrainResult, statuses: Sequence[Status]) -> int:
    """Add the trained pipeline to the models table; returns its id."""
    from annotator.store.models import NewModel, record_model

    return record_model(
        store,
        NewModel(
            path=str(result.path),
            name=result.name,
            base=result.base,
            documents=len(result.train_ids) + len(result.dev_ids),
            train_documents=len(result.train_ids),
            dev_documents=len(result.dev_ids),
            statuses=tuple(s.value for s in statuses),
            steps=result.steps,
            labels=result.labels,
            scores={**result.scores, "best_step": result.best_step},
            interrupted=result.interrupted,
            silver_documents=len(result.silver_ids),
        ),
    )


def model_source(model: Path) -> str:
    """A pipeline folder as re-annotation records it (``annotator reannotate
    --model DIR`` records the same, so either resumes the other)."""
    return str(model.resolve())


# ---- the window's jobs -------------------------------------------------------------

WINDOW_STATUSES = (Status.ACCEPTED,)  # what the window trains on
TO_REANNOTATE = (Status.TODO,)  # what it offers to re-annotate


def training_for(db_path: Path) -> Training:
    """The window's trainer and re-annotator over the database at ``db_path``."""
    return WindowTraining(db_path)


class WindowTraining:
    """``annotator.train_options.Training`` over one database: each job opens a
    connection of its own, in the thread it runs in."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path

    def train(self, request: TrainRequest, monitor: TrainingMonitor) -> TrainOutcome:
        from annotator.nlp.training import TrainingInterrupted, train_ner
        from annotator.reannotate import plan_reannotation
        from annotator.train_options import TrainOutcome

        with Store.open(self.db_path, request.actor) as store:
            plan = plan_training(
                store,
                WINDOW_STATUSES,
                request.output,
                request.base,
                max_steps=request.max_steps,
                rehearse=request.rehearse,
            )
            if plan.note:
                monitor.said(plan.note)
            total = plan.settings.max_steps

            def say(text: str) -> None:  # the window's way to stop is its Cancel button
                monitor.said(text.replace("Ctrl+C stops", "Cancel stops"))

            def step(done: int) -> None:
                monitor.step(done, total)
                if monitor.stopping():
                    raise KeyboardInterrupt  # as Ctrl+C: spaCy's loop stops, the best is kept

            def scored(evaluation: Evaluation) -> None:
                monitor.scored(_score(evaluation))

            try:
                result = train_ner(
                    gold_records(store),
                    plan.ids,
                    plan.settings,
                    scored,
                    say,
                    step,
                    silver_documents(store, plan.ids, plan.settings.seed),
                )
            except TrainingInterrupted as stop:
                if stop.result is None:
                    return TrainOutcome(None, None, steps=stop.steps, interrupted=True)
                result = stop.result
            model_id = record_trained(store, result, WINDOW_STATUSES)
            todo = plan_reannotation(store, result.name, model_source(result.path), TO_REANNOTATE)
            return TrainOutcome(
                path=result.path,
                model_id=model_id,
                name=result.name,
                base=result.base,
                scores={k: float(v) for k, v in result.scores.items() if k != "ents_per_type"},
                best_step=result.best_step,
                steps=result.steps,
                train_documents=len(result.train_ids),
                dev_documents=len(result.dev_ids),
                silver_documents=len(result.silver_ids),
                interrupted=result.interrupted,
                to_reannotate=len(todo.to_do),
            )

    def reannotate(
        self,
        model: Path,
        actor: str | None,
        progress: Callable[[int, int], None],
        stop: Callable[[], bool],
    ) -> ReannotateOutcome:
        from annotator.nlp.pipeline import Pipeline
        from annotator.reannotate import plan_reannotation, run_reannotation
        from annotator.train_options import ReannotateOutcome

        source = model_source(model)
        with Store.open(self.db_path, actor) as store:
            pipeline = Pipeline.load(source)
            plan = plan_reannotation(store, pipeline.name, source, TO_REANNOTATE)
            done = 0
            progress(0, len(plan.to_do))

            def advance(n: int) -> None:
                nonlocal done
                done += n
                progress(done, len(plan.to_do))
                if stop():
                    raise KeyboardInterrupt  # between documents: the committed ones stay

            try:
                report = run_reannotation(
                    store, pipeline, source, TO_REANNOTATE, plan=plan, progress=advance
                )
            except KeyboardInterrupt:
                return ReannotateOutcome(
                    f"Stopped after re-annotating {done} of {len(plan.to_do)} documents; "
                    "the rest are as they were",
                    tuple(plan.to_do[:done]),
                    stopped=True,
                )
            return ReannotateOutcome(report.summary(), tuple(plan.to_do))


def _score(evaluation: Evaluation) -> TrainScore:
    from annotator.train_options import TrainScore

    return TrainScore(
        step=evaluation.step,
        loss=evaluation.loss,
        f=evaluation.scores.get("ents_f", 0.0),
        p=evaluation.scores.get("ents_p", 0.0),
        r=evaluation.scores.get("ents_r", 0.0),
        best=evaluation.best,
    )


def default_rehearse() -> float:
    """train_options.DEFAULT_REHEARSE, imported when a training is planned: the
    window imports this module before its first paint, and train_options'
    classes are not worth their import time then."""
    from annotator.train_options import DEFAULT_REHEARSE

    return DEFAULT_REHEARSE
