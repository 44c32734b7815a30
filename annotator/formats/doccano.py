"""doccano JSONL, one document per line, in the two shapes doccano's own export
writes for sequence labeling (backend/data_export in doccano's repository):

- ``entities`` (projects with relations, the default): ``{"id", "text", **meta,
  "entities": [{id, start_offset, end_offset, label}], "relations": [{id,
  from_id, to_id, type}]}``;
- ``label`` (projects without relations, the format option ``doccano_shape``
  = ``"label"``): ``{"id", "text", **meta, "label": [[start, end, LABEL], ...]}``.

Like doccano, the metadata is written flat, beside ``text`` (doccano imports
every other key of a line as the example's metadata); ``id`` is our document id.
Reading takes both shapes, with the metadata flat or, as annotator wrote it
before, nested under ``meta``; the review state (``status``, ``annotator``,
``updated_at`` of the metadata) is read as records.review_of says.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

from annotator.formats.records import FormatError, Record, RecordSpan, objects, review_of
from annotator.formats.writing import LinesWriter, WriteSettings
from annotator.model import Relation

SHAPES = ("entities", "label")
# the keys of a line that are not metadata
ANNOTATION_KEYS = frozenset({"id", "text", "entities", "relations", "label", "meta"})
# the metadata that is written as a key of its own (the document id is "id")
NOT_FLATTENED = frozenset({"document_id"})
WARNED_DOCUMENTS = 5  # documents named in a warning


class DoccanoWriter(LinesWriter):
    """Writes the shape the ``doccano_shape`` option names (``entities`` by default)."""

    def __init__(self, settings: WriteSettings) -> None:
        shape = settings.option("doccano_shape", "entities")
        if shape not in SHAPES:
            raise FormatError(
                "doccano export", f"doccano_shape must be entities or label, not {shape!r}"
            )
        super().__init__(settings)
        self.shape = shape
        self._relations_left_out: list[object] = []  # document ids
        self._meta_left_out: set[str] = set()

    def write_record(self, record: Record, out: TextIO) -> None:
        doc_id = record.meta.get("document_id", 0)
        line: dict[str, Any] = {"id": doc_id, "text": record.text}
        for key, value in record.meta.items():
            if key in NOT_FLATTENED:
                continue
            if key in ANNOTATION_KEYS:
                self._meta_left_out.add(key)
                continue
            line[key] = value
        if self.shape == "label":
            line["label"] = [[s.start, s.end, s.label] for s in record.spans]
            if record.relations:
                self._relations_left_out.append(doc_id)
        else:
            line["entities"] = [
                {"id": i + 1, "start_offset": s.start, "end_offset": s.end, "label": s.label}
                for i, s in enumerate(record.spans)
            ]
            line["relations"] = [
                {"id": i + 1, "from_id": r.head + 1, "to_id": r.child + 1, "type": r.label}
                for i, r in enumerate(record.relations)
            ]
        out.write(json.dumps(line, ensure_ascii=False))
        out.write("\n")

    def finish(self) -> list[Path]:
        if self._relations_left_out:
            ids = self._relations_left_out
            named = ", ".join(str(i) for i in ids[:WARNED_DOCUMENTS])
            more = f" and {len(ids) - WARNED_DOCUMENTS} more" if len(ids) > WARNED_DOCUMENTS else ""
            self.settings.warn(
                f"the relations of {len(ids)} document(s) were left out: the doccano "
                f'"label" shape has no relations (documents {named}{more}); export with '
                "--doccano-shape entities to keep them."
            )
        if self._meta_left_out:
            self.settings.warn(
                "metadata keys that doccano reads as annotations were left out: "
                + ", ".join(sorted(self._meta_left_out))
                + "."
            )
        return super().finish()


def looks_like(first_object: dict[str, Any]) -> bool:
    if "text" not in first_object:
        return False
    return "entities" in first_object or _is_label_shape(first_object.get("label"))


def _is_label_shape(value: object) -> bool:
    """doccano's sequence-labeling ``label``: a list of [start, end, LABEL] (an empty
    list too, a document without entities); a text-classification ``label`` (a
    list of strings) is not."""
    return isinstance(value, list) and all(
        isinstance(item, list)
        and len(item) == 3
        and all(isinstance(n, int) and not isinstance(n, bool) for n in item[:2])
        and isinstance(item[2], str)
        for item in value
    )


def from_line(line: dict[str, Any], where: str) -> Record:
    text = line.get("text")
    if not isinstance(text, str):
        raise FormatError(where, 'has no "text" string')
    if "entities" in line:
        spans, relations = _entities(line, where)
    else:
        spans, relations = _label_shape(line.get("label"), where), []
    nested = line.get("meta") if isinstance(line.get("meta"), dict) else {}
    meta = {**(nested or {}), **{k: v for k, v in line.items() if k not in ANNOTATION_KEYS}}
    record = Record(
        text,
        tuple(spans),
        tuple(relations),
        None,
        meta,
        review=review_of(None, meta, {}, where),
    )
    record.check(where)
    return record


def _label_shape(value: object, where: str) -> list[RecordSpan]:
    if not _is_label_shape(value):
        raise FormatError(where, '"label" must be a list of [start, end, "LABEL"] entries')
    assert isinstance(value, list)
    return [RecordSpan(start, end, label) for start, end, label in value]


def _entities(line: dict[str, Any], where: str) -> tuple[list[RecordSpan], list[Relation]]:
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
    return spans, relations
