"""Small parts of the main window: the status filter above the document list,
and the guard that completes a staged window (see MainWindow) at the first input."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

from annotator.model import Status

if TYPE_CHECKING:  # QComboBox: loaded with the panes, after the first paint
    from PySide6.QtWidgets import QComboBox

    from annotator.ui.main_window import MainWindow

STATUS_FILTERS: tuple[tuple[str, Status | None], ...] = (
    ("All documents", None),
    ("To do", Status.TODO),
    ("Accepted", Status.ACCEPTED),
    ("Rejected", Status.REJECTED),
    ("Skipped", Status.SKIPPED),
)
# input that needs the whole window: it completes the window before it is handled
INPUT_EVENTS = frozenset(
    {
        QEvent.Type.ShortcutOverride,
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.ContextMenu,
        QEvent.Type.InputMethod,
    }
)


def status_filter_box(parent: QWidget) -> QComboBox:
    from PySide6.QtWidgets import QComboBox

    box = QComboBox(parent)
    for text, _ in STATUS_FILTERS:
        box.addItem(text)
    return box


class CompleteOnInput(QObject):
    """Until the window is complete, the first key or mouse press on the article
    (where the keyboard is) completes it before it is handled, so that its
    shortcut exists when Qt looks it up. Not an application-wide filter: that
    makes PySide6 wrap Qt's internal objects, which costs 12 ms at start-up."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._watched = (window.view, window.view.viewport())
        for widget in self._watched:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS:
            self._window.complete()
        return False

    def remove(self) -> None:
        for widget in self._watched:
            widget.removeEventFilter(self)
        self.deleteLater()
