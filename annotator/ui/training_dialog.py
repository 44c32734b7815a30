"""The dialogs of "Train on my reviews…": the choices before training, the
progress while it runs (non-modal: reviewing goes on), and the words of the end."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from annotator.train_options import DEFAULT_REHEARSE, TrainOutcome, TrainRequest, TrainScore

TITLE = "Train on my reviews"


def default_output(db_path: Path, now: datetime | None = None) -> Path:
    """A new folder beside the database: ``<db stem>-model-<timestamp>``."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return db_path.parent / f"{db_path.stem}-model-{stamp}"


class TrainDialog(QDialog):
    """Where the model goes, what it starts from, and (advanced) how long it trains."""

    def __init__(
        self,
        db_path: Path,
        accepted: int,
        pre_annotated_by: str,
        last: TrainRequest | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        noun = "document" if accepted == 1 else "documents"
        intro = QLabel(
            f"Fine-tunes the entity recognizer on the {accepted} accepted {noun} (one in "
            "five is held out to score it). It trains in the background: you can go on "
            "reviewing, and Cancel keeps the best model so far.",
            self,
        )
        intro.setWordWrap(True)
        self.output = QLineEdit(str(default_output(db_path)), self)
        self.output.setMinimumWidth(420)
        browse = QPushButton("B&rowse…", self)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.output)
        row.addWidget(browse)
        self.base = QLineEdit((last.base or "") if last else "", self)
        by = pre_annotated_by or "the default pipeline"
        self.base.setPlaceholderText(f"the pipeline that pre-annotated them: {by}")
        self.base.setToolTip("An installed pipeline package, a pipeline folder, or blank:en")
        self.max_steps = QSpinBox(self)
        self.max_steps.setRange(0, 1_000_000)
        self.max_steps.setSingleStep(100)
        self.max_steps.setSpecialValueText("default (as annotator train)")
        self.max_steps.setValue((last.max_steps or 0) if last else 0)
        self.rehearse = QDoubleSpinBox(self)
        self.rehearse.setRange(0.0, 10.0)
        self.rehearse.setSingleStep(0.5)
        self.rehearse.setDecimals(1)
        self.rehearse.setSpecialValueText("off")
        self.rehearse.setSuffix(" per reviewed document")
        self.rehearse.setToolTip(
            "Against forgetting: also train on this many documents not yet reviewed per "
            "reviewed one, labelled with the base pipeline's own predictions where your "
            "reviews do not say otherwise"
        )
        rehearse = last.rehearse if last is not None else None
        self.rehearse.setValue(DEFAULT_REHEARSE if rehearse is None else rehearse)
        form = QFormLayout()
        form.addRow(_buddy("&Output folder:", self.output, self), row)
        form.addRow(_buddy("&Base pipeline:", self.base, self), self.base)
        advanced = QGroupBox("Advanced", self)
        advanced_form = QFormLayout(advanced)
        advanced_form.addRow(_buddy("&Max steps:", self.max_steps, self), self.max_steps)
        advanced_form.addRow(_buddy("Re&hearse:", self.rehearse, self), self.rehearse)
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #c92a2a;")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(self)
        self.train_button = buttons.addButton("&Train", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.train_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(advanced)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.output.setFocus()
        self.output.selectAll()

    def request(self, actor: str | None) -> TrainRequest:
        return TrainRequest(
            output=Path(self.output.text().strip()).expanduser(),
            base=self.base.text().strip() or None,
            max_steps=self.max_steps.value() or None,
            rehearse=self.rehearse.value(),
            actor=actor,
        )

    def accept(self) -> None:
        if not self.output.text().strip():
            self.error.setText("Give a folder for the trained pipeline.")
            self.error.show()
            self.output.setFocus()
            return
        super().accept()

    def _browse(self) -> None:
        """Choose where the new folder goes; its name stays."""
        current = Path(self.output.text().strip() or ".")
        parent = QFileDialog.getExistingDirectory(self, "Folder for the model", str(current.parent))
        if parent:
            self.output.setText(str(Path(parent) / current.name))


def _buddy(text: str, widget: QWidget, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setBuddy(widget)
    return label


class TrainingProgress(QDialog):
    """The running training: step, loss and dev scores as spaCy reports them, and
    Cancel (Esc), which stops at the next step and keeps the best model so far.
    Non-modal and shown without taking the keyboard from the article."""

    cancelRequested = Signal()

    def __init__(self, request: TrainRequest, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Training — {request.output.name}")
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setModal(False)
        self.heading = QLabel(f"Starting the training into {request.output}…", self)
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)  # busy until the first step
        self.bar.setFormat("step %v of %m")
        self.scores = QLabel("Loading spaCy and the base pipeline…\n", self)
        self.scores.setTextFormat(Qt.TextFormat.PlainText)
        self.scores.setWordWrap(True)
        self.scores.setMinimumHeight(3 * self.scores.fontMetrics().lineSpacing())
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setToolTip("Stop training; the best model so far is kept")
        self.cancel_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.bar)
        layout.addWidget(self.scores)
        layout.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignRight)
        self.setMinimumWidth(520)
        self.best: TrainScore | None = None
        self.last: TrainScore | None = None
        self.done_steps = 0
        self.total_steps: int | None = None  # known from the first step
        self.stopping = False
        self._finished = False

    def place(self, window: QWidget) -> None:
        """In the window's bottom right corner, over the status bar's side."""
        self.adjustSize()
        corner = window.mapToGlobal(QPoint(window.width(), window.height()))
        self.move(corner - QPoint(self.width() + 24, self.height() + 48))

    def note(self, text: str) -> None:
        self.heading.setText(text)

    def step(self, done: int, total: int) -> None:
        if self.total_steps != total:
            self.total_steps = total
            self.bar.setRange(0, max(total, 1))
        self.done_steps = done
        self.bar.setValue(min(done, total))
        self._show_scores()

    def scored(self, score: TrainScore) -> None:
        self.last = score
        if score.best:
            self.best = score
        self._show_scores()

    def _show_scores(self) -> None:
        if self.stopping:
            return
        if self.last is None:
            self.scores.setText("Training; the first scoring of the held-out documents…\n")
            return
        s, best = self.last, self.best or self.last
        self.scores.setText(
            f"Scored at step {s.step}: loss {s.loss:.2f}, dev F {100 * s.f:.1f} "
            f"(P {100 * s.p:.1f}, R {100 * s.r:.1f})\n"
            f"Best so far: F {100 * best.f:.1f} at step {best.step} (kept if you cancel)"
        )

    def show_stopping(self) -> None:
        self.stopping = True
        self.cancel_button.setEnabled(False)
        kept = (
            f"keeping the best model so far (step {self.best.step})"
            if self.best is not None
            else "nothing was scored yet, so nothing will be kept"
        )
        self.scores.setText(f"Stopping at the next step; {kept}…")

    def finish(self) -> None:
        """The training ended: close without counting as a Cancel."""
        self._finished = True
        self.done(QDialog.DialogCode.Accepted)

    def reject(self) -> None:
        if self._finished:
            super().reject()
        elif not self.stopping:  # Cancel or Esc: ask the training to stop; stay open
            self.cancelRequested.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._finished:  # the title bar's close button means Cancel
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)


