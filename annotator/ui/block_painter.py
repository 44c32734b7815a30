"""Paint one text block of the document view from its ``BlockDrawing``: span
boxes, text, arcs, label tags, selection and caret. It reads values only; what
to draw was decided in ``scene.draw_block``."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPen, QTextLayout

from annotator.ui.arc_painter import ArcPainter
from annotator.ui.scene import GHOST_COLOR, BlockDrawing, BlockScene, Outline, Stripe

MARGIN_X = 18.0
CHANGED_COLOR = QColor("#d9480f")
DELETED_COLOR = QColor(GHOST_COLOR)
TEXT_ON_LABEL = QColor("#111111")
# Outlines of changed spans, suggestions (dashed) and deleted spans (dotted). Qt
# dashes a line from where the repainted area clips it, so a repaint of some lines
# may shade the dots' edges a little differently from a paint of the whole view;
# the screen tests make these solid to compare pixels exactly.
DASHED = Qt.PenStyle.DashLine
DOTTED = Qt.PenStyle.DotLine


@dataclass(frozen=True, slots=True)
class Fonts:
    """The fonts and measures of one paint, and its painter of arcs."""

    text: QFont
    tag: QFont
    tag_height: float
    arc_height: float
    arcs: ArcPainter


def paint_block(
    painter: QPainter,
    layout: QTextLayout,
    scene: BlockScene,
    drawing: BlockDrawing,
    top: float,
    fonts: Fonts,
    palette: QPalette,
    lines: Container[int] | None = None,
    clip: QRectF | None = None,
) -> list[tuple[int, QRectF, int]]:
    """Paint ``lines`` of the block (None: all) with its top at ``top``, in the
    same order as the whole block (boxes, text, arcs, tags, caret), so that a
    repaint of some lines leaves the pixels a whole paint would. ``clip``: the
    text of lines outside it is not drawn. Returns the arc labels painted (line,
    rectangle, relation id), for clicks."""
    first = drawing.selection[0] if drawing.selection else None  # the suggestion's tag is here
    if lines is not None:
        drawing = _only(drawing, lines)
        if first is not None and first.line not in lines:
            first = None
    highlight = palette.color(QPalette.ColorRole.Highlight)
    colors: dict[str, QColor] = {}

    def color(name: str) -> QColor:
        found = colors.get(name)
        if found is None:
            found = colors[name] = QColor(name)
        return found

    def rect(line: int, left: float, right: float) -> QRectF:
        info = scene.lines[line]
        return QRectF(MARGIN_X + left - 2, top + info.y - 1, right - left + 4, info.height + 2)

    for box in drawing.boxes:
        r = rect(box.line, box.left, box.right)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color(box.color))
        painter.drawRoundedRect(r, 3, 3)
        if box.outline is Outline.SELECTED:
            painter.setPen(QPen(highlight, 2.5))
        elif box.outline is Outline.CHANGED:
            painter.setPen(QPen(CHANGED_COLOR, 1.5, DASHED))
        else:
            continue
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(r.adjusted(-1, -1, 1, 1), 3, 3)
    for ghost in drawing.ghosts:
        painter.setPen(QPen(DELETED_COLOR, 1.5, DOTTED))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(
            rect(ghost.line, ghost.left, ghost.right).adjusted(-2, -2, 2, 2), 3, 3
        )
    if drawing.selection:
        shade = QColor(highlight)
        shade.setAlpha(90)
        for stripe in drawing.selection:
            painter.fillRect(rect(stripe.line, stripe.left, stripe.right), shade)
            if drawing.suggestion is not None:  # a likely missing span: a dashed ghost
                painter.setPen(QPen(highlight, 1.5, DASHED))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                r = rect(stripe.line, stripe.left, stripe.right)
                painter.drawRoundedRect(r.adjusted(-1, -1, 1, 1), 3, 3)
    painter.setPen(palette.color(QPalette.ColorRole.Text))
    if clip is None:
        layout.draw(painter, QPointF(MARGIN_X, top))
    else:
        layout.draw(painter, QPointF(MARGIN_X, top), [], clip)
    hits = _paint_arcs(painter, scene, drawing, top, fonts)
    _paint_tags(painter, scene, drawing, top, fonts, palette)
    if drawing.caret is not None:
        _paint_caret(painter, scene, drawing.caret, top, palette)
    if drawing.suggestion is not None and first is not None:
        _paint_suggestion(painter, scene, first, drawing.suggestion, top, fonts, palette)
    return hits


def _only(drawing: BlockDrawing, lines: Container[int]) -> BlockDrawing:
    """The part of ``drawing`` on these lines."""
    caret = drawing.caret
    return BlockDrawing(
        tuple(b for b in drawing.boxes if b.line in lines),
        tuple(g for g in drawing.ghosts if g.line in lines),
        tuple(t for t in drawing.tags if t.line in lines),
        tuple(a for a in drawing.arcs if a.line in lines),
        tuple(s for s in drawing.selection if s.line in lines),
        caret if caret is not None and caret.line in lines else None,
        drawing.suggestion,
    )


def _paint_arcs(
    painter: QPainter,
    scene: BlockScene,
    drawing: BlockDrawing,
    top: float,
    fonts: Fonts,
) -> list[tuple[int, QRectF, int]]:
    if not drawing.arcs:
        return []
    arcs = fonts.arcs
    painter.setFont(fonts.tag)
    hits: list[tuple[int, QRectF, int]] = []
    tag_height, arc_height = fonts.tag_height, fonts.arc_height
    for arc in drawing.arcs:
        info = scene.lines[arc.line]
        tags = info.tag_rows * tag_height + (3.0 if info.tag_rows else 0.0)
        row_y = top + info.y - tags - (arc.level + 0.5) * arc_height
        label_rect = arcs.paint(arc, MARGIN_X, row_y, top + info.y - 1)
        if label_rect is not None:
            hits.append((arc.line, label_rect, arc.relation_id))
    painter.setFont(fonts.text)
    return hits


def _paint_tags(
    painter: QPainter,
    scene: BlockScene,
    drawing: BlockDrawing,
    top: float,
    fonts: Fonts,
    palette: QPalette,
) -> None:
    if not drawing.tags:
        return
    painter.setFont(fonts.tag)
    height = fonts.tag_height
    for tag in drawing.tags:
        line_y = top + scene.lines[tag.line].y
        r = QRectF(
            MARGIN_X + tag.x - 2, line_y - (tag.level + 1) * height - 1, tag.width, height - 1
        )
        if tag.ghost:
            painter.setPen(QPen(DELETED_COLOR, 1))
            painter.setBrush(palette.color(QPalette.ColorRole.Base))
        else:
            painter.setPen(
                QPen(palette.color(QPalette.ColorRole.Highlight), 2)
                if tag.selected
                else Qt.PenStyle.NoPen
            )
            painter.setBrush(QColor(tag.color))
        painter.drawRoundedRect(r, 3, 3)
        painter.setPen(DELETED_COLOR if tag.ghost else TEXT_ON_LABEL)
        painter.drawText(r, Qt.AlignmentFlag.AlignCenter, tag.text)
    painter.setFont(fonts.text)


def _paint_suggestion(
    painter: QPainter,
    scene: BlockScene,
    first: Stripe,
    suggestion: tuple[str, str],
    top: float,
    fonts: Fonts,
    palette: QPalette,
) -> None:
    """The suggested label of a likely missing span, as a dashed tag over its
    start (``first``: the first line of the selection)."""
    text, color = suggestion
    info = scene.lines[first.line]
    painter.setFont(fonts.tag)
    width = painter.fontMetrics().horizontalAdvance(text) + 8
    height = fonts.tag_height
    r = QRectF(MARGIN_X + first.left - 2, top + info.y - height - 1, width, height - 1)
    fill = QColor(color)
    fill.setAlpha(150)
    painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 1, DASHED))
    painter.setBrush(fill)
    painter.drawRoundedRect(r, 3, 3)
    painter.setPen(TEXT_ON_LABEL)
    painter.drawText(r, Qt.AlignmentFlag.AlignCenter, text)
    painter.setFont(fonts.text)


def _paint_caret(
    painter: QPainter, scene: BlockScene, caret: Stripe, top: float, palette: QPalette
) -> None:
    info = scene.lines[caret.line]
    y = top + info.y + info.height + 1
    painter.setPen(QPen(palette.color(QPalette.ColorRole.Text), 2))
    painter.drawLine(QPointF(MARGIN_X + caret.left, y), QPointF(MARGIN_X + caret.right, y))
