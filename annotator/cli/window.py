"""The review window, as the bare `annotator` and `annotator open` start it."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from annotator.cli.common import CliError, reviewer_of
from annotator.export_runner import exporter_for
from annotator.identity import resolve_reviewer
from annotator.sample import sample_import_job
from annotator.store import Store
from annotator.trace import TraceError, trace_from
from annotator.train_runner import training_for


def window_command(db_path: Path, args: argparse.Namespace) -> int:
    """The bare `annotator` (the database of --db) and `annotator open DB`."""
    return start_window(
        args.path if args.command == "open" else db_path,
        getattr(args, "keymap", None),
        getattr(args, "trace_timings", None),
        reviewer_of(args),
    )


def start_window(
    db_path: Path,
    keymap: Path | None,
    trace_path: Path | None = None,
    reviewer: str | None = None,
    *,
    adjudicate: bool = False,
) -> int:
    """Open the review window; a fresh database first gets the bundled sample. With
    no reviewer given (--reviewer, $ANNOTATOR_REVIEWER) or saved, the window asks for
    one after its first paint. ``adjudicate``: a team database, in adjudication
    mode (`annotator adjudicate`)."""
    if not display_available():
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
    identity = resolve_reviewer(reviewer)
    if adjudicate and not db_path.exists():
        raise CliError(f"No database at {db_path}.")
    with Store.open(db_path, identity.name) as store:
        if adjudicate and not store.is_team_database():
            raise CliError(
                f"{db_path} has no reviewers' reviews to adjudicate: make a team database "
                "with `annotator merge A.db B.db --output TEAM.db` first."
            )
        first_run = None if adjudicate or store.document_ids() else sample_import_job(store.path)
        try:
            return run(
                store,
                first_run,
                keymap,
                exporter_for(store.path),
                trace,
                ask_reviewer=identity.source == "system",
                training=training_for(store.path),
                adjudicate=adjudicate,
            )
        except KeymapError as exc:
            raise CliError(str(exc)) from exc


def display_available() -> bool:
    if not sys.platform.startswith("linux"):
        return True
    return any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))
