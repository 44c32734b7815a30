"""Export and evaluation from the window: each runs off the GUI thread with a
progress dialog, and reports in the status bar or a dialog."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from PySide6.QtWidgets import QMainWindow, QMessageBox

from annotator.evaluate import Evaluation, evaluate
from annotator.export_options import ExportOptions, ExportReport
from annotator.model import Document, Layer, Status
from annotator.store import Store
from annotator.ui.background import BackgroundJob
from annotator.ui.evaluation_dialog import EvaluationDialog

# Writes an export; given by the caller so that the window never imports spaCy
# (the DocBin format needs it).
Exporter = Callable[[Path, ExportOptions, Callable[[int, int], None]], ExportReport]


def export_dialog(
    window: QMainWindow,
    exporter: Exporter | None,
    layers: Sequence[str] = (Layer.GOLD, Layer.MODEL),
    layer: str = Layer.GOLD,
) -> None:
    """Ask where and what to export (``layers`` offered, ``layer`` chosen at
    first), then export in the background."""
    if exporter is None:
        window.statusBar().showMessage("Export is not available here; use annotator export.")
        return
    from annotator.export_options import ExportError
    from annotator.ui.export_dialog import ExportDialog  # on first use: start-up time

    dialog = ExportDialog(Path.home(), window, layers, layer)
    while dialog.exec():
        try:
            target, options = dialog.choice()
        except ExportError as exc:
            QMessageBox.warning(window, "Export", str(exc))
            continue
        start_export(window, exporter, target, options)
        return


def start_export(
    window: QMainWindow, exporter: Exporter, target: Path, options: ExportOptions
) -> BackgroundJob:
    def job(progress: Callable[[int, int], None]) -> str:
        report = exporter(target, options, progress)
        files = ", ".join(str(f) for f in report.files)
        return f"Exported {report.documents} documents ({options.format}) to {files}"

    runner = BackgroundJob(job, f"Exporting ({options.format})…", window)
    runner.finished.connect(lambda summary: window.statusBar().showMessage(summary, 15000))
    runner.failed.connect(lambda message: QMessageBox.warning(window, "Export failed", message))
    runner.start()
    return runner


def start_evaluation(window: QMainWindow, path: Path) -> BackgroundJob:
    """Score the model layer against the accepted reviews of the database at ``path``."""
    results: list[Evaluation] = []

    def job(progress: Callable[[int, int], None]) -> str:
        with Store.open(path) as store:
            ids = store.document_ids(Status.ACCEPTED)

            def documents() -> Iterator[Document]:
                for n, doc_id in enumerate(ids, 1):
                    progress(n, len(ids))
                    yield store.load_document(doc_id)

            results.append(evaluate(documents()))
        return f"Scored {len(ids)} documents"

    runner = BackgroundJob(job, "Scoring the model against the reviews…", window)
    runner.finished.connect(lambda _: EvaluationDialog(results[0], "accepted", window).show())
    runner.failed.connect(lambda message: QMessageBox.warning(window, "Evaluation", message))
    runner.start()
    return runner
