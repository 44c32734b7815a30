"""JSONL gold in Prodigy's task conventions.

One task per line: ``text``; ``tokens`` (``text, start, end, id, ws``); ``spans``
(``start, end, token_start, token_end, label``; ``end`` exclusive, ``token_end``
inclusive); ``relations`` (``head`` / ``child`` = index of the span's last token,
``head_span`` / ``child_span``, ``label``); ``answer``; ``meta``; ``_input_hash``;
``_task_hash``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from annotator.formats.records import FormatError, Record, RecordSpan, input_hash, task_hash
from annotator.model import Relation, Tokens


def write_record(record: Record, out: TextIO) -> None:
    out.write(json.dumps(to_task(record), ensure_ascii=False))
    out.write("\n")


def to_task(record: Record) -> dict[str, Any]:
    text = record.text
    tokens = record.tokens
    task: dict[str, Any] = {"text": text}
    token_of_start: dict[int, int] = {}
    token_of_end: dict[int, int] = {}
    if tokens is not None:
        task["tokens"] = [
            {
                "text": text[s:e],
                "start": s,
                "end": e,
                "id": i,
                "ws": e < len(text)
                and text[e] == " "
                and (i + 1 == len(tokens) or tokens.starts[i + 1] == e + 1),
            }
            for i, (s, e) in enumerate(zip(tokens.starts, tokens.ends, strict=True))
        ]
        token_of_start = {s: i for i, s in enumerate(tokens.starts)}
        token_of_end = {e: i for i, e in enumerate(tokens.ends)}
    spans = []
    for span in record.spans:
        entry: dict[str, Any] = {"start": span.start, "end": span.end, "label": span.label}
        if span.start in token_of_start and span.end in token_of_end:
            entry["token_start"] = token_of_start[span.start]
            entry["token_end"] = token_of_end[span.end]
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


def read(path: Path) -> Iterator[tuple[int, Record]]:
    """``(line number, record)`` for each task; FormatError names the line."""
    with path.open(encoding="utf-8-sig") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                yield number, from_task(json.loads(line), f"{path}:{number}")


def from_task(task: dict[str, Any], where: str) -> Record:
    text = task.get("text")
    if not isinstance(text, str):
        raise FormatError(where, 'has no "text" string')
    spans = []
    for entry in task.get("spans") or []:
        try:
            spans.append(RecordSpan(int(entry["start"]), int(entry["end"]), str(entry["label"])))
        except (KeyError, TypeError, ValueError) as exc:
            raise FormatError(where, f"a span lacks start, end or label: {entry!r}") from exc
    by_offsets = {(s.start, s.end): i for i, s in enumerate(spans)}
    relations = []
    for entry in task.get("relations") or []:
        try:
            head = by_offsets[(entry["head_span"]["start"], entry["head_span"]["end"])]
            child = by_offsets[(entry["child_span"]["start"], entry["child_span"]["end"])]
        except (KeyError, TypeError) as exc:
            raise FormatError(
                where, f"relation {entry.get('label')!r} does not point at one of the spans"
            ) from exc
        relations.append(Relation(head, child, str(entry.get("label", ""))))
    tokens = None
    if isinstance(task.get("tokens"), list) and task["tokens"]:
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
