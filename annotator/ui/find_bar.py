"""The find bar above the article: type, Enter for the next match, Esc to close."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLineEdit, QWidget


class FindBar(QLineEdit):
    findRequested = Signal(str, int)  # text, direction (1 next, -1 previous)
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText("Find in text (Enter or F3: next, Shift+F3: previous, Esc: close)")
        self.hide()
        close = QShortcut(QKeySequence("Esc"), self)
        close.setContext(Qt.ShortcutContext.WidgetShortcut)
        close.activated.connect(self.close_bar)
        self.returnPressed.connect(lambda: self.findRequested.emit(self.text(), 1))

    def open_bar(self) -> None:
        self.show()
        self.setFocus()
        self.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.closed.emit()
