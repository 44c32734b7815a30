"""The ``annotator`` command (``python -m annotator`` runs the same): the parser
(parser.py), and one module per group of commands (data.py, train.py, window.py)."""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from annotator import startup
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

# command -> "module:function" in annotator/cli, called with (database, arguments)
COMMANDS: dict[str | None, str] = {
    "import": "data:import_command",
    "annotate": "annotate:annotate_command",
    "reannotate": "reannotate:reannotate_command",
    "stats": "data:stats_command",
    "export": "data:export_command",
    "eval": "data:eval_command",
    "train": "train:train_command",
    "keys": "data:keys_command",
    "formats": "data:formats_command",
    "merge": "team:merge_command",
    "agreement": "team:agreement_command",
    "adjudicate": "team:adjudicate_command",
    "open": "window:window_command",
    None: "window:window_command",  # the bare `annotator`
}

# the commands that open the window (its own start-up, logging and signal handling)
WINDOW_COMMANDS = (None, "open", "adjudicate")

__all__ = ["CliError", "build_parser", "format_stats", "import_with_progress", "main"]


def __getattr__(name: str) -> object:
    """``format_stats`` and ``import_with_progress`` (annotator.cli.data), loaded
    when asked for: the window's start does not load the other commands."""
    if name in ("format_stats", "import_with_progress"):
        from annotator.cli import data

        return getattr(data, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command. The start-up (annotator.startup) ends here, or for the
    window after its first paint."""
    words = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(words).parse_args(words)
    if args.command not in WINDOW_COMMANDS:
        startup.started()  # the window ends it after its first paint
        # the window sets its log up when something goes wrong (log.log_failure):
        # logging.handlers is not worth its import time before the first paint
        from annotator.log import setup_logging

        setup_logging()
    # SIGTERM (kill, a closing terminal, a scheduler) is handled like Ctrl+C: the
    # running step cleans up (no partial export) and the command exits with 130
    if args.command not in WINDOW_COMMANDS and (
        threading.current_thread() is threading.main_thread()
    ):
        signal.signal(signal.SIGTERM, interrupt)
    db_path: Path = getattr(args, "db", None) or default_db_path()
    try:
        reviewer_of(args)  # a bad --reviewer is refused before anything runs
        # each command's module is loaded when it runs (the window's start-up time)
        module, _, name = COMMANDS[args.command].partition(":")
        command: Callable[[Path, argparse.Namespace], int] = getattr(
            importlib.import_module(f"annotator.cli.{module}"), name
        )
        return command(db_path, args)
    except AnnotatorError as exc:  # every problem we explain; anything else is a bug
        print(f"annotator: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # e.g. `annotator keys | head`: the reader has had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("annotator: interrupted; nothing half-written was left behind.", file=sys.stderr)
        return EXIT_INTERRUPTED
