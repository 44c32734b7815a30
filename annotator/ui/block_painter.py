"""Painting of one text block of the document view: span boxes, text, arcs,
label tags, selection and caret. The view decides what is visible; this draws."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen, QTextLine

from annotator.model import Change, Span
from annotator.ui.arc_painter import ArcDraw, ArcStyle, paint_segment
from annotator.ui.text_blocks import Block, LineInfo, cursor_x, ghost_tag

if TYPE_CHECKING:
    from annotator.ui.document_view import DocumentView

MARGIN_X = 18.0
CHANGED_COLOR = QColor("#d9480f")
DELETED_COLOR = QColor("#c92a2a")


def paint_block(
    view: DocumentView, painter: QPainter, block: Block, top: float, palette: QPalette
) -> None:
    layout = block.layout
    assert layout is not None
    selection = view.token_selection()
    sel_range = (
        (view.tokens.starts[selection[0]], view.tokens.ends[selection[1]]) if selection else None
    )
    for n, info in enumerate(block.lines):
        line = layout.lineAt(n)
        y = top + info.y
        for i in view.blocks.spans_in(info.start, info.end):
            _paint_box(view, painter, block, line, info, view.spans[i], y, palette)
        if view.show_deleted:
            for k in view.blocks.ghosts_in(info.start, info.end):
                _paint_ghost(view, painter, block, line, info, view.blocks.ghosts[k], y)
        if sel_range:
            rect = _segment(view, block, line, info, sel_range[0], sel_range[1], y)
            if rect is not None:
                color = QColor(palette.color(QPalette.ColorRole.Highlight))
                color.setAlpha(90)
                painter.fillRect(rect, color)
    painter.setPen(palette.color(QPalette.ColorRole.Text))
    layout.draw(painter, QPointF(MARGIN_X, top))
    _paint_arcs(view, painter, block, top, palette)
    for info in block.lines:
        for tag in info.tags:
            _paint_tag(view, painter, tag.span_index, tag.x, top + info.y, tag.level, palette)
    _paint_caret(view, painter, block, top, palette)


def _segment(
    view: DocumentView,
    block: Block,
    line: QTextLine,
    info: LineInfo,
    start: int,
    end: int,
    y: float,
) -> QRectF | None:
    lo, hi = max(start, info.start), min(end, info.end)
    if lo >= hi:
        return None
    x1 = cursor_x(line, lo - block.start)
    x2 = cursor_x(line, hi - block.start)
    height = line.height()
    return QRectF(MARGIN_X + x1 - 2, y - 1, x2 - x1 + 4, height + 2)


def _paint_box(
    view: DocumentView,
    painter: QPainter,
    block: Block,
    line: QTextLine,
    info: LineInfo,
    span: Span,
    y: float,
    palette: QPalette,
) -> None:
    rect = _segment(view, block, line, info, span.start, span.end, y)
    if rect is None:
        return
    color = view.colors.get(span.label, QColor("#dddddd"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    painter.drawRoundedRect(rect, 3, 3)
    change = view.diff.changed(span.id) if span.id is not None else Change.SAME
    if span.id == view.selected_span:
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 2.5))
    elif change is not Change.SAME:
        painter.setPen(QPen(CHANGED_COLOR, 1.5, Qt.PenStyle.DashLine))
    else:
        return
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(rect.adjusted(-1, -1, 1, 1), 3, 3)


def _paint_ghost(
    view: DocumentView,
    painter: QPainter,
    block: Block,
    line: QTextLine,
    info: LineInfo,
    span: Span,
    y: float,
) -> None:
    rect = _segment(view, block, line, info, span.start, span.end, y)
    if rect is not None:
        painter.setPen(QPen(DELETED_COLOR, 1.5, Qt.PenStyle.DotLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(rect.adjusted(-2, -2, 2, 2), 3, 3)


def _paint_tag(
    view: DocumentView,
    painter: QPainter,
    index: int,
    x: float,
    line_y: float,
    level: int,
    palette: QPalette,
) -> None:
    ghost = index < 0
    span = view.blocks.ghosts[-1 - index] if ghost else view.spans[index]
    text = ghost_tag(span) if ghost else view.tag_text(span)
    width = view.blocks.tag_width(text)
    height = view.blocks.tag_height
    rect = QRectF(MARGIN_X + x - 2, line_y - (level + 1) * height - 1, width, height - 1)
    painter.setFont(view.blocks.tag_font)
    if ghost:
        painter.setPen(QPen(DELETED_COLOR, 1))
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
    else:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(view.colors.get(span.label, QColor("#dddddd")))
        if span.id == view.selected_span:
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 2))
    painter.drawRoundedRect(rect, 3, 3)
    painter.setPen(DELETED_COLOR if ghost else QColor("#111111"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    painter.setFont(view.text_font)


def _paint_caret(
    view: DocumentView, painter: QPainter, block: Block, top: float, palette: QPalette
) -> None:
    if not len(view.tokens) or view.selected_span is not None:
        return
    offset = view.tokens.starts[view.caret]
    if not block.start <= offset < max(block.end, block.start + 1):
        return
    assert block.layout is not None
    for n, info in enumerate(block.lines):
        if info.start <= offset < info.end or n == len(block.lines) - 1:
            line = block.layout.lineAt(n)
            start_x = cursor_x(line, offset - block.start)
            end_x = cursor_x(line, view.tokens.ends[view.caret] - block.start)
            y = top + info.y + line.height()
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Text), 2))
            painter.drawLine(QPointF(MARGIN_X + start_x, y + 1), QPointF(MARGIN_X + end_x, y + 1))
            return


def _paint_arcs(
    view: DocumentView, painter: QPainter, block: Block, top: float, palette: QPalette
) -> None:
    focus = view.relation_head if view.relation_head is not None else view.selected_span
    highlight = palette.color(QPalette.ColorRole.Highlight)
    base = palette.color(QPalette.ColorRole.Base)
    tag_height = view.blocks.tag_height
    arc_height = view.blocks.arc_height
    for info in block.lines:
        if not info.arcs:
            continue
        tags = info.tag_rows * tag_height + (3.0 if info.tag_rows else 0.0)
        for segment in info.arcs:
            relation = view.relations[segment.arc]
            touches = focus is not None and focus in (relation.head, relation.child)
            if relation.id == view.selected_relation:
                emphasis = 3
            elif touches:
                emphasis = 2
            elif view.arc_mode == "all" or (focus is None and view.arc_mode == "dim"):
                emphasis = 1
            elif view.arc_mode == "dim":
                emphasis = 0
            else:
                continue  # hidden
            style = view.arc_styles.get(relation.label, ArcStyle(QColor("#666666"), True))
            pair = view.arc_ends_of(relation.id)
            head_first = pair is None or _span_start(view, relation.head) == pair.lo
            row_y = top + info.y - tags - (segment.level + 0.5) * arc_height
            label_rect = paint_segment(
                painter,
                segment,
                ArcDraw(relation, head_first, style, emphasis),
                MARGIN_X,
                row_y,
                top + info.y - 1,
                view.blocks.tag_font,
                highlight,
                base,
            )
            if label_rect is not None and relation.id is not None:
                view.arc_hits.append((label_rect, relation.id))
    painter.setFont(view.text_font)


def _span_start(view: DocumentView, span_id: int) -> int | None:
    span = view.span_by_id(span_id)
    return None if span is None else span.start
