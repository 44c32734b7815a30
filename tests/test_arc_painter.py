"""Arc labels (ui/arc_painter.py): centred on their piece of arc, and whole in
the view even when the piece ends at the margin."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from annotator.ui.arc_painter import ArcPainter
from annotator.ui.scene import ArcDrawing
from annotator.ui.view_state import Emphasis

WIDTH = 400


def piece(left: float, right: float, opens: bool, closes: bool) -> ArcDrawing:
    return ArcDrawing(
        0, 7, "PART-WHOLE", left, right, opens, closes, 0, True, "#3b5bdb", True, Emphasis.NORMAL
    )


@pytest.fixture
def painted(qapp):
    image = QImage(WIDTH, 60, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        font = QFont()
        font.setPointSizeF(8)
        painter.setFont(font)
        arcs = ArcPainter(painter, font, QColor("#3daee9"), QColor("white"), WIDTH)
        yield lambda arc: arcs.paint(arc, 18.0, 20.0, 50.0)
    finally:
        painter.end()


def test_a_label_sits_over_the_middle_of_its_piece(painted):
    rect = painted(piece(100.0, 300.0, True, True))
    assert rect is not None and rect.center().x() == pytest.approx(18.0 + 200.0)


def test_a_piece_from_the_line_above_that_ends_at_the_margin_keeps_its_label_whole(painted):
    """The arc comes in from the left margin and ends 6 px into the line: centred,
    its label (80 px or so) would start left of the view and be cut."""
    rect = painted(piece(0.0, 6.0, False, True))
    assert rect is not None and rect.left() == 0.0 and rect.width() > 40


def test_a_label_near_the_right_edge_stays_in_the_view(painted):
    rect = painted(piece(WIDTH - 20.0, WIDTH - 18.0, True, True))
    assert rect is not None and rect.right() == pytest.approx(WIDTH)


def test_a_piece_that_only_crosses_the_line_has_no_label(painted):
    assert painted(piece(0.0, WIDTH - 36.0, False, False)) is None
