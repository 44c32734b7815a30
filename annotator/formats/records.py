"""The record shape shared by every format, and conversions from stored documents."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from annotator.errors import AnnotatorError
from annotator.model import (
    Document,
    Layer,
    Relation,
    SpanError,
    Tokens,
    check_span,
    is_label_name,
)


class FormatError(AnnotatorError, ValueError):
    """A problem in a file being read, or a record that cannot be written."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


@dataclass(frozen=True, slots=True)
class RecordSpan:
    start: int
    end: int
    label: str


@dataclass(frozen=True, slots=True)
class Record:
    text: str
    spans: tuple[RecordSpan, ...] = ()
    relations: tuple[Relation, ...] = ()  # head / child: indexes into ``spans``
    tokens: Tokens | None = None
    meta: dict[str, object] = field(default_factory=dict)
    answer: str = "accept"
    sentence_starts: tuple[int, ...] = ()  # token indices

    def check(self, where: str) -> None:
        """Spans inside the text and not overlapping, with one-word labels; relations
        pointing at two different spans, each pair and label once; tokens, if any,
        in order, inside the text, not empty and not across a line break."""
        if self.tokens is not None:
            _check_tokens(self.text, self.tokens, where)
        previous_end = -1
        for span in sorted(self.spans, key=lambda s: (s.start, s.end)):
            if not is_label_name(span.label):
                raise FormatError(
                    where,
                    f"span {span.start}..{span.end} has the label {span.label!r}; a label is "
                    "one word (no spaces, tabs or line breaks)",
                )
            if not 0 <= span.start < span.end <= len(self.text):
                raise FormatError(
                    where,
                    f"span {span.start}..{span.end} ({span.label}) lies outside the text "
                    f"(length {len(self.text)})",
                )
            if span.start < previous_end:
                raise FormatError(
                    where, f"span {span.start}..{span.end} ({span.label}) overlaps another span"
                )
            previous_end = span.end
        seen: set[tuple[int, int, str]] = set()
        for relation in self.relations:
            if not (0 <= relation.head < len(self.spans) and 0 <= relation.child < len(self.spans)):
                raise FormatError(where, f"relation {relation.label} points at a missing span")
            if not is_label_name(relation.label):
                raise FormatError(
                    where, f"relation label {relation.label!r} is not one word (no spaces or tabs)"
                )
            if relation.head == relation.child:
                raise FormatError(where, f"relation {relation.label} links a span to itself")
            key = (relation.head, relation.child, relation.label)
            if key in seen:
                raise FormatError(where, f"relation {relation.label} is given twice")
            seen.add(key)


def objects(value: object, what: str, where: str) -> list[dict[str, Any]]:
    """``value`` as a list of JSON objects (missing: none), or a FormatError."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise FormatError(where, f'"{what}" must be a list of objects')
    return value


def _check_tokens(text: str, tokens: Tokens, where: str) -> None:
    previous_end = 0
    for i, (start, end) in enumerate(zip(tokens.starts, tokens.ends, strict=True)):
        if not previous_end <= start < end <= len(text):
            raise FormatError(
                where,
                f"token {i} ({start}..{end}) is empty, inverted, overlaps the one before or "
                f"lies outside the text (length {len(text)})",
            )
        word = text[start:end]
        if ("\n" in word or "\r" in word) and word.strip():  # spaCy's space tokens may
            raise FormatError(where, f"token {i} ({start}..{end}) runs across a line break")
        previous_end = end


def input_hash(text: str) -> int:
    """A stable signed 32-bit hash of the text (Prodigy's ``_input_hash`` convention)."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:4], "big", signed=True)


def task_hash(record: Record) -> int:
    """A stable signed 32-bit hash of the text and its annotations (``_task_hash``)."""
    payload = json.dumps(
        [
            record.text,
            [(s.start, s.end, s.label) for s in record.spans],
            [(r.head, r.child, r.label) for r in record.relations],
        ]
    )
    return int.from_bytes(hashlib.sha256(payload.encode("utf-8")).digest()[:4], "big", signed=True)


def record_from_document(doc: Document, layer: Layer, extra_meta: Mapping[str, object]) -> Record:
    """The document's ``layer`` as a record; every span is checked against the tokens."""
    annotations = doc.layer(layer)
    index = {s.id: i for i, s in enumerate(annotations.spans)}
    for span in annotations.spans:
        try:
            check_span(len(doc.text), doc.tokens, span)
        except SpanError as exc:
            raise FormatError(f"document {doc.id}", f"{exc} ({span.label})") from exc
    answer = {"accepted": "accept", "rejected": "reject"}.get(doc.status.value, "ignore")
    return Record(
        text=doc.text,
        spans=tuple(RecordSpan(s.start, s.end, s.label) for s in annotations.spans),
        relations=tuple(
            Relation(index[r.head], index[r.child], r.label)
            for r in annotations.relations
            if r.head in index and r.child in index
        ),
        tokens=doc.tokens,
        meta={**doc.meta, **extra_meta, "document_id": doc.id, "status": doc.status.value},
        answer=answer,
        sentence_starts=doc.sentence_starts,
    )
