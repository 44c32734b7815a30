"""annotator train: fine-tune a pipeline's NER on the reviewed documents."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from annotator.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    CliError,
    f_score,
    interrupt,
    reviewer_of,
    statuses_of,
)
from annotator.model import Layer
from annotator.store import (
    Store,
)


def train_command(db_path: Path, args: argparse.Namespace) -> int:
    """Fine-tune a pipeline's NER on the reviewed documents (annotator/nlp/training.py)."""
    from annotator.formats.records import Record, record_from_document
    from annotator.nlp.training import TrainingInterrupted, TrainResult, train_ner
    from annotator.nlp.training_setup import MIN_DOCUMENTS, TrainSettings, default_base
    from annotator.store.models import NewModel, list_models, pipelines_of, record_model

    if not db_path.exists():
        raise CliError(f"No database at {db_path}; import and review documents first.")
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupt)  # stopped like Ctrl+C
    statuses = statuses_of(args.status)

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    with Store.open(db_path, reviewer_of(args)) as store:
        ids = sorted(i for status in statuses for i in store.document_ids(status))
        if len(ids) < MIN_DOCUMENTS:
            raise CliError(
                f"Training needs at least {MIN_DOCUMENTS} "
                f"{' or '.join(s.value for s in statuses)} documents (one to learn from, one "
                f"to score the model on); {store.path} has {len(ids)}."
            )
        models = list_models(store)
        base = args.base
        if base is None:
            trained = {entry.model.name: entry.model.path for entry in models}
            base, note = default_base(pipelines_of(store, statuses), trained)
            if note:
                say(note)
        settings = TrainSettings(
            output=args.output,
            base=base,
            dev=args.dev,
            max_steps=args.max_steps,
            seed=args.seed,
            overwrite=args.overwrite,
            version=f"0.0.{len(models) + 1}",
            provenance={
                "database": str(store.path),
                "statuses": [s.value for s in statuses],
                "layer": Layer.GOLD.value,
            },
        )

        def load(doc_id: int) -> Record:
            return record_from_document(store.load_document(doc_id), Layer.GOLD, {})

        def record(result: TrainResult) -> int:
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
                ),
            )

        try:
            result = train_ner(load, ids, settings, lambda e: say(e.line()), say)
        except TrainingInterrupted as stop:
            if stop.result is None:
                say(
                    f"annotator: interrupted after {stop.steps} steps, before a model was "
                    "scored; nothing was written."
                )
            else:
                model_id = record(stop.result)
                say(
                    f"annotator: interrupted after {stop.steps} steps; the best model so far "
                    f"(step {stop.result.best_step}, {f_score(stop.result.scores)}) is in "
                    f"{stop.result.path}, recorded as model {model_id}."
                )
            return EXIT_INTERRUPTED
        model_id = record(result)
    print(
        f"Trained {result.name} from {result.base}: {f_score(result.scores)} on "
        f"{len(result.dev_ids)} dev documents (best at step {result.best_step} of "
        f"{result.steps}). Saved to {result.path}, recorded as model {model_id}."
    )
    print(f"Pre-annotate with it: annotator import --model {result.path} FILE...")
    return EXIT_OK
