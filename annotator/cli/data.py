"""The commands on data: import, export, eval, stats, formats, keys."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from annotator.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_SOME_FAILED,
    CliError,
    f_score,
    reviewer_of,
    statuses_of,
)
from annotator.cli.parser_annotate import processes_of
from annotator.formats.options import OPTIONS as FORMAT_OPTIONS
from annotator.model import Layer, Status
from annotator.store import (
    Store,
)
from annotator.store.connection import insert_labels


def import_command(db_path: Path, args: argparse.Namespace) -> int:
    if args.batch_size < 1:
        raise CliError("--batch-size must be at least 1.")
    with Store.open(db_path, reviewer_of(args)) as store:
        if args.labels:
            with store.db.atomic():
                from annotator.labels import load_labels

                insert_labels(store.db, load_labels(args.labels))
        code = import_with_progress(
            store,
            args.paths,
            args.model,
            args.strict,
            args.batch_size,
            args.relation_rules,
            args.to_gold,
            processes_of(args.jobs),
        )
        print(f"Database: {store.path}")
        return code


def import_with_progress(
    store: Store,
    paths: Sequence[Path],
    model: str | None,
    strict: bool = False,
    batch_size: int = 64,
    relation_rules: Path | None = None,
    to_gold: bool = False,
    processes: int = 1,
) -> int:
    """Plan, load the pipeline, import with a progress bar, print a summary;
    ``processes`` above 1 runs the pipeline in that many worker processes."""
    # spaCy is imported here, not at module level: `annotator stats` and the
    # window must start without paying for it.
    from tqdm import tqdm

    from annotator.importer import Analyser, ImportAborted, ImportReport, plan_import, run_import

    plan = plan_import(store, paths)
    for problem in plan.problems:
        print(f"problem: {problem}", file=sys.stderr)
    if strict and plan.problems:
        raise CliError(str(ImportAborted(plan.problems)).splitlines()[0])
    report = ImportReport(duplicates=plan.duplicates, failed_files=len(plan.failed_files))
    if plan.new_documents:
        pipeline: Analyser | None = None
        if plan.needs_pipeline:
            from annotator.nlp.pipeline import ModelNotFoundError, Pipeline
            from annotator.nlp.relations import RelationRuleError

            print(f"Loading spaCy pipeline {model or '(default)'}…", file=sys.stderr)
            try:
                pipeline = Pipeline.load(model, relation_rules, processes)
            except (ModelNotFoundError, RelationRuleError) as exc:
                raise CliError(str(exc)) from exc
            in_processes = f" in {processes} processes" if processes > 1 else ""
            print(f"Pipeline: {pipeline.name}{in_processes}", file=sys.stderr)
            # pre-annotated spans must fall on this pipeline's token boundaries
            shown = {str(p) for p in plan.problems}
            plan = plan_import(store, paths, pipeline)
            for problem in plan.problems:
                if str(problem) not in shown:
                    print(f"problem: {problem}", file=sys.stderr)
            if strict and plan.problems:
                raise CliError(str(ImportAborted(plan.problems)).splitlines()[0])
        else:
            print(
                "Pipeline: none run (every new document brings its pipeline's analysis, "
                "as `annotator annotate` writes it)",
                file=sys.stderr,
            )
        bar = tqdm(total=plan.new_documents, unit="doc", desc="Importing", file=sys.stderr)
        try:
            report = run_import(
                store,
                pipeline,
                paths,
                batch_size=batch_size,
                plan=plan,
                progress=bar.update,
                to_gold=to_gold,
            )
        except KeyboardInterrupt:
            print(
                "Interrupted. Documents committed so far are kept; run the same command "
                "again to import the rest (duplicates are skipped).",
                file=sys.stderr,
            )
            return EXIT_INTERRUPTED
        finally:
            bar.close()
    print(f"Import finished: {report.summary()}.")
    return EXIT_SOME_FAILED if report.failed_files else EXIT_OK


def export_command(db_path: Path, args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from annotator.export_options import ExportError, ExportOptions, parse_ids
    from annotator.exporter import export

    if not db_path.exists():
        raise CliError(f"No database at {db_path}.")
    try:
        options = ExportOptions(
            format=args.format,
            layer=args.layer,
            statuses=statuses_of(args.status),
            ids=parse_ids(args.ids),
            search=args.search,
            split=args.split,
            seed=args.seed,
            format_options=format_options_of(args),
        )
        # read-only: an export only reads the database (its files go to OUT)
        with Store.open_to_read(db_path, reviewer_of(args)) as store:
            bar = tqdm(unit="doc", desc="Exporting", file=sys.stderr)

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            try:
                report = export(store, args.output, options, progress)
            finally:
                bar.close()
    except ExportError as exc:
        raise CliError(str(exc)) from exc
    files = ", ".join(str(f) for f in report.files)
    for warning in report.warnings:
        print(f"annotator: warning: {warning}", file=sys.stderr)
    print(f"Exported {report.documents} documents ({args.format}, {args.layer}) to {files}.")
    return EXIT_OK


def format_options_of(args: argparse.Namespace) -> tuple[tuple[str, str], ...]:
    """The format options given on the command line, as (name, value) pairs."""
    given = []
    for option in FORMAT_OPTIONS:
        value = getattr(args, option.name, None)
        if value is not None and value is not False:
            given.append((option.name, "1" if value is True else str(value)))
    return tuple(given)


def eval_command(db_path: Path, args: argparse.Namespace) -> int:
    import json

    from annotator.cli import rule_eval
    from annotator.evaluate import evaluate, format_table

    rule_eval.check_rule_options(args)
    if not db_path.exists():
        raise CliError(f"No database at {db_path}.")
    with Store.open_to_read(db_path, reviewer_of(args)) as store:
        ids = sorted(i for status in statuses_of(args.status) for i in store.document_ids(status))
        if args.relations_by_rule:
            table = rule_eval.rule_table(store, ids, args.relation_rules)
        else:
            result = evaluate(store.load_document(i) for i in ids)
    if args.relations_by_rule:  # the rules file is written with the database closed
        return rule_eval.report(table, args)
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
    else:
        print(format_table(result))
    return EXIT_OK


def stats_command(db_path: Path, args: argparse.Namespace) -> int:
    if not db_path.exists():
        raise CliError(f"No database at {db_path}; import something first.")
    with Store.open_to_read(db_path, reviewer_of(args)) as store:
        print(format_stats(store))
    return EXIT_OK


def format_stats(store: Store) -> str:
    stats = store.stats()
    lines = [f"Database: {store.path}", f"Documents: {stats.documents}"]
    lines += [f"  {status.value:<9} {n:>8}" for status, n in stats.by_status.items()]
    # model and gold always; a team database adds final and reviewer:NAME
    extra = [layer for layer in stats.layers if layer not in (Layer.MODEL, Layer.GOLD)]
    tables = (("Entities", stats.spans_by_label), ("Relations", stats.relations_by_label))
    for title, table in tables:
        model, gold = table[Layer.MODEL], table[Layer.GOLD]
        others = [table.get(layer, {}) for layer in extra]
        labels = sorted(set(model).union(gold, *others))
        lines.append(
            f"{title}: {'label':<14} {'model':>8} {'gold':>8}" + _stats_columns(extra, extra)
        )
        if not labels:
            lines.append("  (none)")
        for label in labels:
            lines.append(
                f"  {label:<22} {model.get(label, 0):>8} {gold.get(label, 0):>8}"
                + _stats_columns(extra, [t.get(label, 0) for t in others])
            )
        lines.append(
            f"  {'total':<22} {sum(model.values()):>8} {sum(gold.values()):>8}"
            + _stats_columns(extra, [sum(t.values()) for t in others])
        )
    if stats.reviews:  # a team database: who reviewed how many documents, by status
        statuses = list(Status)
        lines.append(
            f"Reviews: {'reviewer':<15}"
            + "".join(f" {s.value:>8}" for s in statuses)
            + f" {'total':>8}"
        )
        for reviewer, counts in stats.reviews.items():
            lines.append(
                f"  {reviewer:<22}"
                + "".join(f" {counts.get(s, 0):>8}" for s in statuses)
                + f" {sum(counts.values()):>8}"
            )
    from annotator.store.models import list_models

    models = list_models(store)  # trained by `annotator train`
    if models:
        lines.append(f"Models: {len(models)}")
    for entry in models:
        m = entry.model
        stopped = ", interrupted" if m.interrupted else ""
        lines.append(
            f"  {entry.id:>3}  {m.path}  {entry.created_at[:16]}  from {m.base}, "
            f"{m.documents} documents, {f_score(m.scores)}{stopped}"
        )
    return "\n".join(lines)


def _stats_columns(layers: Sequence[str], values: Sequence[object]) -> str:
    """The columns of ``stats`` after model and gold: one per layer, as wide as
    its name (at least 8)."""
    return "".join(
        f" {value!s:>{max(8, len(layer))}}" for layer, value in zip(layers, values, strict=True)
    )


def formats_command(db_path: Path, args: argparse.Namespace) -> int:
    """The format table (annotator/formats/registry.py), for people and scripts."""
    from annotator.formats.options import get_option
    from annotator.formats.registry import FORMATS as TABLE
    from annotator.formats.registry import Format

    def writes(f: Format) -> str:
        return "a folder" if f.folder else f"a {f.suffix} file"

    if args.json:
        rows = [
            {
                "name": f.name,
                "title": f.title,
                "writes": writes(f),
                "imports": f.imports,
                "splits": f.splits,
                "options": [get_option(o).flag for o in f.options],
            }
            for f in TABLE
        ]
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    width = max(len(f.title) for f in TABLE)
    for f in TABLE:
        extras = ["import" if f.imports else "export only"]
        extras += ["--split"] if f.splits else []
        extras += [get_option(o).flag for o in f.options]
        print(f"{f.name:<12} {f.title:<{width}} {writes(f):<14} {', '.join(extras)}")
    return EXIT_OK


def keys_command(db_path: Path, args: argparse.Namespace) -> int:
    """The keymap the window would use on this database (its label hotkeys)."""
    from annotator.ui.keymap import KeymapError, effective_keymap, keymap_rows

    with Store.open(db_path, reviewer_of(args)) as store:
        labels = store.labels()
    try:
        rows = keymap_rows(effective_keymap(labels, getattr(args, "keymap", None)))
    except KeymapError as exc:
        raise CliError(str(exc)) from exc
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return EXIT_OK
    width = max(len(r["id"]) for r in rows)
    for row in rows:
        keys = ", ".join(row["keys"]) or "(none)"
        mode = "" if row["mode"] == "always" else f"  [{row['mode']} keys]"
        print(f"{row['id']:<{width}}  {keys:<22} {row['text']}{mode}")
    return EXIT_OK
