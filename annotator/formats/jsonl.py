"""JSONL gold in Prodigy's task conventions.

One task per line: ``text``; ``tokens`` (``text, start, end, id, ws``); ``spans``
(``start, end, token_start, token_end, label``; ``end`` exclusive, ``token_end``
inclusive); ``relations`` (``head`` / ``child`` = index of the span's last token,
``head_span`` / ``child_span``, ``label``); ``answer``; ``meta``; ``_input_hash``;
``_task_hash``.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring as encode_string
from typing import Any, TextIO

from annotator.formats.records import (
    FormatError,
    Record,
    RecordSpan,
    input_hash,
    objects,
    task_hash,
)
from annotator.formats.writing import lines_writer
from annotator.model import Relation, Tokens


def write_record(record: Record, out: TextIO) -> None:
    """One task line. The token list, the bulk of a line, is encoded directly
    (same JSON as ``json.dumps(to_task(record))`` gives, without building a dict
    per token); the rest goes through ``json.dumps``."""
    task = to_task(record, with_tokens=False)
    head = json.dumps(task, ensure_ascii=False, separators=(",", ":"))
    out.write(head[:-1])
    if record.tokens is not None:
        out.write(',"tokens":')
        out.write(_tokens_json(record.text, record.tokens))
    out.write("}\n")


def _tokens_json(text: str, tokens: Tokens) -> str:
    starts, ends = tokens.starts, tokens.ends
    following = [*starts[1:], len(text) if text.endswith(" ") else len(text) + 1]
    parts = [
        f'{{"text":{encode_string(text[s:e])},"start":{s},"end":{e},"id":{i},'
        f'"ws":{"true" if nxt == e + 1 and text[e : e + 1] == " " else "false"}}}'
        for i, (s, e, nxt) in enumerate(zip(starts, ends, following, strict=True))
    ]
    return "[" + ",".join(parts) + "]"


def to_task(record: Record, with_tokens: bool = True) -> dict[str, Any]:
    text = record.text
    tokens = record.tokens
    task: dict[str, Any] = {"text": text}
    if tokens is not None and with_tokens:
        starts, ends = tokens.starts, tokens.ends
        # a token is followed by whitespace when exactly one space separates it from
        # the next token (longer whitespace is a token of its own in spaCy)
        following = [*starts[1:], len(text) if text.endswith(" ") else len(text) + 1]
        task["tokens"] = [
            {
                "text": text[s:e],
                "start": s,
                "end": e,
                "id": i,
                "ws": nxt == e + 1 and text[e : e + 1] == " ",
            }
            for i, (s, e, nxt) in enumerate(zip(starts, ends, following, strict=True))
        ]
    spans = []
    for span in record.spans:
        entry: dict[str, Any] = {"start": span.start, "end": span.end, "label": span.label}
        aligned = tokens.token_span(span.start, span.end) if tokens is not None else None
        if aligned is not None:
            entry["token_start"], entry["token_end"] = aligned
        spans.append(entry)
    task["spans"] = spans
    task["relations"] = [
        {
            "head": spans[r.head].get("token_end", record.spans[r.head].start),
            "child": spans[r.child].get("token_end", record.spans[r.child].start),
            "head_span": spans[r.head],
            "child_span": spans[r.child],
            "label": r.label,
        }
        for r in record.relations
    ]
    task["answer"] = record.answer
    task["meta"] = record.meta
    task["_input_hash"] = input_hash(text)
    task["_task_hash"] = task_hash(record)
    return task


def looks_like(first_object: dict[str, Any]) -> bool:
    return "text" in first_object and "spans" in first_object


def from_task(task: dict[str, Any], where: str) -> Record:
    text = task.get("text")
    if not isinstance(text, str):
        raise FormatError(where, 'has no "text" string')
    spans = []
    for entry in objects(task.get("spans"), "spans", where):
        try:
            spans.append(RecordSpan(int(entry["start"]), int(entry["end"]), str(entry["label"])))
        except (KeyError, TypeError, ValueError) as exc:
            raise FormatError(where, f"a span lacks start, end or label: {entry!r}") from exc
    by_offsets = {(s.start, s.end): i for i, s in enumerate(spans)}
    relations = []
    for entry in objects(task.get("relations"), "relations", where):
        try:
            head = by_offsets[(entry["head_span"]["start"], entry["head_span"]["end"])]
            child = by_offsets[(entry["child_span"]["start"], entry["child_span"]["end"])]
        except (KeyError, TypeError, IndexError) as exc:
            raise FormatError(
                where, f"relation {entry.get('label')!r} does not point at one of the spans"
            ) from exc
        relations.append(Relation(head, child, str(entry.get("label", ""))))
    tokens = None
    if task.get("tokens"):
        objects(task.get("tokens"), "tokens", where)
        try:
            tokens = Tokens(
                tuple(int(t["start"]) for t in task["tokens"]),
                tuple(int(t["end"]) for t in task["tokens"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise FormatError(where, "a token lacks start or end") from exc
    meta = task.get("meta") if isinstance(task.get("meta"), dict) else {}
    record = Record(
        text,
        tuple(spans),
        tuple(relations),
        tokens,
        dict(meta or {}),
        str(task.get("answer", "accept")),
    )
    record.check(where)
    return record


JsonlWriter = lines_writer(write_record)
