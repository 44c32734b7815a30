"""What one text block of the article shows, as plain values (no Qt): named
tuples, which cost a quarter of a dataclass to define (start-up time).

``BlockScene`` is the block's content laid out: for every text line, the span
boxes, the label tags and the relation arcs with their positions. It is built
from the block's spans, deleted model spans and arcs only, and cached under
exactly those values (``BlockContent``), never under positions in a list that
edits shift.

``draw_block`` adds the view state (selection, caret, relation emphasis) and
the colors, giving ``BlockDrawing``: everything the painter draws, and what the
tests compare with a freshly built view.

No ``from __future__ import annotations`` here (nor in arc_layout.py): with
annotations as strings, typing compiles every field's annotation when a named
tuple is made, 90 compiles before the first paint (5 M instructions).
"""

from collections.abc import Callable, Mapping
from enum import Enum
from typing import NamedTuple

from annotator.model import Change, Span
from annotator.ui.arc_layout import ArcEnds
from annotator.ui.view_state import Emphasis, ViewState

CHANGE_MARKS = {Change.ADDED: "+", Change.RELABELED: "\u270e", Change.RESIZED: "\u2194"}
DEFAULT_COLOR = "#dddddd"
DEFAULT_ARC_COLOR = "#666666"
GHOST_COLOR = "#c92a2a"  # a deleted model span, or a reviewer's proposal (adjudication)


class SpanMark(NamedTuple):
    """A gold span as the view shows it: its extent, label and change from the model."""

    id: int | None
    start: int
    end: int
    label: str
    change: Change = Change.SAME

    @property
    def tag_text(self) -> str:
        mark = CHANGE_MARKS.get(self.change, "")
        return f"{mark}{self.label}"


def ghost_tag(span: Span) -> str:
    """Tag of a model span the review deleted, or of a reviewer's proposal
    (adjudication: its ``tag`` names the label and who proposed it)."""
    tag = getattr(span, "tag", None)
    return tag if isinstance(tag, str) else f"\u2212{span.label}"


class RelationArc(NamedTuple):
    """A relation as the view shows it: ends in text order, label, direction.
    A named tuple: an article has thousands, made each time it is opened.
    With a ``tag``, a relation some reviewers proposed that the final layer lacks
    (adjudication): drawn dashed, its label the tag (``ORG-AFF·ben``)."""

    ends: ArcEnds
    label: str
    head: int  # span ids
    child: int
    head_first: bool  # the head span comes first in the text
    tag: str = ""

    @property
    def id(self) -> int:
        return self.ends.relation


class BlockContent(NamedTuple):
    """Everything a block's scene depends on besides the text, width and fonts."""

    spans: tuple[SpanMark, ...]
    ghosts: tuple[Span, ...]
    arcs: tuple[RelationArc, ...]


# ---- the laid-out block --------------------------------------------------------


class Box(NamedTuple):
    span: SpanMark
    left: float  # x in the line
    right: float


class Tag(NamedTuple):
    text: str
    label: str
    span_id: int | None  # None for a deleted model span (a ghost)
    x: float
    width: float
    level: int  # tag row above the line, 0 nearest the text

    @property
    def ghost(self) -> bool:
        return self.span_id is None


class ArcPiece(NamedTuple):
    """The part of a relation arc that one text line shows."""

    arc: RelationArc
    left: float
    right: float
    opens: bool  # the left end is an endpoint (else the arc comes from the line above)
    closes: bool  # the right end is an endpoint (else it goes on to the line below)
    level: int


class LineScene(NamedTuple):
    start: int  # first character (absolute offset)
    end: int  # one past the last character
    y: float  # top of the text line, relative to the block
    height: float  # of the text line
    tag_rows: int
    boxes: tuple[Box, ...]
    ghosts: tuple[tuple[float, float], ...]  # left, right of deleted model spans
    tags: tuple[Tag, ...]
    arcs: tuple[ArcPiece, ...]


class BlockScene(NamedTuple):
    start: int
    end: int
    height: float
    lines: tuple[LineScene, ...]

    def line_of(self, offset: int) -> int:
        """The line holding ``offset`` (the last line for an offset past the end)."""
        for n, line in enumerate(self.lines):
            if offset < line.end:
                return n
        return len(self.lines) - 1


# ---- with the view state and colors: what is painted -----------------------


class Outline(Enum):
    NONE = "none"
    CHANGED = "changed"  # differs from the model: dashed
    SELECTED = "selected"


class BoxDrawing(NamedTuple):
    span_id: int | None
    line: int
    left: float
    right: float
    label: str
    color: str
    outline: Outline


class TagDrawing(NamedTuple):
    span_id: int | None  # None for a deleted model span
    label: str
    line: int
    x: float
    width: float
    level: int
    text: str
    color: str
    selected: bool
    ghost: bool


