"""Paint the relation arcs of one text line (positions come from arc_layout)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF

from annotator.model import Relation
from annotator.ui.arc_layout import ArcSegment

ARROW = 4.0


@dataclass(frozen=True, slots=True)
class ArcStyle:
    color: QColor
    directed: bool


@dataclass(frozen=True, slots=True)
class ArcDraw:
    """Everything needed to draw one relation's piece on one line."""

    relation: Relation
    head_first: bool  # the head span comes first in the text
    style: ArcStyle
    emphasis: int  # 0 dimmed, 1 normal, 2 highlighted (selected span), 3 selected relation


def paint_segment(
    painter: QPainter,
    segment: ArcSegment,
    arc: ArcDraw,
    x0: float,
    row_y: float,
    span_top: float,
    font: QFont,
    highlight: QColor,
    base: QColor,
) -> QRectF | None:
    """Draw the piece; returns the rectangle of its label, if it shows one."""
    color = QColor(highlight if arc.emphasis == 3 else arc.style.color)
    if arc.emphasis == 0:
        color.setAlpha(45)
    width = {0: 1.0, 1: 1.4, 2: 2.4, 3: 2.6}[arc.emphasis]
    painter.setPen(QPen(color, width))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    left, right = x0 + segment.left, x0 + segment.right
    path = QPainterPath()
    radius = min(5.0, (right - left) / 2, span_top - row_y)
    if segment.opens:
        path.moveTo(left, span_top)
        path.lineTo(left, row_y + radius)
        path.quadTo(left, row_y, left + radius, row_y)
    else:
        path.moveTo(left, row_y)
    if segment.closes:
        path.lineTo(right - radius, row_y)
        path.quadTo(right, row_y, right, row_y + radius)
        path.lineTo(right, span_top)
    else:
        path.lineTo(right, row_y)
    painter.drawPath(path)
    painter.setBrush(color)
    painter.setPen(Qt.PenStyle.NoPen)
    if not segment.opens:  # continued from the line above
        _chevron(painter, QPointF(left - 1, row_y), -1)
    if not segment.closes:  # continues on the line below
        _chevron(painter, QPointF(right + 1, row_y), 1)
    if arc.style.directed:
        # the child end gets the arrow: the right end when the head comes first
        if arc.head_first and segment.closes:
            _arrow(painter, QPointF(right, span_top))
        elif not arc.head_first and segment.opens:
            _arrow(painter, QPointF(left, span_top))
    if segment.opens or segment.closes:
        return _label(painter, arc, color, (left + right) / 2, row_y, font, base)
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


def _label(
    painter: QPainter,
    arc: ArcDraw,
    color: QColor,
    centre: float,
    row_y: float,
    font: QFont,
    base: QColor,
) -> QRectF:
    metrics = QFontMetricsF(font)
    text = arc.relation.label
    width = metrics.horizontalAdvance(text) + 6
    height = metrics.height()
    rect = QRectF(centre - width / 2, row_y - height / 2, width, height)
    painter.setBrush(base)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawRoundedRect(rect, 2, 2)
    painter.setFont(font)
    painter.setPen(color)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    return rect
