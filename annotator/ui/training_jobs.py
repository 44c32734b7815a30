"""Document > Train on my reviews…: train in the background (the window stays
usable), then offer to re-annotate the documents not yet reviewed, and show
what the database then holds.

The training and the re-annotation are callables from above the UI
(annotator.train_runner, through ``MainWindow.training``): spaCy never loads
in the GUI thread. Both run in a ``BackgroundJob``. Cancel stops training at
the next step and keeps the best model so far, as Ctrl+C does for ``annotator
train``; closing the window does the same and waits for it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox

from annotator.model import Status
from annotator.store.models import pipelines_of
from annotator.train_options import Training, TrainOutcome, TrainRequest, TrainScore
from annotator.ui.background import BackgroundJob
from annotator.ui.training_dialog import (
    TITLE,
    TrainDialog,
    TrainingProgress,
    offer_button_text,
    offer_text,
    outcome_summary,
    outcome_text,
)

if TYPE_CHECKING:
    from annotator.ui.main_window import MainWindow


def train_on_reviews(window: MainWindow) -> TrainingFlow | None:
    """The action: ask, or bring a running training's progress to the front."""
    if window.training is None:
        window.statusBar().showMessage(
            "Training is not available here; use annotator train and annotator reannotate.",
            8000,
        )
        return None
    flow = window.findChild(TrainingFlow)
    if flow is None:
        flow = TrainingFlow(window, window.training)
    flow.ask()
    return flow


class TrainingReports(QObject):
    """Lives in the GUI thread; the training's thread emits (queued to the GUI)."""

    scored = Signal(object)  # TrainScore
    said = Signal(str)


class _Monitor:
    """The ``TrainingMonitor`` the trainer reports to, from its own thread."""

    def __init__(
        self, reports: TrainingReports, progress: Callable[[int, int], None], stop: threading.Event
    ) -> None:
        self.reports = reports
        self._progress = progress
        self._stop = stop

    def step(self, done: int, total: int) -> None:
        self._progress(done, total)

    def scored(self, score: TrainScore) -> None:
        self.reports.scored.emit(score)

    def said(self, text: str) -> None:
        self.reports.said.emit(text)

    def stopping(self) -> bool:
        return self._stop.is_set()


