"""The find bar above the article: type, Enter for the next match, Esc to close."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLineEdit, QWidget


class FindBar(QLineEdit):
    """Typing selects the first match from the caret on (the whole typed phrase,
    snapped to tokens); Enter goes to the next; Alt + a label key labels the
    match and returns to the article."""

    findRequested = Signal(str, int)  # text, direction (1 next, -1 previous, 0 from here)
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(
            "Find in text: the match is selected as you type (Tab: to the end of the "
            "name, Enter or F3: next, Alt+label key: label it, Esc: close)"
        )
        self.hide()
        close = QShortcut(QKeySequence("Esc"), self)
        close.setContext(Qt.ShortcutContext.WidgetShortcut)
        close.activated.connect(self.close_bar)
        self.returnPressed.connect(lambda: self.findRequested.emit(self.text(), 1))
        self.textEdited.connect(lambda text: self.findRequested.emit(text, 0))
        # Tab (find.extend) and Alt + a label key (find_label.*) are keymap actions
        # added to this widget by the window

    def open_bar(self) -> None:
        self.show()
        self.setFocus()
        self.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.closed.emit()
