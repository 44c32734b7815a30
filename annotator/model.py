"""Pure domain objects and span operations. No Qt, no SQL, no spaCy.

Offsets are character offsets into ``Document.text``; ``end`` is exclusive.
Token indices follow Prodigy's convention: ``token_end`` is *inclusive*.
"""

from __future__ import annotations

import bisect
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from annotator.errors import AnnotatorError

AlignmentMode = Literal["strict", "contract", "expand"]


class Status(enum.StrEnum):
    """Review state of a document."""

    TODO = "todo"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    SKIPPED = "skipped"


class Layer(enum.StrEnum):
    """``model`` is what the pipeline predicted (never edited); ``gold`` is the review;
    ``final`` is the adjudicated result of a team's reviews. A merged team database
    also has one layer per reviewer, named ``reviewer:NAME`` (``reviewer_layer``);
    functions that take any layer take its name, a ``str``."""

    MODEL = "model"
    GOLD = "gold"
    FINAL = "final"


REVIEWER_LAYER_PREFIX = "reviewer:"


def reviewer_layer(name: str) -> str:
    """The layer holding one reviewer's review in a merged team database."""
    return f"{REVIEWER_LAYER_PREFIX}{name}"


def layer_reviewer(layer: str) -> str | None:
    """The reviewer a ``reviewer:NAME`` layer belongs to, or None for another layer."""
    if layer.startswith(REVIEWER_LAYER_PREFIX):
        return layer[len(REVIEWER_LAYER_PREFIX) :]
    return None


def is_layer_name(layer: str) -> bool:
    """``model``, ``gold``, ``final``, or ``reviewer:NAME`` with a non-empty name that
    is trimmed and has no control characters (the database's CHECK is looser)."""
    if layer in {member.value for member in Layer}:
        return True
    name = layer_reviewer(layer)
    return bool(name) and name == (name or "").strip() and (name or "").isprintable()


# a document's meta says where its model layer came from when no pipeline predicted
# it: MODEL_LAYER_KEY: IMPORTED, when an input brought its own spans (doccano, brat,
# JSONL gold, ...); its "pipeline" then only tokenized it (the importer writes this,
# a re-annotation removes it, rehearsal does not take such a layer for the base's)
MODEL_LAYER_KEY = "model_layer"
IMPORTED = "imported"


class LabelKind(enum.StrEnum):
    ENTITY = "entity"
    RELATION = "relation"


class SpanError(AnnotatorError, ValueError):
    """A span that cannot exist in a document (out of bounds, misaligned, overlapping)."""


@dataclass(frozen=True, slots=True)
class Label:
    name: str
    kind: LabelKind
    color: str
    hotkey: str = ""
    description: str = ""
    # relation labels only: entity labels allowed as head and child (empty: any),
    # and whether the relation has a direction
    head_types: tuple[str, ...] = ()
    child_types: tuple[str, ...] = ()
    directed: bool = True

    def refuses(self, head_label: str, child_label: str) -> str | None:
        """Why a relation of this label cannot link these entity labels, or None."""
        if self.head_types and head_label not in self.head_types:
            return f"{self.name} needs a head of {', '.join(self.head_types)}, not {head_label}"
        if self.child_types and child_label not in self.child_types:
            return f"{self.name} needs a child of {', '.join(self.child_types)}, not {child_label}"
        return None


