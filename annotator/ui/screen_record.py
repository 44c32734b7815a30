"""What the article's viewport shows, block by block, and what a change or a
paint does to that: the Qt side of on_screen.py.

The view asks it which region to repaint after a change (``repair``), which
lines of a block a paint must draw (``lines_to_paint``), and tells it what a
paint drew (``painted``); it answers for clicks on arc labels (``arc_hits``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from PySide6.QtCore import QRect, QRectF
from PySide6.QtGui import QRegion

from annotator.ui.on_screen import BlockShown, block_extent, to_repaint

Hits = list[tuple[QRectF, int]]  # arc labels: rectangle, relation id


class ScreenRecord:
    """Per block on screen: what it shows (``BlockShown``, top in the viewport)
    as last painted, and per line the arc labels painted (rectangles relative to
    the block's top)."""

    def __init__(self) -> None:
        self.shown: dict[int, BlockShown] = {}
        self.hits: dict[int, dict[int, Hits]] = {}

    def clear(self) -> None:
        self.shown.clear()
        self.hits.clear()

    def scrolled(self, dy: int) -> None:
        """What is on screen moved with the pixels."""
        self.shown = {i: s._replace(top=s.top + dy) for i, s in self.shown.items()}

    def bottom(self) -> float:
        """The bottom of the lowest block on screen (0 with none)."""
        return max((s.top + s.height for s in self.shown.values()), default=0.0)

    def repair(self, visible: Iterable[tuple[int, BlockShown]], screen: QRect) -> QRegion:
        """The region to repaint so that the screen shows the ``visible`` blocks
        (index, as they are to be painted): of a block that stayed in place, its
        changed lines; of one that moved, changed size or is new, all of it; of one
        gone off screen, what it left. A change wholly off screen is recorded."""
        region = QRegion()
        width = screen.width()
        seen = set()
        for index, shown in visible:
            seen.add(index)
            old = self.shown.get(index)
            if old == shown:
                continue
            rects = [_rect(width, e) & screen for e in to_repaint(old, shown)]
            if all(r.isEmpty() for r in rects):
                self.shown[index] = shown
            for r in rects:
                region += r
        for index, old in list(self.shown.items()):
            if index not in seen:
                region += _rect(width, block_extent(old))
                del self.shown[index]
        return region

    @staticmethod
    def lines_to_paint(shown: BlockShown, region: QRegion, screen: QRect) -> list[int]:
        """The lines of a block whose paint reaches into ``region``."""
        top, width = shown.top, screen.width()
        if not region.intersects(_rect(width, block_extent(shown))):
            return []
        return [
            n
            for n, line in enumerate(shown.lines)
            if region.intersects(_rect(width, (top + line.top, top + line.bottom)))
        ]

    def painted(
        self,
        index: int,
        shown: BlockShown,
        lines: Sequence[int],
        hits: Iterable[tuple[int, QRectF, int]],
        region: QRegion,
        screen: QRect,
    ) -> bool:
        """A paint of ``region`` drew these lines of block ``index`` as ``shown``,
        with these arc labels (line, rectangle in the viewport, relation id).
        Returns whether the screen now shows the block as ``shown``: false when
        some line that differs lay partly outside the region (it is then repaired
        whole)."""
        by_line = self.hits.setdefault(index, {})
        if len(lines) == len(shown.lines):
            by_line.clear()
        for n in lines:
            by_line[n] = []
        for n, rect, relation in hits:
            by_line[n].append((rect.translated(0, -shown.top), relation))
        old = self.shown.get(index)
        width = screen.width()
        if all(_covers(region, _rect(width, e) & screen) for e in to_repaint(old, shown)):
            self.shown[index] = shown  # every pixel that differed was painted
            return True
        if old != shown:
            self.shown.pop(index, None)
            return False
        return True

    @property
    def arc_hits(self) -> Hits:
        """Arc labels on screen: (rectangle in the viewport, relation id), in the
        order painted (the last on top)."""
        found: Hits = []
        for index, shown in self.shown.items():
            by_line = self.hits.get(index, {})
            for line in sorted(n for n in by_line if n < len(shown.lines)):
                found += [(rect.translated(0, shown.top), rid) for rect, rid in by_line[line]]
        return found


def _rect(width: int, extent: tuple[float, float]) -> QRect:
    """The viewport rectangle of the pixels that an extent (top, bottom) touches."""
    top = math.floor(extent[0])
    return QRect(0, top, width, math.ceil(extent[1]) - top + 1)


def _covers(region: QRegion, rect: QRect) -> bool:
    """Every pixel of ``rect`` is in ``region`` (QRegion.contains only tests overlap)."""
    return QRegion(rect).subtracted(region).isEmpty()
