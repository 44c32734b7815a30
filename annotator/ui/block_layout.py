"""Laying out one text block of the article view: its text broken into lines
(a QTextLayout), and per line the span boxes, the label tags above it
(``stacking.stack_levels``) and above them the relation arcs it shows
(``arc_layout.line_segments``), with the bands they need (a ``BlockScene``).

A block laid out before, for the same width and font (a new geometry drops
every layout), is reused where it cannot have changed: positions in a line
depend on its characters alone, so the text's lines stay while the spans'
extents (their text color) do, a line's boxes and tags while its spans and
deleted spans do, and its arc pieces while its arcs' ends fall in the same
places (the other block of a resized span's arc).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

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

from annotator.ui.arc_layout import ArcEnds, line_segments
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
from annotator.ui.stacking import stack_levels

TAG_PAD_X = 4.0
TAG_GAP = 3.0
LINE_GAP = 3.0


@dataclass(frozen=True, slots=True)
class Measures:
    """The width and fonts blocks are laid out for."""

    width: float
    font: QFont
    tag_metrics: QFontMetricsF

    @property
    def tag_height(self) -> float:
        return self.tag_metrics.height() + 2

    @property
    def arc_height(self) -> float:
        return self.tag_metrics.height() + 3

    def tag_width(self, text: str) -> float:
        return self.tag_metrics.horizontalAdvance(text) + 2 * TAG_PAD_X


class Laid(NamedTuple):
    """A block laid out: its text's lines, its scene, and the content they show."""

    layout: QTextLayout
    scene: BlockScene
    content: BlockContent


def lay_out(
    text: str,
    base: int,
    content: BlockContent,
    measures: Measures,
    gap_after: float,
    before: Laid | None = None,
) -> Laid:
    """Lay out the block of ``text`` (which starts at ``base``) for ``content``,
    with ``gap_after`` below it; ``before``: how it was laid out last, for this
    width and font (reused where it cannot have changed)."""
    # the lines as laid out before, by their characters (see the module's text)
    old_lines = {(line.start, line.end): line for line in before.scene.lines} if before else {}
    old_ghosts = before.content.ghosts if before else ()
    if before is not None and _extents(before.content.spans) == _extents(content.spans):
        layout = before.layout
    else:
        layout = _text_layout(text, base, content, measures)
    y = 0.0
    lines: list[LineScene] = []
    for n in range(layout.lineCount()):
        line = layout.lineAt(n)
        start = base + line.textStart()
        end = start + line.textLength()
        old = old_lines.get((start, end))
        spans = [s for s in content.spans if s.start < end and start < s.end]
        ghost_spans = [g for g in content.ghosts if g.start < end and start < g.end]
        if (
            old is not None
            and [b.span for b in old.boxes] == spans
            and [g for g in old_ghosts if g.start < end and start < g.end] == ghost_spans
        ):
            boxes, ghosts, tags = old.boxes, old.ghosts, old.tags
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
            tags = _place_tags(line, start, end, base, content, measures)
        tag_rows = 1 + max((t.level for t in tags), default=-1)
        band = tag_rows * measures.tag_height + (TAG_GAP if tag_rows else 0.0)
        arcs = _place_arcs(
            line, start, end, base, content.arcs, measures.width, old.arcs if old else None
        )
        band += (1 + max((p.level for p in arcs), default=-1)) * measures.arc_height
        y += band
        line.setPosition(QPointF(0.0, y))
        lines.append(LineScene(start, end, y, line.height(), tag_rows, boxes, ghosts, tags, arcs))
        y += line.height() + LINE_GAP
    height = y + LINE_GAP + gap_after
    return Laid(layout, BlockScene(base, base + len(text), height, tuple(lines)), content)


def _text_layout(text: str, base: int, content: BlockContent, measures: Measures) -> QTextLayout:
    """The block's text broken into lines of the width, spans in dark text
    (each line's position is set by ``lay_out``)."""
    layout = QTextLayout(text, measures.font)
    layout.setCacheEnabled(True)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    end = base + len(text)
    layout.setFormats([_format(span, base, end) for span in content.spans])
    layout.beginLayout()
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(measures.width)
    layout.endLayout()
    return layout


def _format(span: SpanMark, base: int, block_end: int) -> QTextLayout.FormatRange:
    start = max(span.start, base)
    end = min(span.end, block_end)
    fmt = QTextCharFormat()
    fmt.setForeground(QColor("#111111"))  # dark text on the pastel label colors
    rng = QTextLayout.FormatRange()
    rng.start = start - base
    rng.length = end - start
    rng.format = fmt
    return rng


def _place_arcs(
    line: QTextLine,
    start: int,
    end: int,
    base: int,
    arcs: Sequence[RelationArc],
    width: float,
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
                p if p.arc is a else p._replace(arc=a) for p, a in zip(before, arcs, strict=True)
            )

    def anchor_x(span: tuple[int, int]) -> float:
        left = cursor_x(line, span[0] - base)
        right = cursor_x(line, min(span[1], end) - base)
        return (left + right) / 2

    by_id = {a.id: a for a in arcs}
    segments = line_segments([a.ends for a in arcs], start, end, width, anchor_x)
    return tuple(
        ArcPiece(by_id[s.arc], s.left, s.right, s.opens, s.closes, s.level) for s in segments
    )


def _place_tags(
    line: QTextLine, start: int, end: int, base: int, content: BlockContent, measures: Measures
) -> tuple[Tag, ...]:
    placed: list[tuple[str, str, int | None, float, float]] = []
    for span in content.spans:
        if start <= span.start < end and span.start < span.end:
            text = span.tag_text
            x = cursor_x(line, span.start - base)
            placed.append((text, span.label, span.id, x, measures.tag_width(text)))
    for ghost in content.ghosts:
        if start <= ghost.start < end:
            text = ghost_tag(ghost)
            x = cursor_x(line, ghost.start - base)
            placed.append((text, ghost.label, None, x, measures.tag_width(text)))
    levels = stack_levels([(x, x + w) for _, _, _, x, w in placed], gap=2.0)
    return tuple(
        Tag(text, label, span_id, x, w, level)
        for (text, label, span_id, x, w), level in zip(placed, levels, strict=True)
    )


def _ends_in(ends: ArcEnds, start: int, end: int) -> tuple[int, object, object]:
    """What of an arc decides its piece on the line ``[start, end)``: its id, and
    the ends that fall on the line (the others only say "off the line")."""
    first = ends.first if start <= ends.lo < end else None
    second = ends.second if start <= ends.hi < end else None
    return ends.relation, first, second


def _extents(spans: Sequence[SpanMark]) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in spans]


def cursor_x(line: QTextLine, position: int) -> float:
    """x of a cursor position in a line (PySide6 returns ``(x, position)``)."""
    result: object = line.cursorToX(position)
    if isinstance(result, tuple):
        return float(result[0])
    return float(result)  # type: ignore[arg-type]
