"""The ``annotator`` command (``python -m annotator`` runs the same): the parser
(parser.py), and one module per group of commands (data.py, train.py, window.py)."""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from annotator.cli.common import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    CliError,
    interrupt,
    reviewer_of,
)
from annotator.cli.parser import build_parser
from annotator.errors import AnnotatorError
from annotator.store import default_db_path

__all__ = ["CliError", "build_parser", "format_stats", "import_with_progress", "main"]


def __getattr__(name: str) -> object:
    """``format_stats`` and ``import_with_progress`` (annotator.cli.data), loaded
    when asked for: the window's start does not load the other commands."""
    if name in ("format_stats", "import_with_progress"):
        from annotator.cli import data

        return getattr(data, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    if args.command in ("import", "reannotate", "export", "stats", "eval", "keys", "formats") and (
        threading.current_thread() is threading.main_thread()
    ):
        signal.signal(signal.SIGTERM, interrupt)
    db_path: Path = getattr(args, "db", None) or default_db_path()
    try:
        reviewer = reviewer_of(args)
        if args.command == "import":
            from annotator.cli.data import import_command

            return import_command(db_path, args)
        if args.command == "reannotate":
            from annotator.cli.reannotate import reannotate_command

            return reannotate_command(db_path, args)
        if args.command == "stats":
            from annotator.cli.data import stats_command

            return stats_command(db_path, reviewer)
        if args.command == "export":
            from annotator.cli.data import export_command

            return export_command(db_path, args)
        if args.command == "eval":
            from annotator.cli.data import eval_command

            return eval_command(db_path, args)
        if args.command == "train":
            from annotator.cli.train import train_command

            return train_command(db_path, args)
        if args.command == "keys":
            from annotator.cli.data import keys_command

            return keys_command(db_path, getattr(args, "keymap", None), args.json, reviewer)
        if args.command == "formats":
            from annotator.cli.data import formats_command

            return formats_command(args.json)
        if args.command == "open":
            db_path = args.path
        from annotator.cli.window import start_window

        return start_window(
            db_path, getattr(args, "keymap", None), getattr(args, "trace_timings", None), reviewer
        )
    except AnnotatorError as exc:  # every problem we explain; anything else is a bug
        print(f"annotator: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # e.g. `annotator keys | head`: the reader has had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("annotator: interrupted; nothing half-written was left behind.", file=sys.stderr)
        return EXIT_INTERRUPTED
