"""What the view has on screen, block by block and line by line, and which
lines a change must repaint. Plain values, no Qt.

A block's lines tile it from top to bottom: line ``n``'s band runs from the
bottom of line ``n - 1``'s text (0 for the first line) down to the bottom of
its own text (the last line's, to the block's bottom). Above its text a line
holds its label tags and its relation arcs; everything a line paints stays
within its band widened by ``BLEED`` on both sides (box outlines and the caret
reach 3.25 px beyond the text), except the dashed tag of a suggested span,
which sits one tag's height above the first selected line, band or not.

A line's ``key`` holds everything it paints: its place and characters, and its
part of the drawing. When a block stays where it was, only the lines whose key
or band changed are repainted; when it moves or changes size, all of it is.
"""

from collections.abc import Sequence
from typing import NamedTuple

from annotator.ui.scene import BlockDrawing, BlockScene

BLEED = 4.0  # how far a line paints beyond its band (box outlines, the caret)


class LineShown(NamedTuple):
    top: float  # of what the line paints, relative to the block's top
    bottom: float
    key: tuple[object, ...]  # everything the line paints


class BlockShown(NamedTuple):
    """A block as painted: where, how tall, its drawing, and per line what it shows."""

    top: float  # in the viewport
    height: float
    drawing: BlockDrawing
    lines: tuple[LineShown, ...]


def lines_shown(
    scene: BlockScene, drawing: BlockDrawing, tag_height: float
) -> tuple[LineShown, ...]:
    """Per line of ``scene``: the vertical extent of what it paints and its key."""
    count = len(scene.lines)
    items: list[list[object]] = [[] for _ in range(count)]
    for group in (drawing.boxes, drawing.ghosts, drawing.tags, drawing.arcs, drawing.selection):
        for item in group:
            items[item.line].append(item)
    suggested = drawing.selection[0].line if drawing.suggestion and drawing.selection else None
    shown: list[LineShown] = []
    above = 0.0
    for n, line in enumerate(scene.lines):
        bottom = scene.height if n == count - 1 else line.y + line.height
        top = above
        caret = drawing.caret if drawing.caret is not None and drawing.caret.line == n else None
        suggestion = drawing.suggestion if n == suggested else None
        if suggestion is not None:
            top = min(top, line.y - tag_height - 1)
        # where the line and its text are, and what it draws (not the laid-out scene
        # whole: an arc whose far end moved is drawn the same on this line)
        key: tuple[object, ...] = (line.start, line.end, line.y, line.height, line.tag_rows)
        key += (tuple(items[n]), caret, suggestion)
        shown.append(LineShown(top - BLEED, bottom + BLEED, key))
        above = line.y + line.height
    return tuple(shown)


def changed_lines(old: BlockShown | None, new: BlockShown) -> list[int] | None:
    """The lines of a block that differ between ``old`` (what is on screen) and
    ``new``; None when all of it must be repainted (not on screen, moved, resized,
    or laid out into another number of lines)."""
    if (
        old is None
        or old.top != new.top
        or old.height != new.height
        or len(old.lines) != len(new.lines)
    ):
        return None
    return [n for n, (a, b) in enumerate(zip(old.lines, new.lines, strict=True)) if a != b]


def extents(shown: BlockShown, lines: Sequence[int]) -> list[tuple[float, float]]:
    """Viewport (top, bottom) of what these lines of a block paint."""
    return [(shown.top + shown.lines[n].top, shown.top + shown.lines[n].bottom) for n in lines]


def block_extent(shown: BlockShown) -> tuple[float, float]:
    """Viewport (top, bottom) of what the whole block paints."""
    top = min((line.top for line in shown.lines), default=-BLEED)
    bottom = max((line.bottom for line in shown.lines), default=shown.height + BLEED)
    return shown.top + top, shown.top + bottom


def to_repaint(old: BlockShown | None, new: BlockShown) -> list[tuple[float, float]]:
    """Viewport (top, bottom) extents to repaint so that the screen shows ``new``
    where it showed ``old``: of the lines that changed, or of the whole block."""
    lines = changed_lines(old, new)
    if lines is None:
        return [block_extent(new)] + ([block_extent(old)] if old is not None else [])
    assert old is not None
    return extents(old, lines) + extents(new, lines)