@dataclass(frozen=True, slots=True)
class Tokens:
    """Token boundaries of one document, as two parallel sorted offset arrays."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.starts) != len(self.ends):
            raise ValueError("token starts and ends differ in length")

    def __len__(self) -> int:
        return len(self.starts)

    def token_at(self, offset: int) -> int | None:
        """Index of the token that contains character ``offset``, or None."""
        i = bisect.bisect_right(self.starts, offset) - 1
        if i >= 0 and offset < self.ends[i]:
            return i
        return None

    def token_span(self, start: int, end: int) -> tuple[int, int] | None:
        """Inclusive token range whose characters are exactly ``[start, end)``."""
        i = bisect.bisect_left(self.starts, start)
        if i == len(self.starts) or self.starts[i] != start:
            return None
        j = bisect.bisect_left(self.ends, end)
        if j == len(self.ends) or self.ends[j] != end or j < i:
            return None
        return i, j

    def snap(self, start: int, end: int, mode: AlignmentMode = "expand") -> tuple[int, int] | None:
        """Snap a character range to token boundaries, like spaCy's ``Doc.char_span``.

        ``strict`` demands exact boundaries, ``contract`` keeps only tokens that lie
        fully inside the range, ``expand`` takes every token the range touches.
        Returns the inclusive token range, or None when no token qualifies.
        """
        if start >= end or not self.starts:
            return None
        if mode == "strict":
            return self.token_span(start, end)
        if mode == "contract":
            first = bisect.bisect_left(self.starts, start)
            last = bisect.bisect_right(self.ends, end) - 1
        else:
            first = bisect.bisect_right(self.ends, start)
            last = bisect.bisect_left(self.starts, end) - 1
        if first > last or first >= len(self.starts) or last < 0:
            return None
        return first, last


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    token_start: int
    token_end: int
    label: str
    id: int | None = None

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True)
class Relation:
    head: int
    child: int
    label: str
    id: int | None = None
    # the relation rule that proposed it (model layer, from the pipeline), else None;
    # where a relation came from, not what it is: equality and hashing leave it out
    rule: str | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Annotations:
    spans: tuple[Span, ...] = ()
    relations: tuple[Relation, ...] = ()


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    id: int
    title: str
    status: Status
    version: int
    gold_spans: int


@dataclass(frozen=True, slots=True)
class Document:
    id: int
    text: str
    tokens: Tokens
    sentence_starts: tuple[int, ...]
    status: Status
    version: int
    meta: dict[str, object] = field(default_factory=dict)
    model: Annotations = Annotations()
    gold: Annotations = Annotations()
    pos: tuple[str, ...] = ()  # universal POS tag per token (empty: not tagged)
    # other layers, by name, when asked for (the export of ``final`` or a reviewer's)
    others: dict[str, Annotations] = field(default_factory=dict)
    # the layer ``gold`` holds: the one being edited, ``gold`` but for adjudication
    # (``final``; see the store's ``edit_layer``)
    edited: str = "gold"

    def layer(self, layer: str) -> Annotations:
        """``model``, the edited layer (``gold``), or one loaded into ``others``."""
        if layer == Layer.MODEL:
            return self.model
        if layer == self.edited:
            return self.gold
        try:
            return self.others[layer]
        except KeyError:
            raise KeyError(f"Document {self.id}: its {layer} layer was not loaded.") from None


@dataclass(frozen=True, slots=True)
class Analysis:
    """What a pipeline found in one text: tokens, sentence starts, entity spans."""

    tokens: Tokens
    sentence_starts: tuple[int, ...]
    spans: tuple[Span, ...] = ()
    relations: tuple[Relation, ...] = ()  # head/child index into ``spans``
    pos: tuple[str, ...] = ()  # universal POS tag per token, when the pipeline tags


@dataclass(frozen=True, slots=True)
class NewDocument:
    """A document about to be stored, with its model layer.

    ``relations`` refer to spans by their index in ``spans`` (ids do not exist yet).
    """

    text: str
    title: str
    tokens: Tokens
    sentence_starts: tuple[int, ...]
    meta: dict[str, object] = field(default_factory=dict)
    spans: tuple[Span, ...] = ()
    relations: tuple[Relation, ...] = ()
    # the gold layer, when it is not a copy of the model layer (imported reviews)
    gold_spans: tuple[Span, ...] | None = None
    gold_relations: tuple[Relation, ...] = ()
    pos: tuple[str, ...] = ()  # universal POS tag per token (empty: not tagged)

    @property
    def content_hash(self) -> str:
        return content_hash(self.text)


def is_label_name(name: str) -> bool:
    """A label is one word: not empty, no spaces, tabs or line breaks (brat, CoNLL
    and the label config all depend on it)."""
    return bool(name) and not any(c.isspace() for c in name)


def content_hash(text: str) -> str:
    """Identity of a document's text, used to skip duplicates on import."""
    import hashlib  # here: loading OpenSSL costs the window's start-up 2 ms

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def make_span(tokens: Tokens, token_start: int, token_end: int, label: str) -> Span:
    """A span covering tokens ``token_start..token_end`` (inclusive)."""
    if not 0 <= token_start <= token_end < len(tokens):
        raise SpanError(
            f"token range {token_start}..{token_end} is outside the document's {len(tokens)} tokens"
        )
    return Span(tokens.starts[token_start], tokens.ends[token_end], token_start, token_end, label)


