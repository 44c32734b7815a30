"""The window's export job: the exporter wired to a database file of its own."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.store import Store

if TYPE_CHECKING:  # (not loaded at the window's start)
    from annotator.export_options import ExportOptions, ExportReport


def exporter_for(
    db_path: Path,
) -> Callable[[Path, ExportOptions, Callable[[int, int], None]], ExportReport]:
    """The window's export: runs in its background thread, on its own connection."""

    def run_export(
        target: Path, options: ExportOptions, progress: Callable[[int, int], None]
    ) -> ExportReport:
        # imported when an export runs: the spaCy format must not slow the window's start
        from annotator.exporter import export

        with Store.open(db_path) as store:
            return export(store, target, options, progress)

    return run_export
