"""The article view: text with entity boxes and label tags, a token caret and a
token selection. Paints only the visible blocks (see text_blocks.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFont,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from annotator.model import Change, LayerDiff, Relation, Span, Tokens
from annotator.ui.arc_layout import ArcEnds, arc_ends
from annotator.ui.arc_painter import ArcStyle
from annotator.ui.block_painter import MARGIN_X, paint_block
from annotator.ui.text_blocks import TextBlocks, cursor_x

MARGIN_TOP = 10.0
CHANGE_MARKS = {Change.ADDED: "+", Change.RELABELED: "\u270e", Change.RESIZED: "\u2194"}
MIN_POINT_SIZE, MAX_POINT_SIZE = 7.0, 40.0
ARC_MODES = ("all", "dim", "hide")  # how relations not touching the selected span show


class DocumentView(QAbstractScrollArea):
    """Shows one document; emits what the mouse does, paints what it is told."""

    spanClicked = Signal(int)  # span id
    relationClicked = Signal(int)  # relation id (a click on an arc's label)
    selectionMade = Signal()  # a token selection was dragged with the mouse
    contextMenuWanted = Signal(QPoint)  # global position

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.viewport().setMouseTracking(True)
        self.blocks = TextBlocks()
        self.tokens = Tokens((), ())
        self.spans: Sequence[Span] = ()
        self.colors: dict[str, QColor] = {}
        self.diff = LayerDiff({}, ())
        self.show_deleted = False
        self.selected_span: int | None = None
        self.caret = 0
        self.anchor: int | None = None  # token selection is anchor..caret when set
        self.relations: list[Relation] = []
        self.arc_styles: dict[str, ArcStyle] = {}
        self.selected_relation: int | None = None
        self.relation_head: int | None = None  # a relation being made starts here
        self.arc_mode = "all"
        self._arc_ends: dict[int, tuple[ArcEnds, str]] = {}  # relation id -> ends, label
        self._relations_of_span: dict[int, list[int]] = {}  # span id -> relation ids
        self.arc_hits: list[tuple[QRectF, int]] = []  # arc labels painted last frame
        self._press_char: int | None = None
        self._dragged = False
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF(), 11.0))
        self._base_point_size = font.pointSizeF()
        self._font = font
        self.verticalScrollBar().setSingleStep(24)

    # ---- what to show --------------------------------------------------

    def set_document(self, text: str, tokens: Tokens, sentence_starts: Sequence[int]) -> None:
        self.tokens = tokens
        starts = [tokens.starts[i] for i in sentence_starts if i < len(tokens)]
        self.blocks.set_text(text, starts)
        self.spans = ()
        self.blocks.set_spans((), self.tag_text)
        self.relations = []
        self._arc_ends = {}
        self._relations_of_span = {}
        self.blocks.set_arcs([], None)
        self.selected_relation = None
        self.relation_head = None
        self.selected_span = None
        self.caret = 0
        self.anchor = None
        self._sync_geometry()
        self.verticalScrollBar().setValue(0)
        self.viewport().update()

    def set_colors(self, colors: Mapping[str, str]) -> None:
        self.colors = {name: QColor(value) for name, value in colors.items()}
        self.viewport().update()

    def set_spans(
        self, spans: Sequence[Span], diff: LayerDiff, touched: Sequence[Span] | None = None
    ) -> None:
        """Show ``spans``; with ``touched``, only the text around those is laid out again."""
        self.spans = spans
        self.diff = diff
        self.blocks.set_spans(spans, self.tag_text, touched)
        if self.show_deleted:
            self.blocks.set_ghosts(diff.deleted)
        if self.selected_span is not None and all(s.id != self.selected_span for s in spans):
            self.selected_span = None
        self._update_scrollbar()
        self.viewport().update()

    def set_relation_styles(self, styles: Mapping[str, tuple[str, bool]]) -> None:
        """Relation label -> (color, directed)."""
        self.arc_styles = {name: ArcStyle(QColor(c), d) for name, (c, d) in styles.items()}
        self.viewport().update()

    def set_relations(self, relations: Sequence[Relation]) -> None:
        """Show these relations; only the text under arcs that changed is laid out again."""
        by_id = {s.id: s for s in self.spans}
        ends: dict[int, tuple[ArcEnds, str]] = {}
        self._relations_of_span = {}
        for index, relation in enumerate(relations):
            head, child = by_id.get(relation.head), by_id.get(relation.child)
            if head is None or child is None or relation.id is None:
                continue
            pair = arc_ends(index, (head.start, head.end), (child.start, child.end))
            ends[relation.id] = (pair, relation.label)
            self._relations_of_span.setdefault(relation.head, []).append(relation.id)
            self._relations_of_span.setdefault(relation.child, []).append(relation.id)
        self.relations = list(relations)
        self._replace_arcs(ends)

    def spans_moved(self, touched: Sequence[Span]) -> None:
        """Spans changed (not the relations): move the arcs that end at them, if any."""
        affected = {r for s in touched for r in self._relations_of_span.get(s.id or -1, ())}
        if not affected:
            return
        by_id = {s.id: s for s in self.spans}
        ends = dict(self._arc_ends)
        for relation_id in affected:
            pair, label = ends[relation_id]
            relation = self.relations[pair.index]
            head, child = by_id.get(relation.head), by_id.get(relation.child)
            if head is None or child is None:
                del ends[relation_id]
                continue
            ends[relation_id] = (
                arc_ends(pair.index, (head.start, head.end), (child.start, child.end)),
                label,
            )
        self._replace_arcs(ends)

    def _replace_arcs(self, ends: dict[int, tuple[ArcEnds, str]]) -> None:
        touched: list[tuple[int, int]] = []
        for rid in set(ends) | set(self._arc_ends):
            old, new = self._arc_ends.get(rid), ends.get(rid)
            if _arc_key(old) != _arc_key(new):
                touched += [(e[0].lo, e[0].hi) for e in (old, new) if e is not None]
        self._arc_ends = ends
        if self.selected_relation is not None and self.selected_relation not in ends:
            self.selected_relation = None
        if touched or len(self.blocks.arcs) != len(ends):
            self.blocks.set_arcs([pair for pair, _ in ends.values()], touched)
            self._update_scrollbar()
        self.viewport().update()

    def select_relation(self, relation_id: int | None, scroll: bool = True) -> None:
        self.selected_relation = relation_id
        entry = self._arc_ends.get(relation_id) if relation_id is not None else None
        if entry is not None and scroll:
            self.ensure_visible(entry[0].lo, entry[0].lo + 1)
        self.viewport().update()

    def arc_ends_of(self, relation_id: int | None) -> ArcEnds | None:
        entry = self._arc_ends.get(relation_id) if relation_id is not None else None
        return None if entry is None else entry[0]

    def set_relation_head(self, span_id: int | None) -> None:
        self.relation_head = span_id
        self.viewport().update()

    def set_arc_mode(self, mode: str) -> None:
        self.arc_mode = mode
        self.viewport().update()

    def set_show_deleted(self, show: bool) -> None:
        self.show_deleted = show
        self.blocks.set_ghosts(self.diff.deleted if show else ())
        self._update_scrollbar()
        self.viewport().update()

    def select_span(self, span_id: int | None, scroll: bool = True) -> None:
        self.selected_span = span_id
        span = self.span_by_id(span_id)
        if span is not None:
            self.caret, self.anchor = span.token_start, None
            if scroll:
                self.ensure_visible(span.start, span.end)
        self.viewport().update()

    def set_token_selection(self, anchor: int | None, caret: int) -> None:
        if not len(self.tokens):
            return
        self.caret = max(0, min(caret, len(self.tokens) - 1))
        self.anchor = None if anchor is None else max(0, min(anchor, len(self.tokens) - 1))
        self.selected_span = None
        self.ensure_visible(self.tokens.starts[self.caret], self.tokens.ends[self.caret])
        self.viewport().update()

    def token_selection(self) -> tuple[int, int] | None:
        """The selected token range (inclusive), or None without a selection."""
        if self.anchor is None or not len(self.tokens):
            return None
        return min(self.anchor, self.caret), max(self.anchor, self.caret)

    def span_by_id(self, span_id: int | None) -> Span | None:
        if span_id is None:
            return None
        return next((s for s in self.spans if s.id == span_id), None)

    def zoom(self, steps: int) -> None:
        size = self._font.pointSizeF() + steps if steps else self._base_point_size
        self._font.setPointSizeF(max(MIN_POINT_SIZE, min(MAX_POINT_SIZE, size)))
        self._sync_geometry()
        self.ensure_visible(self.tokens.starts[self.caret], self.tokens.ends[self.caret])
        self.viewport().update()

    @property
    def text_font(self) -> QFont:
        return self._font

    def point_size(self) -> float:
        return self._font.pointSizeF()

    def set_point_size(self, size: float) -> None:
        self._font.setPointSizeF(max(MIN_POINT_SIZE, min(MAX_POINT_SIZE, size)))
        self._sync_geometry()

    # ---- geometry ------------------------------------------------------

    def ensure_visible(self, start: int, end: int) -> None:
        if not self.blocks.blocks:
            return
        rect = self._char_rect(start)
        if rect is None:
            return
        bar = self.verticalScrollBar()
        height = self.viewport().height()
        margin = min(height / 5, 120.0)  # keep some context around the target
        top, bottom = rect.top() - self.blocks.tag_height * 2, rect.bottom() + 8
        if top < bar.value() + margin or bottom > bar.value() + height - margin:
            bar.setValue(int(max(0.0, top - height / 3)))

    def viewport_point(self, offset: int) -> QPointF | None:
        """Viewport position of the middle of the character at ``offset``."""
        rect = self._char_rect(offset)
        if rect is None:
            return None
        block = self.blocks.laid_out(self.blocks.block_of(offset))
        assert block.layout is not None
        for n, info in enumerate(block.lines):
            if info.start <= offset < info.end:
                line = block.layout.lineAt(n)
                x = (
                    cursor_x(line, offset - block.start) + cursor_x(line, offset + 1 - block.start)
                ) / 2
                return QPointF(MARGIN_X + x, rect.center().y() - self._scroll())
        return None

    def line_neighbour(self, token: int, direction: int) -> int:
        """The token on the visual line above (-1) or below (+1) ``token``."""
        rect = self._char_rect(self.tokens.starts[token])
        if rect is None:
            return token
        y = rect.top() - 4 if direction < 0 else rect.bottom() + self.blocks.tag_height + 8
        offset = self._offset_at(QPointF(rect.left() + MARGIN_X, y - self._scroll()))
        if offset is None:
            return token
        found = self._nearest_token(offset)
        return token if found is None else found

    def _scroll(self) -> float:
        return float(self.verticalScrollBar().value())

    def _char_rect(self, offset: int) -> QRectF | None:
        """Rectangle of the text line at ``offset``, in document coordinates."""
        index = self.blocks.block_of(offset)
        block = self.blocks.laid_out(index)
        self._update_scrollbar()
        top = self.blocks.top(index) + MARGIN_TOP
        for info, n in zip(block.lines, range(len(block.lines)), strict=True):
            if offset < info.end or n == len(block.lines) - 1:
                assert block.layout is not None
                line = block.layout.lineAt(n)
                x = cursor_x(line, offset - block.start)
                return QRectF(x, top + info.y, 1.0, line.height())
        return None

    def _offset_at(self, pos: QPointF) -> int | None:
        """Character offset under a viewport position, or None past the text."""
        if not self.blocks.blocks:
            return None
        y = pos.y() + self._scroll() - MARGIN_TOP
        index = self.blocks.block_at_y(y)
        block = self.blocks.laid_out(index)
        local = y - self.blocks.top(index)
        assert block.layout is not None
        for n, info in enumerate(block.lines):
            line = block.layout.lineAt(n)
            if local < info.y + line.height() + 2 or n == len(block.lines) - 1:
                cursor = line.xToCursor(pos.x() - MARGIN_X)
                return block.start + min(cursor, info.end - block.start)
        return None

    def _nearest_token(self, offset: int) -> int | None:
        if not len(self.tokens):
            return None
        hit = self.tokens.token_at(offset)
        if hit is not None:
            return hit
        snapped = self.tokens.snap(offset, offset + 1, "expand")
        if snapped is not None:
            return snapped[0]
        import bisect

        return max(0, min(len(self.tokens) - 1, bisect.bisect_left(self.tokens.starts, offset)))

    def span_at(self, pos: QPointF) -> Span | None:
        offset = self._offset_at(pos)
        if offset is None:
            return None
        for i in self.blocks.spans_in(offset, offset + 1):
            return self.spans[i]
        return None

    def _sync_geometry(self) -> None:
        width = self.viewport().width() - 2 * MARGIN_X
        self.blocks.set_geometry(float(width), self._font)
        self._update_scrollbar()

    def _update_scrollbar(self) -> None:
        bar = self.verticalScrollBar()
        total = self.blocks.total_height() + 2 * MARGIN_TOP
        bar.setPageStep(self.viewport().height())
        bar.setRange(0, max(0, int(total) - self.viewport().height()))

    # ---- Qt events -----------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        first = self.blocks.block_at_y(self._scroll()) if self.blocks.blocks else 0
        anchor_offset = self.blocks.blocks[first].start if self.blocks.blocks else 0
        self._sync_geometry()
        if self.blocks.blocks and anchor_offset:
            self.verticalScrollBar().setValue(int(self.blocks.top(first)))

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        self.viewport().update()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(1 if event.angleDelta().y() > 0 else -1)
            event.accept()
            return
        super().wheelEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.setFocus()
        if event.button() != Qt.MouseButton.LeftButton:
            return
        self._press_char = self._offset_at(event.position())
        self._dragged = False

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press_char is None or not event.buttons() & Qt.MouseButton.LeftButton:
            return
        here = self._offset_at(event.position())
        if here is None or here == self._press_char:
            return
        first = self._nearest_token(min(self._press_char, here))
        last = self._nearest_token(max(self._press_char, here) - 1)
        if first is not None and last is not None:
            self._dragged = True
            self.selected_span = None
            self.anchor, self.caret = (first, last) if here >= self._press_char else (last, first)
            self.viewport().update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._press_char is None:
            return
        press, self._press_char = self._press_char, None
        if self._dragged:
            self.selectionMade.emit()
            return
        for rect, relation_id in reversed(self.arc_hits):  # the last painted is on top
            if rect.contains(event.position()):
                self.relationClicked.emit(relation_id)
                return
        span = self.span_at(event.position())
        if span is not None and span.id is not None:
            self.spanClicked.emit(span.id)
            return
        token = self._nearest_token(press)
        if token is not None:
            self.set_token_selection(None, token)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        span = self.span_at(QPointF(event.pos()))
        if span is not None and span.id is not None and self.token_selection() is None:
            self.spanClicked.emit(span.id)
        self.contextMenuWanted.emit(event.globalPos())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        palette = self.palette()
        painter.fillRect(event.rect(), palette.color(QPalette.ColorRole.Base))
        self.arc_hits = []
        if not self.blocks.blocks:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        scroll = self._scroll()
        height = self.viewport().height()
        index = self.blocks.block_at_y(scroll - MARGIN_TOP)
        heights_before = self.blocks.total_height()
        while index < len(self.blocks.blocks):
            block = self.blocks.laid_out(index)
            top = self.blocks.top(index) + MARGIN_TOP - scroll
            if top > height:
                break
            paint_block(self, painter, block, top, palette)
            index += 1
        painter.end()
        if self.blocks.total_height() != heights_before:
            self._update_scrollbar()

    # ---- painting ------------------------------------------------------

    def tag_text(self, span: Span) -> str:
        change = self.diff.changed(span.id) if span.id is not None else Change.SAME
        mark = CHANGE_MARKS.get(change, "")
        return f"{mark}{span.label}" if mark else span.label


def _arc_key(entry: tuple[ArcEnds, str] | None) -> tuple[object, ...] | None:
    if entry is None:
        return None
    pair, label = entry
    return (pair.first, pair.second, label)
