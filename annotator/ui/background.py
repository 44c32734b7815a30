"""Run a long job (the first-run import) off the GUI thread, with a progress dialog
(or, for a job that shows its own progress, without one)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from annotator.errors import AnnotatorError
from annotator.log import log_failure

# A job reports progress(done, total) and returns a one-line summary.
Job = Callable[[Callable[[int, int], None]], str]


class _Worker(QObject):
    progressed = Signal(int, int)
    finished = Signal(str)
    failed = Signal(str)

    def __init__(self, job: Job) -> None:
        super().__init__()
        self._job = job

    @Slot()
    def run(self) -> None:
        try:
            summary = self._job(self.progressed.emit)
        except AnnotatorError as exc:  # a problem with its own clear message
            self.failed.emit(str(exc))
        except Exception as exc:  # a bug: reported to the user, its traceback logged
            where = log_failure("background job failed")
            self.failed.emit(f"{type(exc).__name__}: {exc}{where}")
        else:
            self.finished.emit(summary)


class BackgroundJob(QObject):
    """Runs ``job`` in a QThread; shows a modal progress dialog while it runs,
    unless ``dialog`` is False (then the caller shows ``progressed``)."""

    finished = Signal(str)
    failed = Signal(str)
    progressed = Signal(int, int)

    def __init__(self, job: Job, title: str, parent: QWidget, *, dialog: bool = True) -> None:
        super().__init__(parent)
        self.dialog = _progress_dialog(title, parent) if dialog else None
        self._title = title
        self._thread = QThread(self)
        self.worker = _Worker(job)
        self.worker.moveToThread(self._thread)
        self._thread.started.connect(self.worker.run)
        self.worker.progressed.connect(self._on_progress)
        self.worker.finished.connect(self._on_finished)
        self.worker.failed.connect(self._on_failed)

    def start(self) -> None:
        if self.dialog is not None:
            self.dialog.show()
        self._thread.start()

    def wait(self) -> None:
        """Block until the job has returned (e.g. the window is closing; its
        results are still announced)."""
        self._thread.quit()  # the thread ends once the job returns
        self._thread.wait()

    def _on_progress(self, done: int, total: int) -> None:
        self.progressed.emit(done, total)
        if self.dialog is None:
            return
        self.dialog.setMaximum(max(total, 1))
        self.dialog.setValue(done)
        self.dialog.setLabelText(f"{self._title}\n{done} of {total} documents")

    def _stop(self) -> None:
        self._thread.quit()
        self._thread.wait()
        if self.dialog is not None:
            self.dialog.close()

    def _on_finished(self, summary: str) -> None:
        self._stop()
        self.finished.emit(summary)

    def _on_failed(self, message: str) -> None:
        self._stop()
        self.failed.emit(message)


def _progress_dialog(title: str, parent: QWidget) -> QProgressDialog:
    dialog = QProgressDialog(title, "", 0, 0, parent)
    dialog.setWindowTitle("annotator")
    dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    return dialog