def span_from_chars(
    tokens: Tokens, start: int, end: int, label: str, mode: AlignmentMode = "strict"
) -> Span:
    """A span for a character range, snapped to tokens by ``mode``."""
    snapped = tokens.snap(start, end, mode)
    if snapped is None:
        raise SpanError(f"characters {start}..{end} do not align to token boundaries ({mode})")
    return make_span(tokens, snapped[0], snapped[1], label)


def resize_span(tokens: Tokens, span: Span, start_delta: int, end_delta: int) -> Span:
    """Move the span's start and end by whole tokens; the span keeps at least one token."""
    token_start = span.token_start + start_delta
    token_end = span.token_end + end_delta
    if token_start > token_end:
        raise SpanError("a span must keep at least one token")
    moved = make_span(tokens, token_start, token_end, span.label)
    return Span(moved.start, moved.end, moved.token_start, moved.token_end, span.label, span.id)


def moved_boundaries(
    text: str, tokens: Tokens, span: Span, start_delta: int, end_delta: int
) -> tuple[int, int]:
    """The span's token range with its start and end moved by whole tokens, where
    a token of whitespace only (a line break between paragraphs) is stepped over:
    a moved boundary never lands on one, since a span that starts or ends with it
    looks unchanged on screen and reads badly in every export. The result may lie
    outside the text or be empty; the caller refuses that."""

    def blank(index: int) -> bool:
        if not 0 <= index < len(tokens):
            return False
        return text[tokens.starts[index] : tokens.ends[index]].isspace()

    def step(index: int, delta: int) -> int:
        direction = 1 if delta > 0 else -1
        for _ in range(abs(delta)):
            index += direction
            while blank(index):
                index += direction
        return index

    return step(span.token_start, start_delta), step(span.token_end, end_delta)


def overlapping(spans: Iterable[Span], candidate: Span) -> list[Span]:
    """The spans that share at least one character with ``candidate`` (itself excluded)."""
    return [s for s in spans if s.overlaps(candidate) and (s.id is None or s.id != candidate.id)]


def check_span(text_length: int, tokens: Tokens, span: Span) -> None:
    """Raise SpanError unless the span lies inside the text and on token boundaries."""
    if not 0 <= span.start < span.end <= text_length:
        raise SpanError(f"span {span.start}..{span.end} is outside the text (length {text_length})")
    aligned = tokens.token_span(span.start, span.end)
    if aligned is None:
        raise SpanError(f"span {span.start}..{span.end} does not align to token boundaries")
    if aligned != (span.token_start, span.token_end):
        raise SpanError(
            f"span {span.start}..{span.end} covers tokens {aligned[0]}..{aligned[1]}, "
            f"not {span.token_start}..{span.token_end}"
        )


def sorted_spans(spans: Sequence[Span]) -> list[Span]:
    return sorted(spans, key=lambda s: (s.start, s.end))


def first_line_title(text: str, limit: int = 80) -> str:
    """A short title for a document: its first non-empty line, shortened."""
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
    return "(empty)"


