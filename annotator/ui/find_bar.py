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
    labelRequested = Signal(str)  # label name
    extendRequested = Signal()  # Tab: the match to the end of the name
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
        extend = QShortcut(QKeySequence("Tab"), self)
        extend.setContext(Qt.ShortcutContext.WidgetShortcut)
        extend.activated.connect(self.extendRequested.emit)

    def add_label_keys(self, hotkeys: dict[str, str]) -> None:
        """Alt + each label's hotkey (label name -> hotkey) labels the match."""
        for name, hotkey in hotkeys.items():
            shortcut = QShortcut(QKeySequence(f"Alt+{hotkey}"), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(lambda n=name: self._label(n))

    def _label(self, name: str) -> None:
        self.close_bar()
        self.labelRequested.emit(name)

    def open_bar(self) -> None:
        self.show()
        self.setFocus()
        self.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.closed.emit()
