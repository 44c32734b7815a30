"""doccano JSONL: ``entities`` ``{id, start_offset, end_offset, label}`` and
``relations`` ``{id, from_id, to_id, type}``, one document per line."""

from __future__ import annotations

import json
from typing import Any, TextIO

from annotator.formats.records import FormatError, Record, RecordSpan, objects
from annotator.formats.writing import lines_writer
from annotator.model import Relation


def write_record(record: Record, out: TextIO) -> None:
    doc_id = record.meta.get("document_id", 0)
    entities = [
        {"id": i + 1, "start_offset": s.start, "end_offset": s.end, "label": s.label}
        for i, s in enumerate(record.spans)
    ]
    relations = [
        {"id": i + 1, "from_id": r.head + 1, "to_id": r.child + 1, "type": r.label}
        for i, r in enumerate(record.relations)
    ]
    line = {
        "id": doc_id,
        "text": record.text,
        "entities": entities,
        "relations": relations,
        "meta": record.meta,
    }
    out.write(json.dumps(line, ensure_ascii=False))
    out.write("\n")


def looks_like(first_object: dict[str, Any]) -> bool:
    return "text" in first_object and "entities" in first_object


def from_line(line: dict[str, Any], where: str) -> Record:
    text = line.get("text")
    if not isinstance(text, str):
        raise FormatError(where, 'has no "text" string')
    spans: list[RecordSpan] = []
    index_of: dict[object, int] = {}
    for entity in objects(line.get("entities"), "entities", where):
        try:
            span = RecordSpan(
                int(entity["start_offset"]), int(entity["end_offset"]), str(entity["label"])
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise FormatError(
                where, f"an entity lacks start_offset, end_offset or label: {entity!r}"
            ) from exc
        entity_id = entity.get("id", ("position", len(spans)))
        if not isinstance(entity_id, (int, str, tuple)):
            raise FormatError(where, f"an entity id must be a number or a string: {entity_id!r}")
        if entity_id in index_of:
            raise FormatError(where, f"entity id {entity_id!r} is used twice")
        index_of[entity_id] = len(spans)
        spans.append(span)
    relations = []
    for relation in objects(line.get("relations"), "relations", where):
        try:
            relations.append(
                Relation(
                    index_of[relation["from_id"]],
                    index_of[relation["to_id"]],
                    str(relation["type"]),
                )
            )
        except (KeyError, TypeError) as exc:  # a missing or unhashable id, or no object
            raise FormatError(
                where, f"relation {relation!r} does not point at two entities"
            ) from exc
    meta = line.get("meta") if isinstance(line.get("meta"), dict) else {}
    record = Record(text, tuple(spans), tuple(relations), None, dict(meta or {}))
    record.check(where)
    return record


DoccanoWriter = lines_writer(write_record)