class Change(enum.StrEnum):
    """How a gold span differs from the model layer."""

    SAME = "same"
    ADDED = "added"
    RELABELED = "relabeled"
    RESIZED = "resized"


@dataclass(frozen=True, slots=True)
class LayerDiff:
    changes: dict[int, Change]  # gold span id -> change
    deleted: tuple[Span, ...]  # model spans the review removed

    def changed(self, span_id: int) -> Change:
        return self.changes.get(span_id, Change.SAME)


def diff_layers(model: Sequence[Span], gold: Sequence[Span]) -> LayerDiff:
    """Compare the gold layer with the model layer, span by span.

    A gold span with the boundaries and label of a model span is unchanged; with
    its boundaries only, relabeled; overlapping a model span with other
    boundaries, resized (or relabeled, if no overlapping model span has its
    label); otherwise added. A model span that no gold span keeps or changes
    this way was deleted.
    """
    by_bounds = {(s.start, s.end): s for s in model}
    ordered = sorted(model, key=lambda s: s.start)
    starts = [s.start for s in ordered]
    changes: dict[int, Change] = {}
    kept: set[tuple[int, int]] = set()
    for span in gold:
        if span.id is None:
            continue
        twin = by_bounds.get((span.start, span.end))
        if twin is not None:
            kept.add((twin.start, twin.end))
            changes[span.id] = Change.SAME if twin.label == span.label else Change.RELABELED
            continue
        # model spans do not overlap one another: the candidates start before span.end
        first = bisect.bisect_left(starts, span.start)
        while first > 0 and ordered[first - 1].end > span.start:
            first -= 1
        last = bisect.bisect_left(starts, span.end)
        sources = [m for m in ordered[first:last] if m.overlaps(span)]
        if sources:
            kept.update((m.start, m.end) for m in sources)
            same_label = any(m.label == span.label for m in sources)
            changes[span.id] = Change.RESIZED if same_label else Change.RELABELED
        else:
            changes[span.id] = Change.ADDED
    deleted = tuple(s for s in model if (s.start, s.end) not in kept)
    return LayerDiff(changes, deleted)


def spans_overlapping(spans: Sequence[Span], start: int, end: int) -> list[Span]:
    """The spans of a list sorted by start that share characters with ``[start, end)``."""
    i = bisect.bisect_left(spans, end, key=_span_start)
    found = []
    while i > 0:
        i -= 1
        span = spans[i]
        if span.end > start:
            found.append(span)
        elif span.start < start - MAX_SPAN_SCAN:
            break
    return found[::-1]


def _span_start(span: Span) -> int:
    return span.start


# How far back spans_overlapping looks for a long span that starts before the range.
MAX_SPAN_SCAN = 10_000


def refresh_diff(
    diff: LayerDiff,
    model: Sequence[Span],
    gold: Sequence[Span],
    touched: Sequence[Span],
) -> LayerDiff:
    """``diff`` brought up to date after the gold spans ``touched`` (added, removed
    or changed; both sorted lists already hold the new state) changed."""
    if not touched:
        return diff
    start = min(s.start for s in touched)
    end = max(s.end for s in touched)
    while True:  # widen until no span crosses the window's edges
        near = spans_overlapping(model, start, end) + spans_overlapping(gold, start, end)
        wider = (min([start, *(s.start for s in near)]), max([end, *(s.end for s in near)]))
        if wider == (start, end):
            break
        start, end = wider
    local_gold = spans_overlapping(gold, start, end)
    local = diff_layers(spans_overlapping(model, start, end), local_gold)
    changes = dict(diff.changes)
    for span in (*touched, *local_gold):
        if span.id is not None:
            changes.pop(span.id, None)
    changes.update(local.changes)
    deleted = [d for d in diff.deleted if not (d.start < end and start < d.end)]
    deleted.extend(local.deleted)
    deleted.sort(key=lambda s: s.start)
    return LayerDiff(changes, tuple(deleted))
