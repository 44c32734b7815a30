"""Paint the relation arcs of one text line (positions come from arc_layout)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF

from annotator.ui.scene import ArcDrawing
from annotator.ui.view_state import Emphasis

ARROW = 4.0
DASHED = Qt.PenStyle.DashLine  # a proposed relation's arc (see block_painter.DASHED)
PEN_WIDTHS = {
    Emphasis.DIMMED: 1.0,
    Emphasis.NORMAL: 1.4,
    Emphasis.TOUCHING: 2.4,
    Emphasis.SELECTED: 2.6,
}


def paint_arc(
    painter: QPainter,
    arc: ArcDrawing,
    x0: float,
    row_y: float,
    span_top: float,
    font: QFont,
    highlight: QColor,
    base: QColor,
) -> QRectF | None:
    """Draw one line's piece of a relation arc; returns the rectangle of its
    label, if it shows one. A proposed relation (``ghost``) is dashed, its label
    framed, as a proposed span's tag is."""
    color, pen = _pen(arc.color, arc.emphasis, highlight, arc.ghost)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    left, right = x0 + arc.left, x0 + arc.right
    path = QPainterPath()
    radius = min(5.0, (right - left) / 2, span_top - row_y)
    if arc.opens:
        path.moveTo(left, span_top)
        path.lineTo(left, row_y + radius)
        path.quadTo(left, row_y, left + radius, row_y)
    else:
        path.moveTo(left, row_y)
    if arc.closes:
        path.lineTo(right - radius, row_y)
        path.quadTo(right, row_y, right, row_y + radius)
        path.lineTo(right, span_top)
    else:
        path.lineTo(right, row_y)
    painter.drawPath(path)
    painter.setBrush(color)
    painter.setPen(Qt.PenStyle.NoPen)
    if not arc.opens:  # continued from the line above
        _chevron(painter, QPointF(left - 1, row_y), -1)
    if not arc.closes:  # continues on the line below
        _chevron(painter, QPointF(right + 1, row_y), 1)
    if arc.directed:
        # the child end gets the arrow: the right end when the head comes first
        if arc.head_first and arc.closes:
            _arrow(painter, QPointF(right, span_top))
        elif not arc.head_first and arc.opens:
            _arrow(painter, QPointF(left, span_top))
    if arc.opens or arc.closes:
        centre = (left + right) / 2
        return _label(painter, arc.label, color, centre, row_y, font, base, arc.ghost)
    return None


def _arrow(painter: QPainter, tip: QPointF) -> None:
    painter.drawPolygon(
        QPolygonF(
            [
                tip,
                QPointF(tip.x() - ARROW, tip.y() - ARROW * 1.6),
                QPointF(tip.x() + ARROW, tip.y() - ARROW * 1.6),
            ]
        )
    )


def _chevron(painter: QPainter, at: QPointF, direction: int) -> None:
    painter.drawPolygon(
        QPolygonF(
            [
                QPointF(at.x() + direction * ARROW * 1.6, at.y()),
                QPointF(at.x(), at.y() - ARROW),
                QPointF(at.x(), at.y() + ARROW),
            ]
        )
    )


_PENS: dict[tuple[str, Emphasis, int, bool], tuple[QColor, QPen]] = {}


def _pen(
    name: str, emphasis: Emphasis, highlight: QColor, dashed: bool = False
) -> tuple[QColor, QPen]:
    """The color and pen of an arc (made once per color, emphasis, highlight and
    dashing)."""
    key = (name, emphasis, highlight.rgba(), dashed)
    found = _PENS.get(key)
    if found is None:
        color = QColor(highlight if emphasis is Emphasis.SELECTED else QColor(name))
        if emphasis is Emphasis.DIMMED:
            color.setAlpha(45)
        pen = QPen(color, PEN_WIDTHS[emphasis])
        if dashed:
            pen.setStyle(DASHED)
        found = _PENS[key] = (color, pen)
    return found


_SIZES: dict[tuple[str, str], tuple[float, float]] = {}


def _label_size(font: QFont, text: str) -> tuple[float, float]:
    """Width and height of an arc label (measured once per font and text)."""
    key = (font.key(), text)
    size = _SIZES.get(key)
    if size is None:
        metrics = QFontMetricsF(font)
        size = _SIZES[key] = (metrics.horizontalAdvance(text) + 6, metrics.height())
    return size


def _label(
    painter: QPainter,
    text: str,
    color: QColor,
    centre: float,
    row_y: float,
    font: QFont,
    base: QColor,
    framed: bool = False,
) -> QRectF:
    width, height = _label_size(font, text)
    rect = QRectF(centre - width / 2, row_y - height / 2, width, height)
    painter.setBrush(base)
    painter.setPen(QPen(color, 1) if framed else Qt.PenStyle.NoPen)
    painter.drawRoundedRect(rect, 2, 2)
    painter.setFont(font)
    painter.setPen(color)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    return rect
