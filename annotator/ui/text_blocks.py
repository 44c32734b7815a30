"""Lazily laid-out text blocks for the document view.

The text is cut into blocks (paragraphs, long ones cut at sentence starts). Each
block gets a QTextLayout and a ``BlockScene`` (block_layout.py: lines, boxes,
label tags and relation arcs) only when it is first needed (painted or
hit-tested); until then its height is estimated from its length.

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

from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QTextLayout,
)

from annotator.model import Change, Span
from annotator.ui.block_layout import LINE_GAP, Laid, Measures, lay_out
from annotator.ui.heights import Heights
from annotator.ui.scene import (
    BlockContent,
    BlockScene,
    RelationArc,
    SpanMark,
)
from annotator.ui.stacking import split_blocks

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
        self._measures = Measures(self.width, self.font, QFontMetricsF(self.tag_font))

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
        self._measures = Measures(self.width, self.font, QFontMetricsF(self.tag_font))
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
        return self._measures.tag_height

    @property
    def arc_height(self) -> float:
        return self._measures.arc_height

    def tag_width(self, text: str) -> float:
        return self._measures.tag_width(text)

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
        before = None
        if block.layout is not None and block.scene is not None and block.content is not None:
            before = Laid(block.layout, block.scene, block.content)
        laid = lay_out(
            self.text[block.start : block.end],
            block.start,
            content,
            self._measures,
            self._paragraph_gap(block),
            before,
        )
        block.layout, block.scene, block.content = laid
        self.layouts_made += 1
        return laid.scene.height


def _start(span: Span) -> int:
    return span.start


def _arc_order(arc: RelationArc) -> tuple[int, int]:
    return arc.ends.lo, arc.id


def _end(span: Span) -> int:
    return span.end
