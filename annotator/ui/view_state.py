"""The view state: what is selected, where the caret is, how relations show.

One immutable value, owned by the review controller. The article view and its
painters only read it; every change makes a new value (``dataclasses.replace``).
No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntEnum


class ArcMode(Enum):
    """How relations that do not touch the selected span are drawn."""

    ALL = "all"
    DIM = "dim"
    HIDE = "hide"

    def next(self) -> ArcMode:
        modes = list(ArcMode)
        return modes[(modes.index(self) + 1) % len(modes)]

    @property
    def description(self) -> str:
        return {
            ArcMode.ALL: "All relations shown.",
            ArcMode.DIM: "Relations of the selected span stand out; the others are dimmed.",
            ArcMode.HIDE: "Only the selected span's relations are shown.",
        }[self]


class Emphasis(IntEnum):
    """How strongly one relation arc is drawn."""

    DIMMED = 0
    NORMAL = 1
    TOUCHING = 2  # touches the selected span (or the head of a relation being made)
    SELECTED = 3  # the selected relation


@dataclass(frozen=True, slots=True)
class ViewState:
    caret: int = 0  # token index
    anchor: int | None = None  # a token selection is anchor..caret when set
    selected_span: int | None = None
    selected_relation: int | None = None
    relation_head: int | None = None  # a relation being made starts at this span
    arc_mode: ArcMode = ArcMode.ALL
    show_deleted: bool = False
    # a likely missing span is selected: the label Enter gives it ("" if none known)
    suggestion: str | None = None

    def token_selection(self) -> tuple[int, int] | None:
        """The selected token range (inclusive), or None without a selection."""
        if self.anchor is None:
            return None
        return min(self.anchor, self.caret), max(self.anchor, self.caret)

    @property
    def focus_span(self) -> int | None:
        """The span whose relations stand out."""
        return self.relation_head if self.relation_head is not None else self.selected_span

    @property
    def relation_mode(self) -> bool:
        """Relation label keys are live: a relation is being made or is selected."""
        return self.relation_head is not None or self.selected_relation is not None

    def arc_emphasis(self, relation_id: int, head: int, child: int) -> Emphasis | None:
        """How to draw a relation's arc; None hides it."""
        if relation_id == self.selected_relation:
            return Emphasis.SELECTED
        focus = self.focus_span
        if focus is not None and focus in (head, child):
            return Emphasis.TOUCHING
        if self.arc_mode is ArcMode.ALL or (focus is None and self.arc_mode is ArcMode.DIM):
            return Emphasis.NORMAL
        if self.arc_mode is ArcMode.DIM:
            return Emphasis.DIMMED
        return None
