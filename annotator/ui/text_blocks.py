"""Lazily laid-out text blocks for the document view.

The text is cut into blocks (paragraphs, long ones cut at sentence starts). Each
block gets a QTextLayout only when it is first needed (painted or hit-tested);
until then its height is estimated from its length. Above every text line sits
a band for the label tags of the spans that start on that line; its height
depends on how many tag rows the line needs (``stacking.stack_levels``). Above
the tags sit the rows of the relation arcs that the line shows
(``arc_layout.line_segments``).
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

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

from annotator.model import Span
from annotator.ui.arc_layout import ArcEnds, ArcSegment, line_segments
from annotator.ui.stacking import split_blocks, stack_levels

TAG_PAD_X = 4.0
TAG_GAP = 3.0
LINE_GAP = 3.0


@dataclass(slots=True)
class Tag:
    span_index: int  # index into TextBlocks.spans, or -1 - index into TextBlocks.ghosts
    x: float
    width: float
    level: int


@dataclass(slots=True)
class LineInfo:
    y: float  # top of the text line, relative to the block
    band: float  # height of the tag band above the line
    start: int  # first character (absolute offset)
    end: int  # one past the last character (absolute offset)
    tags: list[Tag] = field(default_factory=list)
    tag_rows: int = 0
    arcs: list[ArcSegment] = field(default_factory=list)


@dataclass(slots=True)
class Block:
    start: int
    end: int
    layout: QTextLayout | None = None
    lines: list[LineInfo] = field(default_factory=list)
    height: float = 0.0


class TextBlocks:
    """Blocks of one document laid out for a given width and fonts."""

    def __init__(self) -> None:
        self.text = ""
        self.blocks: list[Block] = []
        self._block_starts: list[int] = []
        self.spans: Sequence[Span] = ()
        self.tag_text: Callable[[Span], str] = lambda span: span.label
        self.ghosts: Sequence[Span] = ()  # deleted model spans, drawn on demand
        self.arcs: list[ArcEnds] = []  # relations, by their first anchor
        self._span_starts: list[int] = []
        self._span_ends: list[int] = []
        self._tops: list[float] = [0.0]
        self._tops_dirty = True
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
        self.invalidate_all()

    def set_spans(
        self,
        spans: Sequence[Span],
        tag_text: Callable[[Span], str],
        touched: Sequence[Span] | None = None,
    ) -> None:
        """Replace the spans (sorted by start, not overlapping). Only the blocks
        holding a ``touched`` span are laid out again; all of them if it is None."""
        self.spans = spans
        self.tag_text = tag_text
        self._span_starts = [s.start for s in spans]
        self._span_ends = [s.end for s in spans]
        if touched is None:
            self.invalidate_all()
            return
        for b in sorted({b for s in touched for b in self.blocks_of(s.start, s.end)}):
            self._drop(b)

    def set_arcs(self, arcs: Sequence[ArcEnds], touched: Sequence[tuple[int, int]] | None) -> None:
        """Replace the relation arcs; lay out again the blocks that the character
        ranges ``touched`` cover (all blocks if None)."""
        self.arcs = sorted(arcs, key=lambda a: a.lo)
        if touched is None:
            self.invalidate_all()
            return
        dirty: set[int] = set()
        for lo, hi in touched:
            dirty.update(self.blocks_of(lo, hi + 1))
        for b in sorted(dirty):
            self._drop(b)

    @property
    def arc_height(self) -> float:
        return self._tag_metrics.height() + 3

    def set_ghosts(self, ghosts: Sequence[Span]) -> None:
        self.ghosts = sorted(ghosts, key=lambda s: s.start)
        self.invalidate_all()

    def ghosts_in(self, start: int, end: int) -> list[int]:
        return [i for i, g in enumerate(self.ghosts) if g.start < end and start < g.end]

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
        for i in range(len(self.blocks)):
            self._drop(i)

    @property
    def tag_height(self) -> float:
        return self._tag_metrics.height() + 2

    def tag_width(self, text: str) -> float:
        return self._tag_metrics.horizontalAdvance(text) + 2 * TAG_PAD_X

    # ---- geometry ------------------------------------------------------

    def total_height(self) -> float:
        return self._ensure_tops()[-1]

    def top(self, block: int) -> float:
        return self._ensure_tops()[block]

    def block_at_y(self, y: float) -> int:
        tops = self._ensure_tops()
        return max(0, min(len(self.blocks) - 1, bisect.bisect_right(tops, y) - 1))

    def block_of(self, offset: int) -> int:
        """The block that holds character ``offset`` (a newline goes with the block before)."""
        return max(0, bisect.bisect_right(self._block_starts, offset) - 1)

    def blocks_of(self, start: int, end: int) -> range:
        return range(self.block_of(start), self.block_of(max(start, end - 1)) + 1)

    def spans_in(self, start: int, end: int) -> range:
        """Indexes of the spans that share characters with ``[start, end)``."""
        first = bisect.bisect_right(self._span_ends, start)
        last = bisect.bisect_left(self._span_starts, end)
        return range(first, max(first, last))

    def laid_out(self, index: int) -> Block:
        block = self.blocks[index]
        if block.layout is None:
            self._layout(block)
            self._tops_dirty = True
        return block

    # ---- internals -----------------------------------------------------

    def _drop(self, index: int) -> None:
        block = self.blocks[index]
        block.layout = None
        block.lines = []
        block.height = self._estimate(block)
        self._tops_dirty = True

    def _estimate(self, block: Block) -> float:
        chars_per_line = max(1.0, self.width / max(1.0, self._metrics.averageCharWidth()))
        lines = max(1, math.ceil((block.end - block.start) / chars_per_line))
        line = self._metrics.height() + LINE_GAP + self.tag_height * 0.6
        return lines * line + LINE_GAP + self._paragraph_gap(block)

    def _paragraph_gap(self, block: Block) -> float:
        """Extra space after a block that ends a paragraph (a newline follows it)."""
        ends_paragraph = block.end < len(self.text) and self.text[block.end] == "\n"
        return self._metrics.height() * 0.5 if ends_paragraph else 0.0

    def _ensure_tops(self) -> list[float]:
        if self._tops_dirty:
            self._tops = [0.0, *itertools.accumulate(b.height for b in self.blocks)]
            self._tops_dirty = False
        return self._tops

    def _layout(self, block: Block) -> None:
        text = self.text[block.start : block.end]
        layout = QTextLayout(text, self.font)
        layout.setCacheEnabled(True)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        layout.setTextOption(option)
        span_range = self.spans_in(block.start, block.end)
        layout.setFormats([self._format(i, block) for i in span_range])
        arcs = [a for a in self.arcs if a.lo < block.end and a.hi >= block.start]
        layout.beginLayout()
        y = 0.0
        lines: list[LineInfo] = []
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(self.width)
            start = block.start + line.textStart()
            info = LineInfo(0.0, 0.0, start, start + line.textLength())
            self._place_tags(info, line, span_range, block.start)
            info.tag_rows = 1 + max((t.level for t in info.tags), default=-1)
            info.band = info.tag_rows * self.tag_height + (TAG_GAP if info.tag_rows else 0.0)
            if arcs:
                info.arcs = self._place_arcs(info, line, arcs, block.start)
                arc_rows = 1 + max((s.level for s in info.arcs), default=-1)
                info.band += arc_rows * self.arc_height
            y += info.band
            info.y = y
            line.setPosition(QPointF(0.0, y))
            y += line.height() + LINE_GAP
            lines.append(info)
        layout.endLayout()
        block.layout = layout
        block.lines = lines
        block.height = y + LINE_GAP + self._paragraph_gap(block)

    def _format(self, index: int, block: Block) -> QTextLayout.FormatRange:
        span = self.spans[index]
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
        self, info: LineInfo, line: QTextLine, arcs: list[ArcEnds], base: int
    ) -> list[ArcSegment]:
        def anchor_x(span: tuple[int, int]) -> float:
            start, end = span
            left = cursor_x(line, start - base)
            right = cursor_x(line, min(end, info.end) - base)
            return (left + right) / 2

        return line_segments(arcs, info.start, info.end, self.width, anchor_x)

    def _place_tags(self, info: LineInfo, line: QTextLine, span_range: range, base: int) -> None:
        placed: list[Tag] = []
        for i in span_range:
            span = self.spans[i]
            if not info.start <= span.start < info.end or span.start >= span.end:
                continue
            x = cursor_x(line, span.start - base)
            placed.append(Tag(i, x, self.tag_width(self.tag_text(span)), 0))
        for k in self.ghosts_in(info.start, info.end) if self.ghosts else ():
            ghost = self.ghosts[k]
            if info.start <= ghost.start < info.end:
                x = cursor_x(line, ghost.start - base)
                placed.append(Tag(-1 - k, x, self.tag_width(ghost_tag(ghost)), 0))
        levels = stack_levels([(t.x, t.x + t.width) for t in placed], gap=2.0)
        for tag, level in zip(placed, levels, strict=True):
            tag.level = level
        info.tags = placed


def cursor_x(line: QTextLine, position: int) -> float:
    """x of a cursor position in a line (PySide6 returns ``(x, position)``)."""
    result: object = line.cursorToX(position)
    if isinstance(result, tuple):
        return float(result[0])
    return float(result)  # type: ignore[arg-type]


def ghost_tag(span: Span) -> str:
    return f"\u2212{span.label}"
