"""Pure arc arithmetic for relation arcs (no Qt): which part of an arc each text
line shows, and at which height, so that arcs on a line do not overlap where
they can avoid it (the same greedy rows as spaCy's displaCy ``get_levels`` and
brat's arc heights). Annotations are not strings here: see scene.py."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

ARC_GAP = 6.0  # horizontal room kept between two arcs on one row


class ArcEnds(NamedTuple):
    """A relation as two character ranges in text order (``first`` starts first).
    A named tuple: an article has thousands, made each time it is opened."""

    relation: int  # the relation's id
    first: tuple[int, int]
    second: tuple[int, int]

    @property
    def lo(self) -> int:
        return self.first[0]

    @property
    def hi(self) -> int:
        return self.second[0]


@dataclass(slots=True)
class ArcSegment:
    arc: int  # ArcEnds.relation
    left: float
    right: float
    opens: bool  # the left end is an endpoint (else the arc comes from the line above)
    closes: bool  # the right end is an endpoint (else it goes on to the line below)
    level: int = 0


def arc_ends(relation: int, a: tuple[int, int], b: tuple[int, int]) -> ArcEnds:
    return ArcEnds(relation, a, b) if a <= b else ArcEnds(relation, b, a)


def line_segments(
    arcs: Sequence[ArcEnds],
    line_start: int,
    line_end: int,
    width: float,
    x_of: Callable[[tuple[int, int]], float],
) -> list[ArcSegment]:
    """The pieces of ``arcs`` that the line ``[line_start, line_end)`` shows, with
    their rows. An arc is anchored at the start of each of its two spans: a line
    holding both anchors shows it whole; one holding the first anchor shows it
    running off to the right margin; one holding the second, coming in from the
    left margin; a line in between, crossing the full width."""
    segments: list[ArcSegment] = []
    for arc in arcs:
        opens = line_start <= arc.lo < line_end
        closes = line_start <= arc.hi < line_end
        if opens and closes:
            left, right = sorted((x_of(arc.first), x_of(arc.second)))
        elif opens:
            left, right = x_of(arc.first), width
        elif closes:
            left, right = 0.0, x_of(arc.second)
        elif arc.lo < line_start and arc.hi >= line_end:
            left, right = 0.0, width
        else:
            continue
        segments.append(ArcSegment(arc.relation, left, max(right, left + 1.0), opens, closes))
    # Short arcs take the low rows: sort by width first so that long arcs go over them.
    order = sorted(range(len(segments)), key=lambda i: segments[i].right - segments[i].left)
    levels = _levels_by_width([segments[i] for i in order])
    for i, level in zip(order, levels, strict=True):
        segments[i].level = level
    return segments


def _levels_by_width(segments: Sequence[ArcSegment]) -> list[int]:
    """Rows for segments given shortest first: each takes the lowest row that is
    free over its whole width and above every row used by a shorter segment it
    spans, so a longer arc always passes over the shorter arcs inside it."""
    placed: list[tuple[float, float, int]] = []
    levels: list[int] = []
    for seg in segments:
        inside = [lvl for lo, hi, lvl in placed if seg.left <= lo and hi <= seg.right]
        level = 1 + max(inside, default=-1)
        while any(
            lvl == level and lo < seg.right + ARC_GAP and seg.left < hi + ARC_GAP
            for lo, hi, lvl in placed
        ):
            level += 1
        placed.append((seg.left, seg.right, level))
        levels.append(level)
    return levels
