"""Start the Qt application on a database."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from annotator import startup
from annotator.store import Store
from annotator.trace import TimingTrace
from annotator.ui.keymap import load_overrides, user_keymap_path
from annotator.ui.main_window import MainWindow
from annotator.ui.pauses import end_startup_after_first_paint

if TYPE_CHECKING:
    from annotator.train_options import Training
    from annotator.ui.background import BackgroundJob, Job
    from annotator.ui.jobs import Exporter


def application() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setOrganizationName("annotator")
    app.setApplicationName("annotator")
    return app


def create_window(
    store: Store,
    keymap: Path | None = None,
    exporter: Exporter | None = None,
    *,
    staged: bool = False,
    training: Training | None = None,
) -> MainWindow:
    """The main window on ``store``, with the user's keymap overrides applied
    (``staged``, ``training``: see MainWindow)."""
    overrides = load_overrides(keymap or user_keymap_path())
    return MainWindow(store, overrides, exporter, staged=staged, training=training)


def run(
    store: Store,
    first_run: Job | None = None,
    keymap: Path | None = None,
    exporter: Exporter | None = None,
    trace: TimingTrace | None = None,
    *,
    ask_reviewer: bool = False,
    training: Training | None = None,
    adjudicate: bool = False,
) -> int:
    """Show the window and run the event loop. ``first_run`` fills an empty
    database in the background (the CLI passes the bundled-sample import);
    ``exporter`` writes exports (the CLI passes annotator.exporter's);
    ``training`` trains and re-annotates (annotator.train_runner's);
    ``trace`` records timings (see annotator/trace.py); ``ask_reviewer``: no
    reviewer name was given or saved, so ask for one after the first paint."""
    app = application()
    window = start_window(
        store,
        first_run,
        keymap,
        exporter,
        trace,
        ask_reviewer=ask_reviewer,
        training=training,
        adjudicate=adjudicate,
    )
    code = app.exec()
    del window  # kept alive (a QMainWindow without parent) while the loop runs
    return code


def start_window(
    store: Store,
    first_run: Job | None = None,
    keymap: Path | None = None,
    exporter: Exporter | None = None,
    trace: TimingTrace | None = None,
    *,
    ask_reviewer: bool = False,
    training: Training | None = None,
    adjudicate: bool = False,
) -> MainWindow:
    """What ``run`` does before the event loop: the window, shown (``adjudicate``:
    in adjudication mode, see annotator/ui/adjudicating.py)."""
    # the article is painted before the rest of the window is built, unless the
    # database is empty and the sample import needs the status bar at once
    window = create_window(store, keymap, exporter, staged=first_run is None, training=training)
    if adjudicate:
        from annotator.ui.adjudicating import start_adjudication

        start_adjudication(window)
    if startup.starting():  # annotator.launch paused the collector until the first paint
        end_startup_after_first_paint(window.view.painted)
    if trace is not None:
        from annotator.ui.timing import WindowTimings

        WindowTimings(window, trace)
    if ask_reviewer:
        ask_after_first_paint(window)
    window.show()
    if first_run is not None and not store.document_ids():
        start_first_run(window, first_run)
    return window


def start_first_run(window: MainWindow, job: Job) -> BackgroundJob:
    """Fill the empty database in the background; the window follows when it is done,
    or says why it could not be (e.g. how to install the missing pipeline)."""
    from annotator.ui.background import BackgroundJob

    runner = BackgroundJob(job, "Importing the bundled sample article…", window)
    runner.finished.connect(lambda summary: _loaded(window, summary))
    runner.failed.connect(lambda message: _failed(window, message))
    runner.start()
    return runner


def _loaded(window: MainWindow, summary: str) -> None:
    window.reload_documents()
    window.statusBar().showMessage(f"Import finished: {summary}.", 10000)
    if QApplication.activeModalWidget() is None:  # e.g. "Who is reviewing?" keeps the keys
        window.activateWindow()
        window.view.setFocus()


def _failed(window: MainWindow, message: str) -> None:
    window.statusBar().showMessage(f"The sample was not imported: {message}")
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.warning(window, "Import failed", message)


def ask_after_first_paint(window: MainWindow) -> None:
    """Ask who is reviewing once the article has been painted (the first start:
    no name was given or saved). Nothing of the question is loaded before then:
    its widgets' classes would cost the first paint 20 ms."""

    def painted(_with_text: bool) -> None:
        window.view.painted.disconnect(painted)

        def ask() -> None:
            from annotator.ui import reviewer

            reviewer.ask_reviewer(window)

        QTimer.singleShot(0, window, ask)

    window.view.painted.connect(painted)
