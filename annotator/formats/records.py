"""The record shape shared by every format, and conversions from stored documents.

Review state in files (Prodigy's conventions, which our JSONL and doccano
exports write):

- ``answer``: ``"accept"`` -> accepted, ``"reject"`` -> rejected, ``"ignore"`` ->
  skipped (or todo, when ``meta.status`` says ``"todo"``: our export writes
  ``"ignore"`` for both). Without an ``answer``, a known ``meta.status`` (accepted,
  rejected, skipped, todo) gives the status; without either the document is
  not reviewed (todo, as any plain import). An unknown ``answer`` is a
  FormatError naming the line.
- the reviewer: Prodigy's ``_annotator_id``, else ``meta.annotator``.
- when: Prodigy's ``_timestamp`` (Unix seconds), else ``meta.updated_at``.

A todo status with no reviewer named is no review at all (nothing to restore).

Several lines about one text (binary answers, e.g. Prodigy's ``ner.teach``) are
merged into one record by ``merge_answers``; see its docstring for the rules.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

from annotator.errors import AnnotatorError
from annotator.model import (
    Document,
    Relation,
    SpanError,
    Status,
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
class Review:
    """What a file says about a document's review (see the module docstring)."""

    status: Status
    reviewer: str = ""  # "" when the file does not say
    at: str = ""  # when it was reviewed, ISO 8601 ("" when the file does not say)


# Prodigy's answers, and the answer our export writes for each status
ANSWER_STATUS = {"accept": Status.ACCEPTED, "reject": Status.REJECTED, "ignore": Status.SKIPPED}
STATUS_ANSWER = {Status.ACCEPTED: "accept", Status.REJECTED: "reject"}  # else "ignore"
# the meta keys our exports write the review into; an import turns them back into
# the document's status and an audit row, so they are not kept in its meta
REVIEW_META_KEYS = ("status", "annotator", "updated_at")


@dataclass(frozen=True, slots=True)
class Record:
    text: str
    spans: tuple[RecordSpan, ...] = ()
    relations: tuple[Relation, ...] = ()  # head / child: indexes into ``spans``
    tokens: Tokens | None = None
    meta: dict[str, object] = field(default_factory=dict)
    answer: str = "accept"  # written by the JSONL writer
    sentence_starts: tuple[int, ...] = ()  # token indices
    review: Review | None = None  # read from a file: its review state, if it has one
    # the pipeline's whole analysis came with the record (`annotator annotate`'s
    # output): its name, with ``tokens``, ``sentence_starts`` and ``pos`` (one
    # universal POS tag per token, or none); the import then stores it as it is
    # instead of running a pipeline again. "" when the record does not carry one.
    pipeline: str = ""
    pos: tuple[str, ...] = ()

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
    """The ``_input_hash`` we write: a signed 32-bit integer, the first 4 bytes
    (big-endian) of the SHA-256 of the text's UTF-8 bytes.

    Prodigy's own ``_input_hash`` (``prodigy.set_hashes``) is a 32-bit MurmurHash
    of the task's input keys (``text``, ``image``, ``html``, ``input``); how Prodigy
    serialises those values before hashing is not published (Prodigy is closed
    source), so its numbers cannot be reproduced here. Ours have the same type and
    the same meaning (equal for the same text, whatever the annotations), but are
    not interchangeable with Prodigy's: to mix our tasks with tasks Prodigy hashed,
    re-hash them with ``prodigy.set_hashes(task, overwrite=True)``. The import does
    not read either hash: documents are the same when their texts are the same."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:4], "big", signed=True)


def task_hash(record: Record) -> int:
    """The ``_task_hash`` we write: a signed 32-bit integer, the first 4 bytes
    (big-endian) of the SHA-256 of the UTF-8 JSON (``json.dumps`` defaults) of
    ``[text, [[start, end, label] per span], [[head, child, label] per relation]]``
    (head and child index the spans, in the record's order).

    Like Prodigy's (a MurmurHash of the input hash and the task keys ``spans``,
    ``label``, ``options``; not reproducible, see ``input_hash``) it changes with
    the annotations and ignores ``answer`` and ``meta``."""
    payload = json.dumps(
        [
            record.text,
            [(s.start, s.end, s.label) for s in record.spans],
            [(r.head, r.child, r.label) for r in record.relations],
        ]
    )
    return int.from_bytes(hashlib.sha256(payload.encode("utf-8")).digest()[:4], "big", signed=True)


def record_from_document(doc: Document, layer: str, extra_meta: Mapping[str, object]) -> Record:
    """The document's ``layer`` as a record; every span is checked against the tokens."""
    annotations = doc.layer(layer)
    index = {s.id: i for i, s in enumerate(annotations.spans)}
    for span in annotations.spans:
        try:
            check_span(len(doc.text), doc.tokens, span)
        except SpanError as exc:
            raise FormatError(f"document {doc.id}", f"{exc} ({span.label})") from exc
    answer = STATUS_ANSWER.get(doc.status, "ignore")
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


