"""The article view: text with entity boxes, label tags and relation arcs, a
token caret and a token selection. Paints only the visible blocks (see
text_blocks.py), each from its ``BlockDrawing`` (scene.py).

The view owns no selection: it shows the ``ViewState`` the review controller
gives it and reports what the mouse does as signals."""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
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

from annotator.model import LayerDiff, Relation, Span, Tokens
from annotator.ui.arc_painter import ArcPainter
from annotator.ui.arc_source import ArcSource
from annotator.ui.block_layout import cursor_x
from annotator.ui.block_painter import MARGIN_X, Fonts, paint_block
from annotator.ui.on_screen import BlockShown, LineShown, lines_shown
from annotator.ui.pauses import settle_heap
from annotator.ui.scene import BlockDrawing, BlockScene, Palette, RelationArc, draw_block
from annotator.ui.screen_record import ScreenRecord
from annotator.ui.text_blocks import TextBlocks
from annotator.ui.view_state import ArcMode, ViewState

MARGIN_TOP = 10.0
MIN_POINT_SIZE, MAX_POINT_SIZE = 7.0, 40.0


class DocumentView(QAbstractScrollArea):
    """Shows one document; emits what the mouse does, paints what it is told."""

    spanClicked = Signal(int)  # span id
    relationClicked = Signal(int)  # relation id (a click on an arc's label)
    # a click on a proposed relation's label (adjudication): its arc's id, below 0 and
    # wider than a Signal(int) carries
    proposedRelationClicked = Signal(object)
    tokenClicked = Signal(int)  # a click on text outside spans: token index
    tokensDragged = Signal(int, int)  # a mouse drag over tokens: anchor, caret
    contextMenuWanted = Signal(QPoint)  # global position
    painted = Signal(bool)  # at the end of every paint: an article was painted

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # A viewport made here, not the one Qt makes: wrapping a widget that C++
        # created makes PySide6 build every QtWidgets class and its enums first
        # (7 ms of start-up before the first paint).
        viewport = QWidget(self)
        viewport.setBackgroundRole(QPalette.ColorRole.Base)
        viewport.setAutoFillBackground(True)
        self.setViewport(viewport)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.viewport().setMouseTracking(True)
        self.blocks = TextBlocks()
        self.tokens = Tokens((), ())
        self.spans: Sequence[Span] = ()
        self.diff = LayerDiff({}, ())
        self.state = ViewState()
        self.palette_ = Palette({}, {})
        self._arcs = ArcSource()  # spans and relations by id, and their arcs
        self.ghost_arcs: tuple[RelationArc, ...] = ()  # proposed relations, shown with D
        # What is on screen, per block and line: a change repaints only the lines
        # that differ (_repair; screen_record.py, on_screen.py).
        self.screen_record = ScreenRecord()
        self._drawings: dict[
            int, tuple[BlockScene, tuple[object, ...], BlockDrawing, tuple[LineShown, ...]]
        ] = {}
        self._repair_timer = QTimer(self)
        self._repair_timer.setSingleShot(True)
        self._repair_timer.setInterval(0)
        self._repair_timer.timeout.connect(self._repair)
        self._layouts_settled = 0  # blocks.layouts_made when the heap was last settled
        self._press_char: int | None = None
        self._dragged = False
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF(), 11.0))
        self._base_point_size = font.pointSizeF()
        self._font = font
        self.verticalScrollBar().setSingleStep(24)

    # ---- the view state (read-only here; the controller sets it) ----------

    def show_state(self, state: ViewState, reveal: tuple[int, int] | None = None) -> None:
        """Show ``state``; with ``reveal`` (characters), scroll them into view."""
        if state.show_deleted != self.state.show_deleted:
            self.blocks.set_ghosts(self.diff.deleted if state.show_deleted else ())
            self.blocks.set_ghost_arcs(self.ghost_arcs if state.show_deleted else ())
            self._update_scrollbar()
        self.state = state
        if reveal is not None:
            self.ensure_visible(*reveal)
        self._changed()

    @property
    def selected_span(self) -> int | None:
        return self.state.selected_span

    @property
    def selected_relation(self) -> int | None:
        return self.state.selected_relation

    @property
    def relation_head(self) -> int | None:
        return self.state.relation_head

    @property
    def caret(self) -> int:
        return self.state.caret

    @property
    def anchor(self) -> int | None:
        return self.state.anchor

    @property
    def arc_mode(self) -> ArcMode:
        return self.state.arc_mode

    @property
    def show_deleted(self) -> bool:
        return self.state.show_deleted

    def token_selection(self) -> tuple[int, int] | None:
        return self.state.token_selection() if len(self.tokens) else None

    # ---- what to show --------------------------------------------------

    def set_document(self, text: str, tokens: Tokens, sentence_starts: Sequence[int]) -> None:
        self.screen_record.clear()
        self._drawings.clear()
        self.tokens = tokens
        starts = [tokens.starts[i] for i in sentence_starts if i < len(tokens)]
        self.blocks.set_text(text, starts)
        if self.state.show_deleted:
            self.blocks.set_ghosts(self.diff.deleted)
        self.spans = ()
        self._arcs.clear()
        self.ghost_arcs = ()
        self._sync_geometry()
        self.verticalScrollBar().setValue(0)
        self._changed()

    def set_colors(self, colors: Mapping[str, str]) -> None:
        self.palette_ = Palette(dict(colors), self.palette_.arc_styles)
        self._changed()

    def set_relation_styles(self, styles: Mapping[str, tuple[str, bool]]) -> None:
        """Relation label -> (color, directed)."""
        self.palette_ = Palette(self.palette_.colors, dict(styles))
        self._changed()

    def set_spans(
        self, spans: Sequence[Span], diff: LayerDiff, touched: Sequence[Span] | None = None
    ) -> None:
        """Show ``spans`` (sorted by start); ``touched`` are the spans an edit
        removed or added (None: everything may have changed)."""
        self.spans = spans
        self.diff = diff
        moved = self._arcs.set_spans(spans, touched)
        ranges = None if touched is None else [(s.start, s.end) for s in touched]
        self.blocks.set_spans(spans, diff.changes, ranges)
        if self.state.show_deleted:
            self.blocks.set_ghosts(diff.deleted)
        self.blocks.update_arcs(moved, self._arcs.arcs(moved))
        self._update_scrollbar()
        self._changed()

    def set_relations(
        self, relations: Sequence[Relation], touched: Sequence[Relation] | None = None
    ) -> None:
        """Show these relations; only arcs that changed are laid out again.
        ``touched``: the relations an edit took out or put in (None: any may have)."""
        changed = self._arcs.set_relations(relations, touched)
        if changed is None:  # a newly opened document: every arc is new
            self.blocks.set_arcs(self._arcs.arcs(self._arcs.relation_ids))
        else:
            self.blocks.update_arcs(changed, self._arcs.arcs(changed))
        self._update_scrollbar()
        self._changed()

    def set_ghost_arcs(self, arcs: Sequence[RelationArc]) -> None:
        """Show these arcs of proposed relations (adjudication: ``RelationArc.tag``
        set, ids below 0) while deleted spans and proposals are shown (D)."""
        self.ghost_arcs = tuple(arcs)
        self.blocks.set_ghost_arcs(self.ghost_arcs if self.state.show_deleted else ())
        self._update_scrollbar()
        self._changed()

    def relation_start(self, relation_id: int | None) -> int | None:
        """Where the relation's arc starts in the text (None if it is not drawn)."""
        arc = self.blocks.arc(relation_id) if relation_id is not None else None
        return None if arc is None else arc.ends.lo

    def span_by_id(self, span_id: int | None) -> Span | None:
        return self._arcs.span(span_id)

    def drawing(self, index: int) -> BlockDrawing:
        """What block ``index`` paints (laid out first if needed)."""
        return self._drawn(index)[0]

    def _shown(self, index: int, top: float) -> BlockShown:
        """Block ``index`` as it is to be painted with its top at ``top``."""
        drawing, lines = self._drawn(index)
        return BlockShown(top, self.blocks.height(index), drawing, lines)

    def _drawn(self, index: int) -> tuple[BlockDrawing, tuple[LineShown, ...]]:
        """What block ``index`` paints, whole and per line."""
        block = self.blocks.laid_out(index)
        layout, scene = block.layout, block.scene
        assert layout is not None and scene is not None
        state = self.state
        selection = state.token_selection() if len(self.tokens) else None
        selection_chars = (
            (self.tokens.starts[selection[0]], self.tokens.ends[selection[1]])
            if selection
            else None
        )
        caret_chars = (
            (self.tokens.starts[state.caret], self.tokens.ends[state.caret])
            if len(self.tokens) and state.selected_span is None and state.caret < len(self.tokens)
            else None
        )

        # the same scene (by identity: a new layout makes a new one) under equal inputs
        # draws the same: reuse it
        inputs = (state, self.palette_, selection_chars, caret_chars)
        cached = self._drawings.get(index)
        if cached is not None and cached[0] is scene and cached[1] == inputs:
            return cached[2], cached[3]

        def x_of(line: int, offset: int) -> float:
            return cursor_x(layout.lineAt(line), offset - block.start)

        drawing = draw_block(scene, state, self.palette_, selection_chars, caret_chars, x_of)
        lines = lines_shown(scene, drawing, self.blocks.tag_height)
        self._drawings[index] = (scene, inputs, drawing, lines)
        return drawing, lines

    def zoom(self, steps: int) -> None:
        size = self._font.pointSizeF() + steps if steps else self._base_point_size
        self._font.setPointSizeF(max(MIN_POINT_SIZE, min(MAX_POINT_SIZE, size)))
        self._sync_geometry()
        if len(self.tokens):
            caret = self.state.caret
            self.ensure_visible(self.tokens.starts[caret], self.tokens.ends[caret])
        self._changed()

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
        assert block.layout is not None and block.scene is not None
        for n, info in enumerate(block.scene.lines):
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
        assert block.layout is not None and block.scene is not None
        lines = block.scene.lines
        for n, info in enumerate(lines):
            if offset < info.end or n == len(lines) - 1:
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
        assert block.layout is not None and block.scene is not None
        lines = block.scene.lines
        for n, info in enumerate(lines):
            line = block.layout.lineAt(n)
            if local < info.y + line.height() + 2 or n == len(lines) - 1:
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
        return max(0, min(len(self.tokens) - 1, bisect.bisect_left(self.tokens.starts, offset)))

    def span_at(self, pos: QPointF) -> Span | None:
        offset = self._offset_at(pos)
        if offset is None:
            return None
        for i in self.blocks.spans_in(offset, offset + 1):
            return self.spans[i]
        return None

    def token_at(self, pos: QPointF) -> int | None:
        offset = self._offset_at(pos)
        return None if offset is None else self._nearest_token(offset)

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
        # what is on screen moves with the pixels; Qt paints the strip uncovered
        self.screen_record.scrolled(dy)
        self.viewport().scroll(dx, dy)

    # ---- what to repaint ---------------------------------------------------

    def _changed(self) -> None:
        """Something shown may have changed: at the next turn of the event loop,
        repaint the blocks whose drawing differs from what is on screen."""
        self._repair_timer.start()

    def _visible(self) -> list[tuple[int, float]]:
        """(block index, top in the viewport) of the blocks on screen."""
        if not self.blocks.blocks:
            return []
        scroll = self._scroll()
        height = self.viewport().height()
        found = []
        index = self.blocks.block_at_y(scroll - MARGIN_TOP)
        while index < len(self.blocks.blocks):
            top = self.blocks.top(index) + MARGIN_TOP - scroll
            if top > height:
                break
            found.append((index, top))
            index += 1
        return found

    def _visible_laid_out(self) -> list[tuple[int, float]]:
        """``_visible``, with those blocks laid out first: laying a block out turns
        its estimated height into its real one, which moves the blocks below it
        (e.g. after every layout was dropped: zoom, or the ghosts changed)."""
        visible = self._visible()
        for _ in range(4):
            for index, _top in visible:
                self.blocks.laid_out(index)
            again = self._visible()
            if again == visible:
                break
            visible = again
        return visible

    def _repair(self) -> None:
        screen = self.viewport().rect()
        visible = [(i, self._shown(i, top)) for i, top in self._visible_laid_out()]
        region = self.screen_record.repair(visible, screen)
        if (
            self.blocks.blocks
            and self.screen_record.bottom() > self.blocks.total_height() - self._scroll()
        ):
            region += screen  # the article got shorter: below its end is stale
        if not region.isEmpty():
            self.viewport().update(region)

    @property
    def arc_hits(self) -> list[tuple[QRectF, int]]:
        """Arc labels on screen: (rectangle in the viewport, relation id)."""
        return self.screen_record.arc_hits

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
            anchor, caret = (first, last) if here >= self._press_char else (last, first)
            self.tokensDragged.emit(anchor, caret)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._press_char is None:
            return
        press, self._press_char = self._press_char, None
        if self._dragged:
            return
        for rect, relation_id in reversed(self.arc_hits):  # the last painted is on top
            if rect.contains(event.position()):
                if relation_id < 0:
                    self.proposedRelationClicked.emit(relation_id)
                else:
                    self.relationClicked.emit(relation_id)
                return
        span = self.span_at(event.position())
        if span is not None and span.id is not None:
            self.spanClicked.emit(span.id)
            return
        token = self._nearest_token(press)
        if token is not None:
            self.tokenClicked.emit(token)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        span = self.span_at(QPointF(event.pos()))
        if span is not None and span.id is not None and self.token_selection() is None:
            self.spanClicked.emit(span.id)
        self.contextMenuWanted.emit(event.globalPos())

    def paintEvent(self, event: QPaintEvent) -> None:
        # the viewport fills its background (autoFillBackground): a fillRect here
        # would also make PySide6 build QGradient and its enums to pick the overload
        painter = QPainter(self.viewport())
        palette = self.palette()
        region, area = event.region(), event.rect()
        if not self.blocks.blocks:
            painter.end()
            self.painted.emit(False)
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(self._font)
        fonts = Fonts(
            self._font,
            self.blocks.tag_font,
            self.blocks.tag_height,
            self.blocks.arc_height,
            ArcPainter(
                painter,
                self.blocks.tag_font,
                palette.color(QPalette.ColorRole.Highlight),
                palette.color(QPalette.ColorRole.Base),
                self.viewport().width(),
            ),
        )
        heights_before = self.blocks.total_height()
        stale = False
        screen = self.viewport().rect()
        clip = QRectF(area)
        for index, top in self._visible_laid_out():
            shown = self._shown(index, top)
            lines = self.screen_record.lines_to_paint(shown, region, screen)
            if not lines:
                continue
            block = self.blocks.blocks[index]
            assert block.layout is not None and block.scene is not None
            every = len(lines) == len(shown.lines)
            hits = paint_block(
                painter,
                block.layout,
                block.scene,
                shown.drawing,
                top,
                fonts,
                palette,
                None if every else set(lines),
                clip,
            )
            if not self.screen_record.painted(index, shown, lines, hits, region, screen):
                stale = True  # a line that differs lay partly outside: repair it
        painter.end()
        if self.blocks.layouts_made != self._layouts_settled:
            # what the new layouts made lives as long as they do: out of the
            # collector's reach (scrolling through a 1 MB article made 10^5 objects,
            # which full collections then scanned for 50-100 ms at a time)
            self._layouts_settled = self.blocks.layouts_made
            settle_heap()
        if stale:
            self._changed()
        if self.blocks.total_height() != heights_before:
            self._update_scrollbar()
        self.painted.emit(True)
