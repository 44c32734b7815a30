"""Lazily laid-out text blocks for the document view.

The text is cut into blocks (paragraphs, long ones cut at sentence starts). Each
block gets a QTextLayout and a ``BlockScene`` only when it is first needed
(painted or hit-tested); until then its height is estimated from its length.
Above every text line sits a band for the label tags of the spans that start on
that line (``stacking.stack_levels``), and above the tags the rows of the
relation arcs that the line shows (``arc_layout.line_segments``).

A laid-out block remembers the ``BlockContent`` it was built from. Whenever a
block is used, its content is taken afresh from the current spans, deleted
spans and arcs; if it differs, the block is laid out again. So what is drawn is
always a function of the data, whatever an edit forgot to invalidate.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QTextCharFormat,
    QTextLayout,
    QTextLine,
    QTextOption,
)

from annotator.model import Change, Span
from annotator.ui.arc_layout import ArcEnds, line_segments
from annotator.ui.heights import Heights
from annotator.ui.scene import (
    ArcPiece,
    BlockContent,
    BlockScene,
    Box,
    LineScene,
    RelationArc,
    SpanMark,
    Tag,
    ghost_tag,
)
from annotator.ui.stacking import split_blocks, stack_levels

TAG_PAD_X = 4.0
TAG_GAP = 3.0
LINE_GAP = 3.0
LONG_ARC = 2000  # arcs longer than this (characters) are kept in a short list of their own


@dataclass(slots=True)
class Block:
    start: int
    end: int
    layout: QTextLayout | None = None
    scene: BlockScene | None = None
    content: BlockContent | None = None  # what layout and scene were built from
    checked: int = -1  # the data generation its content was last compared at


class TextBlocks:
    """Blocks of one document laid out for a given width and fonts."""

    def __init__(self) -> None:
        self.text = ""
        self.blocks: list[Block] = []
        self._block_starts: list[int] = []
        self.spans: Sequence[Span] = ()
        self.changes: Mapping[int, Change] = {}
        self.ghosts: Sequence[Span] = ()  # deleted model spans, drawn on demand
        self._ghost_starts: list[int] = []
        self._arcs: dict[int, RelationArc] = {}  # relation id -> arc
        self._arc_keys: list[tuple[int, int]] = []  # (lo, relation id) of short arcs, sorted
        self._long_arcs: dict[int, RelationArc] = {}
        self._ghost_arcs: dict[int, RelationArc] = {}  # proposed relations (adjudication)
        self._heights = Heights()
        self._laid: set[int] = set()  # blocks with a layout
        self._dirty: set[int] = set()  # laid-out blocks whose content may have changed
        self._generation = 0  # counts changes of the spans, ghosts and arcs
        self.layouts_made = 0  # counts block layouts (for the collector: ui/pauses.py)
        self.width = 600.0
        self.font = QFont()
        self.tag_font = QFont()
        self._metrics = QFontMetricsF(self.font)
        self._tag_metrics = QFontMetricsF(self.tag_font)

    # ---- configuration -------------------------------------------------

    def set_text(self, text: str, sentence_start_chars: Sequence[int]) -> None:
        self.text = text
        self.blocks = [Block(s, e) for s, e in split_blocks(text, sentence_start_chars)]
        self._block_starts = [b.start for b in self.blocks]
        self.spans, self.changes, self.ghosts = (), {}, ()
        self._ghost_starts = []
        self._arcs, self._arc_keys, self._long_arcs = {}, [], {}
        self._ghost_arcs = {}
        self._laid = set()
        self._dirty = set()
        self.invalidate_all()

    def set_spans(
        self,
        spans: Sequence[Span],
        changes: Mapping[int, Change],
        touched: Iterable[tuple[int, int]] | None = None,
    ) -> None:
        """Replace the spans (sorted by start, not overlapping) and their changes
        from the model. The blocks over the ``touched`` character ranges get
        their heights measured again at once (all blocks if None); any other
        block whose content changed is laid out again when it is next used."""
        self.spans = spans
        self.changes = changes
        self._drop_ranges(touched)

    def set_ghosts(self, ghosts: Sequence[Span]) -> None:
        """Replace the ghosts (deleted model spans, or adjudication's proposals);
        only the blocks where they changed are measured again."""
        changed = set(self.ghosts).symmetric_difference(ghosts)
        self.ghosts = sorted(ghosts, key=lambda s: s.start)
        self._ghost_starts = [g.start for g in self.ghosts]
        self._drop_ranges([(g.start, max(g.end, g.start + 1)) for g in changed])

    def update_arcs(self, removed: Iterable[int], added: Iterable[RelationArc]) -> None:
        """Take out the arcs of the relation ids ``removed``, put in ``added``."""
        touched: list[tuple[int, int]] = []
        for relation_id in removed:
            arc = self._arcs.pop(relation_id, None)
            if arc is None:
                continue
            touched.append((arc.ends.lo, arc.ends.hi + 1))
            if self._long_arcs.pop(relation_id, None) is None:
                key = (arc.ends.lo, relation_id)
                i = bisect.bisect_left(self._arc_keys, key)
                if i < len(self._arc_keys) and self._arc_keys[i] == key:
                    del self._arc_keys[i]
        for arc in added:
            self._arcs[arc.id] = arc
            touched.append((arc.ends.lo, arc.ends.hi + 1))
            if arc.ends.hi - arc.ends.lo > LONG_ARC:
                self._long_arcs[arc.id] = arc
            else:
                bisect.insort(self._arc_keys, (arc.ends.lo, arc.id))
        self._drop_ranges(touched)

    def set_ghost_arcs(self, arcs: Sequence[RelationArc]) -> None:
        """Replace the arcs of proposed relations (adjudication; ids below 0, so
        never a relation's): laid out with the others, dashed when painted."""
        new = {a.id: a for a in arcs}
        removed = [i for i, a in self._ghost_arcs.items() if new.get(i) != a]
        added = [a for i, a in new.items() if self._ghost_arcs.get(i) != a]
        self._ghost_arcs = new
        if removed or added:
            self.update_arcs(removed, added)

    def set_arcs(self, arcs: Sequence[RelationArc]) -> None:
        """Replace every relation's arc (a newly opened document); the proposed
        relations' arcs stay."""
        arcs = [*arcs, *self._ghost_arcs.values()]
        self._arcs = {a.id: a for a in arcs}
        self._long_arcs = {a.id: a for a in arcs if a.ends.hi - a.ends.lo > LONG_ARC}
        long_arcs = self._long_arcs
        self._arc_keys = sorted((a.ends.lo, a.id) for a in arcs if a.id not in long_arcs)
        self._drop_ranges(None)

    def arc(self, relation_id: int) -> RelationArc | None:
        return self._arcs.get(relation_id)

    def set_geometry(self, width: float, font: QFont) -> None:
        if width == self.width and font == self.font:
            return
        self.width = max(80.0, width)
        self.font = QFont(font)
        self.tag_font = QFont(font)
        self.tag_font.setPointSizeF(max(6.0, font.pointSizeF() * 0.7))
        self.tag_font.setWeight(QFont.Weight.DemiBold)
        self._metrics = QFontMetricsF(self.font)
        self._tag_metrics = QFontMetricsF(self.tag_font)
        self.invalidate_all()

    def invalidate_all(self) -> None:
        """Forget every layout; heights go back to estimates."""
        self._generation += 1
        for i in self._laid:
            block = self.blocks[i]
            block.layout, block.scene, block.content = None, None, None
        self._laid = set()
        self._dirty = set()
        per_line, chars_per_line, gap = self._estimate_constants()
        text, length = self.text, len(self.text)
        self._heights.reset(
            [
                max(1, math.ceil((b.end - b.start) / chars_per_line)) * per_line
                + LINE_GAP
                + (gap if b.end < length and text[b.end] == "\n" else 0.0)
                for b in self.blocks
            ]
        )

    @property
    def tag_height(self) -> float:
        return self._tag_metrics.height() + 2

    @property
    def arc_height(self) -> float:
        return self._tag_metrics.height() + 3

    def tag_width(self, text: str) -> float:
        return self._tag_metrics.horizontalAdvance(text) + 2 * TAG_PAD_X

    # ---- content -------------------------------------------------------

    def spans_in(self, start: int, end: int) -> range:
        """Indexes (into ``spans``) of the spans that share characters with ``[start, end)``."""
        spans = self.spans
        first = bisect.bisect_right(spans, start, key=_end)
        last = bisect.bisect_left(spans, end, lo=first, key=_start)
        return range(first, max(first, last))

    def content(self, index: int) -> BlockContent:
        """What block ``index`` shows, taken from the current data."""
        block = self.blocks[index]
        start, end = block.start, block.end
        changes = self.changes
        marks = tuple(
            SpanMark(s.id, s.start, s.end, s.label, changes.get(s.id, Change.SAME))
            if s.id is not None
            else SpanMark(None, s.start, s.end, s.label)
            for s in (self.spans[i] for i in self.spans_in(start, max(end, start + 1)))
        )
        ghosts: tuple[Span, ...] = ()
        if self.ghosts:
            last = bisect.bisect_left(self._ghost_starts, max(end, start + 1))
            ghosts = tuple(g for g in self.ghosts[:last] if g.end > start)
        return BlockContent(marks, ghosts, self._arcs_touching(start, end))

    def _arcs_touching(self, start: int, end: int) -> tuple[RelationArc, ...]:
        if not self._arcs:
            return ()
        lo = bisect.bisect_left(self._arc_keys, (start - LONG_ARC, -1))
        hi = bisect.bisect_left(self._arc_keys, (max(end, start + 1), -1))
        stop = max(end, start + 1)
        arcs = self._arcs
        found = [a for _, rid in self._arc_keys[lo:hi] if (a := arcs[rid]).ends.hi >= start]
        if not self._long_arcs:
            return tuple(found)  # in (lo, id) order already, as _arc_keys
        found += (a for a in self._long_arcs.values() if a.ends.lo < stop and a.ends.hi >= start)
        return tuple(sorted(found, key=_arc_order))

    # ---- geometry ------------------------------------------------------

    def total_height(self) -> float:
        self._settle()
        return self._heights.total()

    def top(self, block: int) -> float:
        self._settle()
        return self._heights.top(block)

    def height(self, block: int) -> float:
        self._settle()
        return self._heights[block]

    def block_at_y(self, y: float) -> int:
        self._settle()
        return self._heights.index_at(y)

    def block_of(self, offset: int) -> int:
        """The block that holds character ``offset`` (a newline goes with the block before)."""
        return max(0, bisect.bisect_right(self._block_starts, offset) - 1)

    def blocks_of(self, start: int, end: int) -> range:
        return range(self.block_of(start), self.block_of(max(start, end - 1)) + 1)

    def laid_out(self, index: int) -> Block:
        """Block ``index``, laid out for its current content."""
        block = self.blocks[index]
        self._dirty.discard(index)
        if block.layout is not None and block.checked == self._generation:
            return block  # no data changed since its content was compared: paints reuse it
        content = self.content(index)
        if block.layout is None or block.content != content:
            self._heights.set(index, self._layout(block, content))
            self._laid.add(index)
        block.checked = self._generation
        return block

    def scene(self, index: int) -> BlockScene:
        scene = self.laid_out(index).scene
        assert scene is not None
        return scene

    # ---- internals -----------------------------------------------------

    def _drop_ranges(self, ranges: Iterable[tuple[int, int]] | None) -> None:
        """The laid-out blocks over ``ranges`` (all of them if None) are measured
        again before the next question about heights."""
        self._generation += 1  # every block compares its content again when next used
        if not self._laid:
            return
        if ranges is None:
            self._dirty |= self._laid
            return
        dirty: set[int] = set()
        for lo, hi in ranges:
            dirty.update(self.blocks_of(lo, hi))
        self._dirty |= dirty & self._laid

    def _settle(self) -> None:
        while self._dirty:
            self.laid_out(self._dirty.pop())

    def _estimate_constants(self) -> tuple[float, float, float]:
        """Estimated height per line, characters per line, paragraph gap."""
        chars_per_line = max(1.0, self.width / max(1.0, self._metrics.averageCharWidth()))
        per_line = self._metrics.height() + LINE_GAP + self.tag_height * 0.6
        return per_line, chars_per_line, self._paragraph_gap_height()

    def _paragraph_gap_height(self) -> float:
        return self._metrics.height() * 0.5

    def _paragraph_gap(self, block: Block) -> float:
        """Extra space after a block that ends a paragraph (a newline follows it)."""
        ends_paragraph = block.end < len(self.text) and self.text[block.end] == "\n"
        return self._paragraph_gap_height() if ends_paragraph else 0.0

    def _layout(self, block: Block, content: BlockContent) -> float:
        """Lay the block out for ``content``; returns its height."""
        base = block.start
        # What was laid out before is for this width and font (a new geometry drops
        # every layout), and positions in a line depend on its characters alone. The
        # text's lines depend on the spans' extents only (their text color): a relabel,
        # or a change of arcs, keeps them. A line keeps its boxes and tags if its spans
        # and deleted spans are the same, and its arc pieces if its arcs' ends fall in
        # the same places (the other block of a resized span's arc).
        old = block.scene
        old_lines = {(line.start, line.end): line for line in old.lines} if old else {}
        old_ghosts = block.content.ghosts if block.content is not None else ()
        layout = block.layout
        if (
            layout is None
            or block.content is None
            or _extents(block.content.spans) != _extents(content.spans)
        ):
            layout = self._text_layout(block, content)
        y = 0.0
        lines: list[LineScene] = []
        for n in range(layout.lineCount()):
            line = layout.lineAt(n)
            start = base + line.textStart()
            end = start + line.textLength()
            before = old_lines.get((start, end))
            spans = [s for s in content.spans if s.start < end and start < s.end]
            ghost_spans = [g for g in content.ghosts if g.start < end and start < g.end]
            if (
                before is not None
                and [b.span for b in before.boxes] == spans
                and [g for g in old_ghosts if g.start < end and start < g.end] == ghost_spans
            ):
                boxes, ghosts, tags = before.boxes, before.ghosts, before.tags
            else:
                boxes = tuple(
                    Box(
                        s,
                        cursor_x(line, max(s.start, start) - base),
                        cursor_x(line, min(s.end, end) - base),
                    )
                    for s in spans
                )
                ghosts = tuple(
                    (
                        cursor_x(line, max(g.start, start) - base),
                        cursor_x(line, min(g.end, end) - base),
                    )
                    for g in ghost_spans
                )
                tags = self._place_tags(line, start, end, base, content)
            tag_rows = 1 + max((t.level for t in tags), default=-1)
            band = tag_rows * self.tag_height + (TAG_GAP if tag_rows else 0.0)
            arcs = self._place_arcs(
                line, start, end, base, content.arcs, before.arcs if before else None
            )
            band += (1 + max((p.level for p in arcs), default=-1)) * self.arc_height
            y += band
            line.setPosition(QPointF(0.0, y))
            lines.append(
                LineScene(start, end, y, line.height(), tag_rows, boxes, ghosts, tags, arcs)
            )
            y += line.height() + LINE_GAP
        height = y + LINE_GAP + self._paragraph_gap(block)
        block.layout = layout
        block.scene = BlockScene(block.start, block.end, height, tuple(lines))
        block.content = content
        self.layouts_made += 1
        return height

    def _text_layout(self, block: Block, content: BlockContent) -> QTextLayout:
        """The block's text broken into lines of the width, spans in dark text
        (each line's position is set by ``_layout``)."""
        layout = QTextLayout(self.text[block.start : block.end], self.font)
        layout.setCacheEnabled(True)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        layout.setTextOption(option)
        layout.setFormats([self._format(span, block) for span in content.spans])
        layout.beginLayout()
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(self.width)
        layout.endLayout()
        return layout

    def _format(self, span: SpanMark, block: Block) -> QTextLayout.FormatRange:
        start = max(span.start, block.start)
        end = min(span.end, block.end)
        fmt = QTextCharFormat()
        fmt.setForeground(QColor("#111111"))  # dark text on the pastel label colors
        rng = QTextLayout.FormatRange()
        rng.start = start - block.start
        rng.length = end - start
        rng.format = fmt
        return rng

    def _place_arcs(
        self,
        line: QTextLine,
        start: int,
        end: int,
        base: int,
        arcs: Sequence[RelationArc],
        before: tuple[ArcPiece, ...] | None = None,
    ) -> tuple[ArcPiece, ...]:
        """The pieces of ``arcs`` that the line shows. ``before``: the pieces this
        line (the same characters, width and font) showed when laid out before;
        they are the answer again if they are of the same arcs, as the pieces
        depend only on the arcs and where the line's characters fall."""
        arcs = [a for a in arcs if a.ends.lo < end and a.ends.hi >= start]
        if not arcs:
            return ()
        if before is not None and len(before) == len(arcs):
            ends = [_ends_in(a.ends, start, end) for a in arcs]
            if ends == [_ends_in(p.arc.ends, start, end) for p in before]:
                return tuple(
                    p if p.arc is a else p._replace(arc=a)
                    for p, a in zip(before, arcs, strict=True)
                )

        def anchor_x(span: tuple[int, int]) -> float:
            left = cursor_x(line, span[0] - base)
            right = cursor_x(line, min(span[1], end) - base)
            return (left + right) / 2

        by_id = {a.id: a for a in arcs}
        segments = line_segments([a.ends for a in arcs], start, end, self.width, anchor_x)
        return tuple(
            ArcPiece(by_id[s.arc], s.left, s.right, s.opens, s.closes, s.level) for s in segments
        )

    def _place_tags(
        self, line: QTextLine, start: int, end: int, base: int, content: BlockContent
    ) -> tuple[Tag, ...]:
        placed: list[tuple[str, str, int | None, float, float]] = []
        for span in content.spans:
            if start <= span.start < end and span.start < span.end:
                text = span.tag_text
                x = cursor_x(line, span.start - base)
                placed.append((text, span.label, span.id, x, self.tag_width(text)))
        for ghost in content.ghosts:
            if start <= ghost.start < end:
                text = ghost_tag(ghost)
                x = cursor_x(line, ghost.start - base)
                placed.append((text, ghost.label, None, x, self.tag_width(text)))
        levels = stack_levels([(x, x + w) for _, _, _, x, w in placed], gap=2.0)
        return tuple(
            Tag(text, label, span_id, x, w, level)
            for (text, label, span_id, x, w), level in zip(placed, levels, strict=True)
        )


def _start(span: Span) -> int:
    return span.start


def _ends_in(ends: ArcEnds, start: int, end: int) -> tuple[int, object, object]:
    """What of an arc decides its piece on the line ``[start, end)``: its id, and
    the ends that fall on the line (the others only say "off the line")."""
    first = ends.first if start <= ends.lo < end else None
    second = ends.second if start <= ends.hi < end else None
    return ends.relation, first, second


def _extents(spans: Sequence[SpanMark]) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in spans]


def _arc_order(arc: RelationArc) -> tuple[int, int]:
    return arc.ends.lo, arc.id


def _end(span: Span) -> int:
    return span.end


def cursor_x(line: QTextLine, position: int) -> float:
    """x of a cursor position in a line (PySide6 returns ``(x, position)``)."""
    result: object = line.cursorToX(position)
    if isinstance(result, tuple):
        return float(result[0])
    return float(result)  # type: ignore[arg-type]
