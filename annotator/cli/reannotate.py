"""annotator reannotate: run another pipeline over the documents not yet reviewed."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from annotator.cli.common import EXIT_INTERRUPTED, EXIT_OK, CliError, reviewer_of, statuses_of
from annotator.store import Store


def model_source(model: str) -> str:
    """What ``--model`` names, as recorded: a folder as its absolute path (the same
    folder named from elsewhere is the same source), else the name as given."""
    if not model.startswith("blank:") and Path(model).exists():
        return str(Path(model).resolve())
    return model


def reannotate_command(db_path: Path, args: argparse.Namespace) -> int:
    """Re-annotate with a progress bar; Ctrl+C keeps the documents committed so far."""
    # spaCy is imported here: the other commands start without paying for it
    from tqdm import tqdm

    from annotator.nlp.pipeline import ModelNotFoundError, Pipeline
    from annotator.nlp.relations import RelationRuleError
    from annotator.reannotate import ReannotationReport, plan_reannotation, run_reannotation

    if args.batch_size < 1:
        raise CliError("--batch-size must be at least 1.")
    if not db_path.exists():
        raise CliError(f"No database at {db_path}; import something first.")
    statuses = statuses_of(args.status)
    source = model_source(args.model)
    with Store.open(db_path, reviewer_of(args)) as store:
        print(f"Loading spaCy pipeline {args.model}…", file=sys.stderr)
        try:
            pipeline = Pipeline.load(args.model, args.relation_rules)
        except (ModelNotFoundError, RelationRuleError) as exc:
            raise CliError(str(exc)) from exc
        print(f"Pipeline: {pipeline.name}", file=sys.stderr)
        plan = plan_reannotation(store, pipeline.name, source, statuses)
        report = ReannotationReport(skipped=plan.already_done)
        if plan.to_do:
            bar = tqdm(total=len(plan.to_do), unit="doc", desc="Re-annotating", file=sys.stderr)
            try:
                report = run_reannotation(
                    store,
                    pipeline,
                    source,
                    statuses,
                    batch_size=args.batch_size,
                    plan=plan,
                    progress=bar.update,
                )
            except KeyboardInterrupt:
                bar.close()
                print(
                    f"Interrupted after {bar.n} documents; they are kept. Run the same "
                    "command again to re-annotate the rest (done ones are skipped).",
                    file=sys.stderr,
                )
                return EXIT_INTERRUPTED
            finally:
                bar.close()
    print(f"{report.summary()}.")
    return EXIT_OK
