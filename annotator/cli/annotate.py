"""annotator annotate: pre-annotate texts into JSONL gold, without a database."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from annotator.cli.common import EXIT_INTERRUPTED, EXIT_OK, EXIT_SOME_FAILED, CliError
from annotator.cli.parser_annotate import processes_of


def annotate_command(db_path: Path, args: argparse.Namespace) -> int:
    """Plan, load the pipeline, annotate with a progress bar, print a summary."""
    # spaCy is imported here: the other commands start without paying for it
    from tqdm import tqdm

    from annotator.nlp.pipeline import ModelNotFoundError, Pipeline
    from annotator.nlp.relations import RelationRuleError
    from annotator.preannotate import plan_annotation, run_annotation

    if args.batch_size < 1:
        raise CliError("--batch-size must be at least 1.")
    output: Path = args.output
    if output.is_dir():
        raise CliError(f"--output {output} is a folder; give the JSONL file to write.")
    plan = plan_annotation(args.paths)
    if output.exists() and any(output.samefile(f) for f in plan.files if f.exists()):
        raise CliError(f"--output {output} is one of the inputs; write to another file.")
    for problem in plan.problems:
        print(f"problem: {problem}", file=sys.stderr)
    if args.strict and plan.problems:
        raise CliError(
            f"Annotation aborted, nothing was written: {len(plan.problems)} "
            f"problem{'s' if len(plan.problems) != 1 else ''} (listed above)."
        )
    if not plan.documents:
        raise CliError("No documents to annotate; nothing was written.")
    processes = processes_of(args.jobs)
    print(f"Loading spaCy pipeline {args.model or '(default)'}…", file=sys.stderr)
    try:
        pipeline = Pipeline.load(args.model, args.relation_rules, processes)
    except (ModelNotFoundError, RelationRuleError) as exc:
        raise CliError(str(exc)) from exc
    in_processes = f" in {processes} processes" if processes > 1 else ""
    print(f"Pipeline: {pipeline.name}{in_processes}", file=sys.stderr)
    bar = tqdm(total=plan.documents, unit="doc", desc="Annotating", file=sys.stderr)
    try:
        report = run_annotation(
            pipeline, plan, output, batch_size=args.batch_size, progress=bar.update
        )
    except KeyboardInterrupt:
        bar.close()
        print(f"Interrupted: {output} was not written.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:  # the output's folder cannot be written, the disk is full
        raise CliError(f"Cannot write {output}: {exc.strerror or exc}.") from exc
    finally:
        bar.close()
    for problem in report.problems:
        print(f"problem: {problem}", file=sys.stderr)
    failed = len(plan.failed_files) + len({p.path for p in report.problems})
    skipped = f"; skipped {failed} file{'s' if failed != 1 else ''} with problems" if failed else ""
    print(
        f"Annotated {report.written} document{'s' if report.written != 1 else ''} with "
        f"{pipeline.name} into {output}{skipped}. Store them with: annotator import {output}"
    )
    return EXIT_SOME_FAILED if failed else EXIT_OK