def _scores(scores: Mapping[str, float]) -> str:
    f, p, r = (100 * scores.get(k, 0.0) for k in ("ents_f", "ents_p", "ents_r"))
    return f"F {f:.1f}, P {p:.1f}, R {r:.1f}"


def outcome_text(outcome: TrainOutcome) -> str:
    """What a training made, for the message at its end."""
    if outcome.path is None:
        return (
            f"Training stopped at step {outcome.steps}, before the model was first scored: "
            "nothing was written."
        )
    head = (
        f"Training stopped at step {outcome.steps}; the best model so far is kept."
        if outcome.interrupted
        else f"Trained {outcome.name} from {outcome.base} in {outcome.steps} steps."
    )
    return (
        f"{head}\n\nOn the {outcome.dev_documents} held-out documents: "
        f"{_scores(outcome.scores)} (best at step {outcome.best_step}; learnt from "
        f"{outcome.train_documents} documents"
        + (
            f", rehearsing {outcome.silver_documents} not yet reviewed"
            if outcome.silver_documents
            else ""
        )
        + ").\n\n"
        f"Saved to {outcome.path}, recorded as model {outcome.model_id}."
    )


def outcome_summary(outcome: TrainOutcome) -> str:
    """The same in one line, for the status bar."""
    if outcome.path is None:
        return "Training stopped before the model was first scored: nothing was written."
    how = "The best model so far" if outcome.interrupted else "The trained model"
    return f"{how} ({_scores(outcome.scores)}) is in {outcome.path}."


def offer_text(outcome: TrainOutcome) -> str:
    n = outcome.to_reannotate
    if n == 0:
        return "Every document has been reviewed: none is left to re-annotate."
    noun = "document" if n == 1 else "documents"
    return (
        f"Re-annotate the {n} {noun} not yet reviewed with this model? Their model layer "
        "is replaced; their gold layer too unless you have edited it."
    )


def offer_button_text(outcome: TrainOutcome) -> str:
    n = outcome.to_reannotate
    return f"&Re-annotate {n} document{'' if n == 1 else 's'} not yet reviewed with this model"
