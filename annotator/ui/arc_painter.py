"""Paint the relation arcs of one text line (positions come from arc_layout)."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QPolygonF,
)

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


class ArcPainter:
    """Paints relation arcs with one painter, label font and palette (one paint of
    the view): what every arc shares is looked up once, not per arc. The painter's
    font must be the labels' font. Labels stay within x 0 to ``width``."""

    def __init__(
        self, painter: QPainter, font: QFont, highlight: QColor, base: QColor, width: float
    ) -> None:
        self.painter = painter
        self.width = width
        self.font = font
        self.highlight = highlight
        self.base = base
        self._ratio = painter.device().devicePixelRatioF()
        self._sizes = _label_sizes(font)
        self._images = _label_images(font, base, self._ratio)

    def paint(self, arc: ArcDrawing, x0: float, row_y: float, span_top: float) -> QRectF | None:
        """Draw one line's piece of a relation arc; returns the rectangle of its
        label, if it shows one. A proposed relation (``ghost``) is dashed, its label
        framed, as a proposed span's tag is."""
        painter = self.painter
        color, pen = _pen(arc.color, arc.emphasis, self.highlight, arc.ghost)
        painter.setPen(pen)
        painter.setBrush(NO_BRUSH)
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
        painter.setPen(NO_PEN)
        if not arc.opens:  # continued from the line above
            painter.drawPolygon(CHEVRON_LEFT.translated(left - 1, row_y))
        if not arc.closes:  # continues on the line below
            painter.drawPolygon(CHEVRON_RIGHT.translated(right + 1, row_y))
        if arc.directed:
            # the child end gets the arrow: the right end when the head comes first
            if arc.head_first and arc.closes:
                painter.drawPolygon(ARROW_DOWN.translated(right, span_top))
            elif not arc.head_first and arc.opens:
                painter.drawPolygon(ARROW_DOWN.translated(left, span_top))
        if arc.opens or arc.closes:
            return self._label(arc.label, color, (left + right) / 2, row_y, arc.ghost)
        return None

    def _label(self, text: str, color: QColor, centre: float, row_y: float, framed: bool) -> QRectF:
        size = self._sizes.get(text)
        if size is None:
            metrics = QFontMetricsF(self.font)
            size = self._sizes[text] = (metrics.horizontalAdvance(text) + 6, metrics.height())
        width, height = size
        # centred on the arc's piece, but whole: a piece that comes from the line
        # above and ends near the margin would push its label out of the view
        left = max(0.0, min(centre - width / 2, self.width - width))
        rect = QRectF(left, row_y - height / 2, width, height)
        key = (text, color.rgba(), framed)
        image = self._images.get(key)
        if image is None:
            image = self._images[key] = self._label_image(text, color, size, framed)
        # at whole pixels: a label drawn at a fraction of a pixel would be resampled
        self.painter.drawPixmap(QPointF(round(rect.x()) - 1, round(rect.y()) - 1), image)
        return rect

    def _label_image(
        self, text: str, color: QColor, size: tuple[float, float], framed: bool
    ) -> QPixmap:
        """A label drawn once (its background, frame and text) at the device's pixel
        ratio, then copied wherever it shows: a third of the time of drawing a
        rounded rectangle and text for every arc."""
        ratio = self._ratio
        width, height = size
        image = QPixmap(math.ceil((width + 2) * ratio), math.ceil((height + 2) * ratio))
        image.setDevicePixelRatio(ratio)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(self.font)
        rect = QRectF(1, 1, width, height)
        painter.setBrush(self.base)
        painter.setPen(QPen(color, 1) if framed else NO_PEN)
        painter.drawRoundedRect(rect, 2, 2)
        painter.setPen(color)
        painter.drawText(rect, CENTRED, text)
        painter.end()
        return image


NO_BRUSH = Qt.BrushStyle.NoBrush
NO_PEN = Qt.PenStyle.NoPen
CENTRED = Qt.AlignmentFlag.AlignCenter
# the marks, made once at the origin and moved: an arrow head pointing down onto the
# child span, and chevrons where an arc comes from the line above or goes on below
ARROW_DOWN = QPolygonF([QPointF(0, 0), QPointF(-ARROW, -ARROW * 1.6), QPointF(ARROW, -ARROW * 1.6)])
CHEVRON_LEFT = QPolygonF([QPointF(-ARROW * 1.6, 0), QPointF(0, -ARROW), QPointF(0, ARROW)])
CHEVRON_RIGHT = QPolygonF([QPointF(ARROW * 1.6, 0), QPointF(0, -ARROW), QPointF(0, ARROW)])


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


_SIZES: dict[str, dict[str, tuple[float, float]]] = {}


def _label_sizes(font: QFont) -> dict[str, tuple[float, float]]:
    """Width and height of arc labels in ``font``, by text (measured once each)."""
    return _SIZES.setdefault(font.key(), {})


_IMAGES: dict[tuple[str, int, float], dict[tuple[str, int, bool], QPixmap]] = {}


def _label_images(font: QFont, base: QColor, ratio: float) -> dict[tuple[str, int, bool], QPixmap]:
    """Arc labels drawn in ``font`` on ``base`` at a pixel ratio, by (text, color,
    framed): as many as labels times colors and emphases, a few dozen."""
    return _IMAGES.setdefault((font.key(), base.rgba(), ratio), {})
