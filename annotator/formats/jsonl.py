"""JSONL gold in Prodigy's task conventions.

One task per line: ``text``; ``tokens`` (``text, start, end, id, ws``); ``spans``
(``start, end, token_start, token_end, label``; ``end`` exclusive, ``token_end``
inclusive); ``relations`` (``head`` / ``child`` = index of the span's last token,
``head_span`` / ``child_span``, ``label``); ``answer``; ``meta``; ``_input_hash``;
``_task_hash`` (how the hashes are made: records.input_hash and task_hash).

Reading: a relation is matched to its spans by ``head_span`` / ``child_span``
(their ``start`` and ``end``) when it has them; Prodigy's minimal relations
(``head``, ``child``, ``label`` only) are matched by token index, to the span
whose last token (its ``token_end``, or the last of the line's ``tokens`` it
covers) is that index. A line may carry its pipeline's whole analysis under
``_analysis`` (``pipeline``, ``sentence_starts``, ``pos``, ``relation_rules``), as
`annotator annotate` writes it; the import then stores the line as it is. The
review state (``answer``, ``meta.status``, the
reviewer and time) is read as records.review_of says.
"""

from __future__ import annotations

import json
from dataclasses import replace
from itertools import pairwise
from json.encoder import encode_basestring as encode_string
from typing import Any, TextIO

from annotator.formats.records import (
    FormatError,
    Record,
    RecordSpan,
    input_hash,
    objects,
    review_of,
    task_hash,
)
from annotator.formats.writing import lines_writer
from annotator.model import Relation, Tokens

# the key of a line that carries its pipeline's whole analysis (a leading
# underscore, as Prodigy's own keys, for data that is not the annotation)
ANALYSIS_KEY = "_analysis"


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
    if record.pipeline:
        task[ANALYSIS_KEY] = {
            "pipeline": record.pipeline,
            "sentence_starts": list(record.sentence_starts),
            "pos": list(record.pos),
            "relation_rules": [r.rule for r in record.relations],
        }
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
    span_entries = objects(task.get("spans"), "spans", where)
    relations = _relations(task, spans, span_entries, tokens, where)
    meta = task.get("meta") if isinstance(task.get("meta"), dict) else {}
    answer = task.get("answer")
    pipeline, sentence_starts, pos = "", tuple[int, ...](), tuple[str, ...]()
    if task.get(ANALYSIS_KEY) is not None:
        pipeline, sentence_starts, pos, relations = _analysis(
            task[ANALYSIS_KEY], tokens, relations, where
        )
    record = Record(
        text,
        tuple(spans),
        tuple(relations),
        tokens,
        dict(meta or {}),
        answer if isinstance(answer, str) else "accept",
        sentence_starts=sentence_starts,
        review=review_of(answer, meta or {}, task, where),
        pipeline=pipeline,
        pos=pos,
    )
    record.check(where)
    return record


