"""Who is reviewing, in the window: the question asked on the first start (in a
bar under the article after its first paint, never taking the keyboard from it)
and Document > Change reviewer….

The name is checked, resolved and saved by annotator.store (``resolve_reviewer``:
--reviewer, then $ANNOTATOR_REVIEWER, then the saved name, then the system user;
``save_reviewer`` writes settings.json in the user config folder, which the command
line reads too, without Qt)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from annotator.identity import (
    REVIEWER_ENV,
    InvalidActorError,
    SettingsError,
    check_actor,
    os_user,
    save_reviewer,
)

if TYPE_CHECKING:
    from annotator.ui.main_window import MainWindow

FIRST_TITLE = "Who is reviewing?"
CHANGE_TITLE = "Change reviewer"
HINT = (
    "Every edit is saved with this name; so are the document's review and the "
    "exports. It is kept as the default for the next start."
)
ERROR_STYLE = "color: #c92a2a;"


def check_name(text: str, ok: QPushButton, hint: QLabel, help_text: str) -> None:
    """While the name cannot be recorded, OK is off and the hint says why."""
    try:
        check_actor(text)
    except InvalidActorError as exc:
        ok.setEnabled(False)
        hint.setStyleSheet(ERROR_STYLE)
        hint.setText(str(exc))
    else:
        ok.setEnabled(True)
        hint.setStyleSheet("")
        hint.setText(help_text)


class ReviewerDialog(QDialog):
    """One line for the name, pre-filled and selected: type to replace it, Enter
    accepts, Esc cancels. OK stays disabled, with the reason below the line, while
    the name cannot be recorded."""

    def __init__(self, name: str, parent: QWidget | None = None, *, first: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle(FIRST_TITLE if first else CHANGE_TITLE)
        question = "Who is reviewing on this computer?" if first else "Who reviews from now on?"
        self.name_edit = QLineEdit(name, self)
        self.name_edit.setAccessibleName("Reviewer name")
        prompt = QLabel(f"{question}\n&Name:", self)
        prompt.setBuddy(self.name_edit)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        self.ok_button = ok
        self.ok_button.setDefault(True)
        box = QVBoxLayout(self)
        for widget in (prompt, self.name_edit, self.hint, self.buttons):
            box.addWidget(widget)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name_edit.textChanged.connect(self._check)
        self._check(name)
        self.name_edit.selectAll()
        self.name_edit.setFocus()
        self.setMinimumWidth(360)

    def name(self) -> str:
        """The name as it will be recorded (trimmed); InvalidActorError if it cannot be."""
        return check_actor(self.name_edit.text())

    def accept(self) -> None:
        if self.ok_button.isEnabled():
            super().accept()

    def _check(self, text: str) -> None:
        check_name(text, self.ok_button, self.hint, HINT)


class ReviewerBar(QWidget):
    """The first-start question, in a bar under the article. It never takes the
    keyboard from the article (a reviewer, or a script, may start typing at once):
    Ctrl+Shift+I (Change reviewer) or a click goes to its name; Enter saves it,
    Esc closes the bar for this session."""

    answered = Signal(str)  # the name to record
    dismissed = Signal()

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name_edit = QLineEdit(name, self)
        self.name_edit.setAccessibleName("Reviewer name")
        self.name_edit.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Tab stays in the article
        prompt = QLabel(f"{FIRST_TITLE} &Name:", self)
        prompt.setBuddy(self.name_edit)
        self.ok_button = QPushButton("Save", self)
        self.ok_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (prompt, self.name_edit, self.ok_button):
            row.addWidget(widget)
        box = QVBoxLayout(self)
        box.setContentsMargins(6, 4, 6, 4)
        box.addLayout(row)
        box.addWidget(self.hint)
        self.name_edit.textChanged.connect(self._check)
        self.name_edit.returnPressed.connect(self._accept)
        self.ok_button.clicked.connect(self._accept)
        close = QShortcut(QKeySequence("Esc"), self.name_edit)
        close.setContext(Qt.ShortcutContext.WidgetShortcut)
        close.activated.connect(self.dismissed.emit)
        self._check(name)

    def focus_name(self) -> None:
        self.name_edit.setFocus()
        self.name_edit.selectAll()

    def _check(self, text: str) -> None:
        check_name(
            text,
            self.ok_button,
            self.hint,
            f"{HINT} Ctrl+Shift+I goes to the name; Enter saves it; Esc closes this.",
        )

    def _accept(self) -> None:
        if self.ok_button.isEnabled():
            self.answered.emit(check_actor(self.name_edit.text()))


def ask_reviewer(window: MainWindow) -> ReviewerBar:
    """The first-start question, with the system user's name filled in, in a bar
    under the article (see ReviewerBar); the name chosen is saved. Until it is
    answered the system user's name applies; closed unanswered, nothing is saved
    and the question comes again at the next start."""
    window.complete()  # the status bar shows the answer
    bar = ReviewerBar(os_user(), window)
    window.show_below_article(bar)
    window.statusBar().showMessage(
        f"Who is reviewing? Edits are saved as {window.store.actor} until you say: "
        "Ctrl+Shift+I goes to the name under the article.",
        15000,
    )

    def done() -> None:
        bar.hide()
        bar.deleteLater()
        window.view.setFocus()

    def answered(name: str) -> None:
        done()
        use_reviewer(window, name)

    def dismissed() -> None:
        done()
        window.statusBar().showMessage(
            f"Reviewing as {window.store.actor}; nothing was saved, so annotator asks "
            "again at the next start (or use Document > Change reviewer…).",
            15000,
        )

    bar.answered.connect(answered)
    bar.dismissed.connect(dismissed)
    return bar


def change_reviewer(window: MainWindow) -> ReviewerDialog | ReviewerBar:
    """Document > Change reviewer…: the next edits are recorded under the new name,
    which the status bar shows and the settings keep as the default. While the
    first-start question is open, it goes to that question's name instead."""
    for bar in window.findChildren(ReviewerBar):
        if bar.isVisible():
            bar.focus_name()
            return bar
    return _open(window, ReviewerDialog(window.store.actor, window), None)


def _open(
    window: MainWindow, dialog: ReviewerDialog, cancelled: Callable[[], None] | None
) -> ReviewerDialog:
    dialog.accepted.connect(lambda: use_reviewer(window, dialog.name()))
    if cancelled is not None:
        dialog.rejected.connect(cancelled)
    dialog.finished.connect(lambda _result: _closed(window, dialog))
    dialog.open()  # window-modal, without a nested event loop
    return dialog


def _closed(window: MainWindow, dialog: ReviewerDialog) -> None:
    dialog.deleteLater()
    window.activateWindow()  # the keyboard goes back to the article
    window.view.setFocus()


def use_reviewer(window: MainWindow, name: str) -> None:
    """Record the next edits as ``name``'s and save it as the default."""
    window.set_reviewer(name)
    try:
        save_reviewer(name)
    except SettingsError as exc:
        window.statusBar().showMessage(f"Reviewer: {name} for this session only. {exc}", 15000)
        return
    first = ""
    if os.environ.get(REVIEWER_ENV, "").strip():
        first = f"; {REVIEWER_ENV} still comes first when annotator starts"
    window.statusBar().showMessage(f"Reviewer: {name}, saved as the default{first}.", 8000)