class TrainingFlow(QObject):
    """One window's training and re-annotation, one at a time."""

    trained = Signal(object)  # TrainOutcome, once its message is shown
    failed = Signal(str)  # the training, or the re-annotation, failed: why
    reannotated = Signal(str)  # the summary, once the window shows the database

    def __init__(self, window: MainWindow, training: Training) -> None:
        super().__init__(window)
        self.window = window
        self.training = training
        self.dialog: TrainDialog | None = None
        self.progress: TrainingProgress | None = None
        self.trainer: BackgroundJob | None = None  # while training runs
        self.reannotator: BackgroundJob | None = None  # while re-annotation runs
        self.message: QMessageBox | None = None  # the last message shown
        self.outcome: TrainOutcome | None = None
        self._last: TrainRequest | None = None
        self._stop = threading.Event()
        self.reports = TrainingReports(self)
        window.installEventFilter(self)

    # ---- asking --------------------------------------------------------------

    def ask(self) -> None:
        if self.trainer is not None and self.progress is not None:
            self.progress.show()
            self.progress.raise_()
            self.progress.activateWindow()  # the keyboard can reach Cancel
            return
        if self.reannotator is not None:
            return
        store = self.window.store
        accepted = store.count_by_status()[Status.ACCEPTED]
        by = pipelines_of(store, (Status.ACCEPTED,)).most_common(1)
        dialog = TrainDialog(store.path, accepted, by[0][0] if by else "", self._last, self.window)
        dialog.accepted.connect(lambda: self.start(dialog.request(self.window.store.actor)))
        if self.dialog is not None:  # (not when it closes: a key event may still be on its way)
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.open()

    # ---- training --------------------------------------------------------------

    def start(self, request: TrainRequest) -> BackgroundJob:
        self._last = request
        self.outcome = None
        self._stop.clear()
        progress = TrainingProgress(request, self.window)
        progress.cancelRequested.connect(self.cancel)
        self.reports.scored.connect(progress.scored)
        self.reports.said.connect(progress.note)
        results: list[TrainOutcome] = []
        train, reports, stop = self.training.train, self.reports, self._stop

        def job(report: Callable[[int, int], None]) -> str:
            results.append(train(request, _Monitor(reports, report, stop)))
            return ""

        runner = BackgroundJob(job, TITLE, self.window, dialog=False)
        runner.progressed.connect(progress.step)
        runner.finished.connect(lambda _: self._trained(results[0]))
        runner.failed.connect(self._failed)
        self.trainer, self.progress = runner, progress
        progress.place(self.window)
        progress.show()
        self.window.activateWindow()  # the keyboard goes back to the article
        self.window.view.setFocus()
        self.window.statusBar().showMessage(f"Training into {request.output}…", 5000)
        runner.start()
        return runner

    def cancel(self) -> None:
        """Stop at the next step; the best model so far is kept (and recorded)."""
        if self.trainer is None or self._stop.is_set():
            return
        self._stop.set()
        if self.progress is not None:
            self.progress.show_stopping()
        self.window.statusBar().showMessage("Stopping the training…", 5000)

    def _ended(self) -> None:
        self.trainer = None
        if self.progress is not None:
            self.reports.scored.disconnect(self.progress.scored)
            self.reports.said.disconnect(self.progress.note)
            self.progress.finish()
            self.progress.deleteLater()
            self.progress = None

    def _failed(self, message: str) -> None:
        self._ended()
        self._show(QMessageBox.Icon.Warning, f"The training did not run: {message}")
        self.failed.emit(message)

    def _trained(self, outcome: TrainOutcome) -> None:
        self._ended()
        self.outcome = outcome
        text = outcome_text(outcome)
        self.window.statusBar().showMessage(outcome_summary(outcome), 30000)
        if outcome.path is None:  # nothing was made
            self._show(QMessageBox.Icon.Information, text)
        elif not outcome.to_reannotate:
            self._show(QMessageBox.Icon.Information, text, offer_text(outcome))
        else:
            box = self._message(QMessageBox.Icon.Information, text, offer_text(outcome))
            yes = box.addButton(offer_button_text(outcome), QMessageBox.ButtonRole.AcceptRole)
            later = box.addButton("&Not now", QMessageBox.ButtonRole.RejectRole)
            box.setDefaultButton(yes)
            box.setEscapeButton(later)
            path = outcome.path
            yes.clicked.connect(lambda: self.reannotate(path, outcome.name))
            self._open(box)
        self.trained.emit(outcome)

    def _show(self, icon: QMessageBox.Icon, text: str, informative: str = "") -> None:
        box = self._message(icon, text, informative)
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        self._open(box)

    def _message(self, icon: QMessageBox.Icon, text: str, informative: str) -> QMessageBox:
        box = QMessageBox(icon, TITLE, text, QMessageBox.StandardButton.NoButton, self.window)
        box.setInformativeText(informative)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return box

    def _open(self, box: QMessageBox) -> None:
        """Show ``box`` (its buttons set: Qt picks its Esc button when it is shown)
        without blocking the event loop: the window stays live."""
        if self.message is not None:
            self.message.deleteLater()
        self.message = box
        if not self.window.isHidden():  # (not while the window closes)
            box.open()

    # ---- re-annotation ----------------------------------------------------------

    def reannotate(self, model: Path, name: str) -> BackgroundJob:
        """Re-annotate the documents not yet reviewed with ``model`` (a modal
        progress: nothing is edited meanwhile); the window then shows the database."""
        done: list[tuple[int, ...]] = []
        run, actor, stop = self.training.reannotate, self.window.store.actor, self._stop
        self._stop.clear()

        def job(progress: Callable[[int, int], None]) -> str:
            outcome = run(model, actor, progress, stop.is_set)
            done.append(outcome.doc_ids)
            return outcome.summary

        runner = BackgroundJob(job, f"Re-annotating with {name or model.name}…", self.window)
        runner.finished.connect(lambda summary: self._reannotated(summary, done[0]))
        runner.failed.connect(self._reannotation_failed)
        self.reannotator = runner
        runner.start()
        return runner

    def _reannotated(self, summary: str, doc_ids: tuple[int, ...]) -> None:
        self.reannotator = None
        self._follow_database(doc_ids)
        self.window.statusBar().showMessage(f"{summary}.", 15000)
        self.reannotated.emit(summary)

    def _reannotation_failed(self, message: str) -> None:
        self.reannotator = None
        self._follow_database(None)
        self._show(
            QMessageBox.Icon.Warning,
            f"Re-annotation stopped: {message}\n\nThe documents done before are kept; "
            "Train on my reviews… again, or annotator reannotate, does the rest.",
        )
        self.failed.emit(message)

    def _follow_database(self, doc_ids: tuple[int, ...] | None) -> None:
        """The list and the open document show what the database now holds."""
        window = self.window
        window.reload_documents()
        doc_id = window.session.doc_id
        if doc_id is not None and (doc_ids is None or doc_id in doc_ids):
            window.open_document(doc_id)

    # ---- closing --------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The window closes: stop what runs, keeping what it made, and wait."""
        if watched is self.window and event.type() == QEvent.Type.Close:
            self._stop.set()
            for runner in (self.trainer, self.reannotator):
                if runner is not None:
                    runner.wait()
        return False
