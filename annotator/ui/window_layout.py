"""Window geometry, splitter sizes and zoom kept between sessions (QSettings)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QSplitter

from annotator.ui.document_view import DocumentView

SIDE_SIZES = [260, 300, 200]


def restore_layout(window: QMainWindow, splitter: QSplitter, view: DocumentView) -> None:
    """Window geometry, pane sizes and zoom, as the last session left them."""
    settings = QSettings()
    geometry = settings.value("window/geometry")
    if isinstance(geometry, QByteArray):
        window.restoreGeometry(geometry)
    state = settings.value("window/splitter")
    if isinstance(state, QByteArray):
        splitter.restoreState(state)
    size = settings.value("view/point_size")
    if size is not None:
        view.set_point_size(float(str(size)))


def restore_side_layout(side: QSplitter) -> None:
    """The sizes of the lists beside the article (built after its first paint)."""
    side_state = QSettings().value("window/side_splitter")
    if isinstance(side_state, QByteArray):
        side.restoreState(side_state)
        if 0 in side.sizes():  # saved by a version with fewer panes
            side.setSizes(SIDE_SIZES)


def save_layout(
    window: QMainWindow, splitter: QSplitter, side: QSplitter | None, view: DocumentView
) -> None:
    settings = QSettings()
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/splitter", splitter.saveState())
    if side is not None:
        settings.setValue("window/side_splitter", side.saveState())
    settings.setValue("view/point_size", view.point_size())