def review_of(
    answer: object, meta: Mapping[str, object], task: Mapping[str, object], where: str
) -> Review | None:
    """The review state a line gives (see the module docstring), or None."""
    said = meta.get("status")
    meta_status = Status(said) if isinstance(said, str) and said in set(Status) else None
    if answer is not None:
        if not isinstance(answer, str) or answer not in ANSWER_STATUS:
            raise FormatError(
                where, f'"answer" must be "accept", "reject" or "ignore", not {answer!r}'
            )
        status: Status = ANSWER_STATUS[answer]
        if status is Status.SKIPPED and meta_status is Status.TODO:
            status = Status.TODO
    elif meta_status is not None:
        status = meta_status
    else:
        return None
    named = [v for v in (task.get("_annotator_id"), meta.get("annotator")) if isinstance(v, str)]
    reviewer = next(filter(None, named), "")
    if not reviewer and status is Status.TODO:
        return None  # nothing to restore: a plain import
    return Review(status, reviewer, _review_time(task.get("_timestamp"), meta.get("updated_at")))


def _review_time(timestamp: object, updated_at: object) -> str:
    """Prodigy's ``_timestamp`` (Unix seconds) as ISO 8601, else ``meta.updated_at``."""
    if isinstance(timestamp, int | float) and not isinstance(timestamp, bool):
        try:
            return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")
        except (OverflowError, OSError, ValueError):
            pass
    return updated_at if isinstance(updated_at, str) else ""


STATUS_RANK = (Status.ACCEPTED, Status.REJECTED, Status.SKIPPED, Status.TODO)


def merge_answers(lines: Sequence[tuple[str, Record]]) -> Record:
    """One record from several lines that answer about the same text (binary
    answers, as Prodigy's ``ner.teach`` writes: one suggested span per line,
    accepted or rejected). ``lines`` are (where, record) in file order, each
    record with a ``review``.

    - the spans (and relations) of the accepted lines are unioned;
    - a reject line says its spans are wrong: a span only rejected is left out;
    - a span (same offsets and label) accepted on one line and rejected on
      another is a conflict: FormatError naming both lines (the answers must be
      settled before they are imported as gold); so is an accepted span that
      overlaps another accepted span;
    - ignored (skipped) and todo lines add nothing;
    - the status is the first of accepted, rejected, skipped, todo that a line
      has; the reviewer and time are those of the last line with that status;
    - text, meta and tokens are those of the first line (tokens: the first
      line that has them).
    """
    where_of: dict[tuple[int, int, str], str] = {}  # accepted span -> its first line
    rejected: dict[tuple[int, int, str], str] = {}
    relations: dict[tuple[tuple[int, int, str], tuple[int, int, str], str], None] = {}
    for where, record in lines:
        status = record.review.status if record.review else Status.TODO
        keys = [(s.start, s.end, s.label) for s in record.spans]
        if status is Status.ACCEPTED:
            for key in keys:
                where_of.setdefault(key, where)
            for r in record.relations:
                relations[(keys[r.head], keys[r.child], r.label)] = None
        elif status is Status.REJECTED:
            for key in keys:
                rejected.setdefault(key, where)
    for key, accepted_on in where_of.items():
        if key in rejected:
            start, end, label = key
            raise FormatError(
                rejected[key],
                f"span {start}..{end} ({label}) is rejected here but accepted on "
                f"{_short(accepted_on, rejected[key])}; settle the answers about this text "
                "before importing it",
            )
    ordered = sorted(where_of, key=lambda k: (k[0], k[1]))
    for before, after in pairwise(ordered):
        if after[0] < before[1]:
            raise FormatError(
                where_of[after],
                f"the accepted span {after[0]}..{after[1]} ({after[2]}) overlaps the accepted "
                f"span {before[0]}..{before[1]} ({before[2]}) of "
                f"{_short(where_of[before], where_of[after])}",
            )
    index = {key: i for i, key in enumerate(ordered)}
    first_where, first = lines[0]
    statuses = [(r.review.status if r.review else Status.TODO) for _, r in lines]
    status = next(s for s in STATUS_RANK if s in statuses)
    deciding = [r.review for _, r in lines if r.review and r.review.status is status]
    reviewer = next((d.reviewer for d in reversed(deciding) if d.reviewer), "")
    at = next((d.at for d in reversed(deciding) if d.at), "")
    merged = Record(
        first.text,
        tuple(RecordSpan(*key) for key in ordered),
        tuple(Relation(index[h], index[c], label) for h, c, label in relations),
        next((r.tokens for _, r in lines if r.tokens is not None), None),
        dict(first.meta),
        STATUS_ANSWER.get(status, "ignore"),
        review=Review(status, reviewer, at),
    )
    merged.check(first_where)
    return merged


def _short(where: str, here: str) -> str:
    """``where`` ("path:line") as "line N" when it is in the same file as ``here``."""
    path, _, line = where.rpartition(":")
    same_file = path == here.rpartition(":")[0]
    return f"line {line}" if same_file and line.isdigit() else where
