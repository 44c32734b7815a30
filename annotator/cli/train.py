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
from annotator.store import Store


def train_command(db_path: Path, args: argparse.Namespace) -> int:
    """Fine-tune a pipeline's NER on the reviewed documents (annotator/nlp/training.py)."""
    from annotator.nlp.training import TrainingInterrupted, train_ner
    from annotator.train_runner import (
        gold_records,
        plan_training,
        record_trained,
        silver_documents,
    )

    if not db_path.exists():
        raise CliError(f"No database at {db_path}; import and review documents first.")
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupt)  # stopped like Ctrl+C
    statuses = statuses_of(args.status)

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    with Store.open(db_path, reviewer_of(args)) as store:
        plan = plan_training(
            store,
            statuses,
            args.output,
            args.base,
            dev=args.dev,
            max_steps=args.max_steps,
            seed=args.seed,
            overwrite=args.overwrite,
            rehearse=args.rehearse,
        )
        if plan.note:
            say(plan.note)
        try:
            result = train_ner(
                gold_records(store),
                plan.ids,
                plan.settings,
                lambda e: say(e.line()),
                say,
                silver=silver_documents(store, plan.ids, plan.settings.seed),
            )
        except TrainingInterrupted as stop:
            if stop.result is None:
                say(
                    f"annotator: interrupted after {stop.steps} steps, before a model was "
                    "scored; nothing was written."
                )
            else:
                model_id = record_trained(store, stop.result, statuses)
                say(
                    f"annotator: interrupted after {stop.steps} steps; the best model so far "
                    f"(step {stop.result.best_step}, {f_score(stop.result.scores)}) is in "
                    f"{stop.result.path}, recorded as model {model_id}."
                )
            return EXIT_INTERRUPTED
        model_id = record_trained(store, result, statuses)
    rehearsed = (
        f", rehearsing {len(result.silver_ids)} documents not reviewed" if result.silver_ids else ""
    )
    print(
        f"Trained {result.name} from {result.base}{rehearsed}: {f_score(result.scores)} on "
        f"{len(result.dev_ids)} dev documents (best at step {result.best_step} of "
        f"{result.steps}). Saved to {result.path}, recorded as model {model_id}."
    )
    print(f"Pre-annotate with it: annotator import --model {result.path} FILE...")
    return EXIT_OK