def _analysis(
    value: object, tokens: Tokens | None, relations: list[Relation], where: str
) -> tuple[str, tuple[int, ...], tuple[str, ...], list[Relation]]:
    """The pipeline's analysis a line carries (``_analysis``, written by
    `annotator annotate`): its name, sentence starts and POS tags, with the
    relation rule of each relation set; a FormatError names what is wrong."""
    what = f'"{ANALYSIS_KEY}"'
    if not isinstance(value, dict):
        raise FormatError(where, f"{what} must be an object")
    if tokens is None:
        raise FormatError(where, f'{what} needs the line\'s "tokens"')
    pipeline = value.get("pipeline")
    if not isinstance(pipeline, str) or not pipeline:
        raise FormatError(where, f"{what} must name its pipeline (a non-empty string)")
    starts = value.get("sentence_starts")
    count = len(tokens)
    if (
        not isinstance(starts, list)
        or not all(isinstance(i, int) and not isinstance(i, bool) for i in starts)
        or (count and starts[:1] != [0])
        or any(b <= a for a, b in pairwise(starts))
        or any(not 0 <= i < max(count, 1) for i in starts)
    ):
        raise FormatError(
            where,
            f"{what}.sentence_starts must be increasing token indexes from 0, each below "
            f"the {count} tokens",
        )
    pos = value.get("pos", [])
    if not isinstance(pos, list) or not all(isinstance(t, str) for t in pos):
        raise FormatError(where, f"{what}.pos must be a list of strings")
    if pos and len(pos) != count:
        raise FormatError(where, f"{what}.pos has {len(pos)} tags for {count} tokens")
    rules = value.get("relation_rules", [None] * len(relations))
    if (
        not isinstance(rules, list)
        or len(rules) != len(relations)
        or not all(r is None or isinstance(r, str) for r in rules)
    ):
        raise FormatError(
            where,
            f"{what}.relation_rules must give a rule id (or null) for each of the "
            f"{len(relations)} relations",
        )
    relations = [replace(r, rule=rule) for r, rule in zip(relations, rules, strict=True)]
    return pipeline, tuple(starts), tuple(pos), relations


def _relations(
    task: dict[str, Any],
    spans: list[RecordSpan],
    span_entries: list[dict[str, Any]],
    tokens: Tokens | None,
    where: str,
) -> list[Relation]:
    by_offsets = {(s.start, s.end): i for i, s in enumerate(spans)}
    by_last_token: dict[int, list[int]] | None = None  # made when a relation needs it
    relations = []
    for entry in objects(task.get("relations"), "relations", where):
        label = entry.get("label")
        ends: list[int] = []
        for role in ("head", "child"):
            span = entry.get(f"{role}_span")
            if span is not None:
                try:
                    ends.append(by_offsets[(span["start"], span["end"])])
                except (KeyError, TypeError) as exc:
                    raise FormatError(
                        where, f"relation {label!r} does not point at one of the spans"
                    ) from exc
                continue
            if by_last_token is None:
                by_last_token = _spans_by_last_token(spans, span_entries, tokens)
            ends.append(_span_ending_at(entry.get(role), role, label, by_last_token, where))
        relations.append(Relation(ends[0], ends[1], str(label if label is not None else "")))
    return relations


def _spans_by_last_token(
    spans: list[RecordSpan], span_entries: list[dict[str, Any]], tokens: Tokens | None
) -> dict[int, list[int]]:
    """Span indexes by the index of their last token: the span's ``token_end``,
    else the last token of ``tokens`` it covers exactly (spans with neither are left out)."""
    found: dict[int, list[int]] = {}
    for i, (span, entry) in enumerate(zip(spans, span_entries, strict=True)):
        last = entry.get("token_end")
        if not isinstance(last, int) or isinstance(last, bool):
            aligned = tokens.token_span(span.start, span.end) if tokens is not None else None
            if aligned is None:
                continue
            last = aligned[1]
        found.setdefault(last, []).append(i)
    return found


def _span_ending_at(
    value: object, role: str, label: object, by_last_token: dict[int, list[int]], where: str
) -> int:
    """The span whose last token is ``value`` (Prodigy's ``head`` / ``child``)."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise FormatError(
            where,
            f"relation {label!r} has neither a {role}_span nor a {role} token index "
            f"({role}: {value!r})",
        )
    matches = by_last_token.get(value, [])
    if len(matches) == 1:
        return matches[0]
    if not matches:
        known = (
            ""
            if by_last_token
            else (" (its spans have no token_end and the line has no tokens to find it)")
        )
        raise FormatError(
            where, f"relation {label!r}: no span ends at token {value} (its {role}){known}"
        )
    raise FormatError(
        where,
        f"relation {label!r}: {len(matches)} spans end at token {value} (its {role}); "
        f"give {role}_span to say which",
    )


JsonlWriter = lines_writer(write_record)