class ArcDrawing(NamedTuple):
    line: int
    relation_id: int
    label: str
    left: float
    right: float
    opens: bool
    closes: bool
    level: int
    head_first: bool
    color: str
    directed: bool
    emphasis: Emphasis
    ghost: bool = False  # a proposed relation (dashed, its label the proposers' tag)


class Stripe(NamedTuple):
    """A horizontal piece of one line: the token selection, the caret, a ghost."""

    line: int
    left: float
    right: float


class BlockDrawing(NamedTuple):
    boxes: tuple[BoxDrawing, ...]
    ghosts: tuple[Stripe, ...]
    tags: tuple[TagDrawing, ...]
    arcs: tuple[ArcDrawing, ...]
    selection: tuple[Stripe, ...]
    caret: Stripe | None
    # a likely missing span is selected: its ghost tag (text, color), on the first stripe
    suggestion: tuple[str, str] | None = None


class Palette(NamedTuple):
    """Label name -> color; relation label -> (color, directed)."""

    colors: Mapping[str, str]
    arc_styles: Mapping[str, tuple[str, bool]]


XOf = Callable[[int, int], float]  # (line number, absolute offset) -> x in the line


def draw_block(
    scene: BlockScene,
    state: ViewState,
    palette: Palette,
    selection_chars: tuple[int, int] | None,
    caret_chars: tuple[int, int] | None,
    x_of: XOf,
) -> BlockDrawing:
    """What to paint for one block: its scene under the view state.

    ``selection_chars`` is the token selection as characters; ``caret_chars``
    the caret token's characters (None while a span is selected)."""
    boxes: list[BoxDrawing] = []
    tags: list[TagDrawing] = []
    arcs: list[ArcDrawing] = []
    ghosts: list[Stripe] = []
    for n, line in enumerate(scene.lines):
        for box in line.boxes:
            span = box.span
            if span.id is not None and span.id == state.selected_span:
                outline = Outline.SELECTED
            elif span.change is not Change.SAME:
                outline = Outline.CHANGED
            else:
                outline = Outline.NONE
            color = palette.colors.get(span.label, DEFAULT_COLOR)
            boxes.append(BoxDrawing(span.id, n, box.left, box.right, span.label, color, outline))
        if state.show_deleted:
            ghosts.extend(Stripe(n, left, right) for left, right in line.ghosts)
        for tag in line.tags:
            selected = tag.span_id is not None and tag.span_id == state.selected_span
            color = palette.colors.get(tag.label, DEFAULT_COLOR)
            tags.append(
                TagDrawing(
                    tag.span_id,
                    tag.label,
                    n,
                    tag.x,
                    tag.width,
                    tag.level,
                    tag.text,
                    color,
                    selected,
                    tag.ghost,
                )
            )
        for piece in line.arcs:
            arc = piece.arc
            emphasis = state.arc_emphasis(arc.id, arc.head, arc.child)
            if emphasis is None:
                continue
            color, directed = palette.arc_styles.get(arc.label, (DEFAULT_ARC_COLOR, True))
            arcs.append(
                ArcDrawing(
                    n,
                    arc.id,
                    arc.tag or arc.label,
                    piece.left,
                    piece.right,
                    piece.opens,
                    piece.closes,
                    piece.level,
                    arc.head_first,
                    GHOST_COLOR if arc.tag else color,
                    directed,
                    emphasis,
                    bool(arc.tag),
                )
            )
    selection = _stripes(scene, selection_chars, x_of)
    caret = _caret(scene, caret_chars, x_of)
    suggestion = None
    starts_here = selection_chars is not None and (
        scene.start <= selection_chars[0] < max(scene.end, scene.start + 1)
    )
    if state.suggestion is not None and selection and starts_here:
        label = state.suggestion
        text = f"{label}?" if label else "?"
        suggestion = (text, palette.colors.get(label, DEFAULT_COLOR))
    return BlockDrawing(
        tuple(boxes), tuple(ghosts), tuple(tags), tuple(arcs), tuple(selection), caret, suggestion
    )


def _stripes(scene: BlockScene, chars: tuple[int, int] | None, x_of: XOf) -> list[Stripe]:
    if chars is None:
        return []
    start, end = chars
    stripes = []
    for n, line in enumerate(scene.lines):
        lo, hi = max(start, line.start), min(end, line.end)
        if lo < hi:
            stripes.append(Stripe(n, x_of(n, lo), x_of(n, hi)))
    return stripes


def _caret(scene: BlockScene, chars: tuple[int, int] | None, x_of: XOf) -> Stripe | None:
    if chars is None or not scene.lines:
        return None
    start, end = chars
    if not scene.start <= start < max(scene.end, scene.start + 1):
        return None
    n = scene.line_of(start)
    return Stripe(n, x_of(n, start), x_of(n, end))
