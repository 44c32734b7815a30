"""Label Studio JSON: one ``.json`` file holding an array of tasks, the format
Label Studio exports ("JSON") and imports, annotations and pre-annotations alike.

A task::

    {"id": 12,
     "data": {"text": "...", "meta": {...annotator's metadata...}},
     "annotations": [{"result": [RESULT, ...]}]}

An export of the model layer (``--layer model``) puts the results under
``"predictions": [{"model_version": PIPELINE, "result": [...]}]`` instead, which
Label Studio shows as pre-annotations to correct. A span is a ``labels`` result
and a relation a ``relation`` result pointing at span result ids::

    {"id": "12-e1", "from_name": "label", "to_name": "text", "type": "labels",
     "value": {"start": 0, "end": 7, "text": "Armenia", "labels": ["GPE"]}}
    {"type": "relation", "from_id": "12-e1", "to_id": "12-e2",
     "direction": "right", "labels": ["PHYS"]}

``from_name`` / ``to_name`` are those of Label Studio's "Named Entity
Recognition" and "Relation Extraction" templates; ``labeling_config`` writes that
labeling config for the database's labels. A relation whose label is undirected
is written with ``"direction": "bi"``. Offsets count Unicode code points, as
Python's ``str`` does (so does Label Studio: an emoji is one character).

Reading takes, per task, the first annotation that was not cancelled
(``was_cancelled`` / ``skipped``); a task without one takes its first
prediction; a task with neither has no annotations. Other result types
(choices, text areas, ratings) are left out; region results that are not text
spans (``hypertextlabels``, ``rectanglelabels``, ...) are refused, as are spans
that overlap or carry other than one label, relations without a label, and a
``value.text`` that is not the text at the span's offsets. The task's ``data``
fields other than ``text`` (and the ``meta`` annotator writes there) become the
document's metadata, with the task id as ``labelstudio_id``.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO, TypeGuard

from annotator.formats.records import FormatError, Record, RecordSpan, review_of
from annotator.formats.writing import LinesWriter, WriteSettings, published_mode
from annotator.model import Label, LabelKind, Relation

FROM_NAME = "label"  # the <Labels> control of the labeling config
TO_NAME = "text"  # the <Text> object it labels, showing data.text
CANCELLED = ("was_cancelled", "skipped")  # "skipped": Label Studio before 1.0

# a problem of the task being read -> the FormatError that names it
Error = Callable[[str], FormatError]


# -- writing ------------------------------------------------------------------


def to_task(record: Record, undirected: Iterable[str] = ()) -> dict[str, Any]:
    """The task of one record: annotations, or predictions when the record is
    of the model layer (``meta["layer"] == "model"``, as the exporter sets it).
    Relations whose label is in ``undirected`` get ``"direction": "bi"``."""
    doc_id = record.meta.get("document_id")
    prefix = f"{doc_id}-" if isinstance(doc_id, int) else ""
    ids = [f"{prefix}e{i}" for i in range(1, len(record.spans) + 1)]
    both_ways = set(undirected)
    result: list[dict[str, Any]] = [
        {
            "id": span_id,
            "from_name": FROM_NAME,
            "to_name": TO_NAME,
            "type": "labels",
            "value": {
                "start": span.start,
                "end": span.end,
                "text": record.text[span.start : span.end],
                "labels": [span.label],
            },
        }
        for span_id, span in zip(ids, record.spans, strict=True)
    ]
    result.extend(
        {
            "from_id": ids[relation.head],
            "to_id": ids[relation.child],
            "type": "relation",
            "direction": "bi" if relation.label in both_ways else "right",
            "labels": [relation.label],
        }
        for relation in record.relations
    )
    task: dict[str, Any] = {}
    if isinstance(doc_id, int):
        task["id"] = doc_id
    task["data"] = {"text": record.text, "meta": record.meta}
    if record.meta.get("layer") == "model":
        pipeline = record.meta.get("pipeline")
        version = pipeline if isinstance(pipeline, str) and pipeline else "annotator"
        task["predictions"] = [{"model_version": version, "result": result}]
    else:
        task["annotations"] = [{"result": result}]
    return task


class LabelStudioWriter(LinesWriter):
    """A JSON array written one task at a time (``[``, tasks separated by
    ``,`` and a line break, ``]``): the export never holds more than one task."""

    def __init__(self, settings: WriteSettings) -> None:
        super().__init__(settings)
        self._count = 0
        self._undirected = frozenset(
            label.name
            for label in settings.labels
            if label.kind is LabelKind.RELATION and not label.directed
        )

    def header(self) -> str:
        return "["

    def footer(self) -> str:
        return "\n]\n" if self._count else "]\n"

    def finish(self) -> list[Path]:
        """The tasks, and beside them the labeling config that shows them
        (``OUT.label-config.xml``: paste it in Settings > Labeling Interface)."""
        config = self.target.with_name(f"{self.target.stem}.label-config.xml")
        fd, name = tempfile.mkstemp(prefix=f".{config.name}.", suffix=".part", dir=config.parent)
        temp = Path(name)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
                out.write(labeling_config(self.settings.labels))
            published_mode(temp, config)
            files = super().finish()
            temp.replace(config)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return [*files, config]

    def write_record(self, record: Record, out: TextIO) -> None:
        out.write(",\n" if self._count else "\n")
        out.write(
            json.dumps(to_task(record, self._undirected), ensure_ascii=False, separators=(",", ":"))
        )
        self._count += 1


def labeling_config(labels: Iterable[Label]) -> str:
    """The Label Studio labeling config (XML) that shows these labels and reads
    the exported tasks: Settings > Labeling Interface > Code in Label Studio."""
    from xml.sax.saxutils import quoteattr  # here: it loads urllib (start-up time)

    labels = list(labels)
    lines = ["<View>"]
    relations = [lab for lab in labels if lab.kind is LabelKind.RELATION]
    if relations:
        lines.append("  <Relations>")
        lines.extend(
            f"    <Relation value={quoteattr(lab.name)} background={quoteattr(lab.color)}/>"
            for lab in relations
        )
        lines.append("  </Relations>")
    lines.append(f'  <Labels name="{FROM_NAME}" toName="{TO_NAME}">')
    lines.extend(
        f"    <Label value={quoteattr(lab.name)} background={quoteattr(lab.color)}/>"
        for lab in labels
        if lab.kind is LabelKind.ENTITY
    )
    lines.append("  </Labels>")
    lines.append(f'  <Text name="{TO_NAME}" value="$text"/>')
    lines.append("</View>")
    return "\n".join(lines) + "\n"


# -- reading ------------------------------------------------------------------

_SPACE = re.compile(r"[ \t\n\r]*")  # JSON's whitespace
_ARRAY_OF_OBJECTS = re.compile(r"\A\ufeff?[ \t\n\r]*\[[ \t\n\r]*\{")
_DATA = re.compile(r'"data"[ \t\n\r]*:[ \t\n\r]*\{')
_RESULTS = re.compile(r'"(?:annotations|predictions|completions)"[ \t\n\r]*:[ \t\n\r]*\[')
_RESULT = re.compile(r'"result"[ \t\n\r]*:')


def looks_like(head: str) -> bool:
    """Whether the first few KB of a file are those of a Label Studio export: a
    JSON array of objects with a ``data`` object, or with annotations or
    predictions holding a ``result`` (Label Studio writes ``data`` after them)."""
    if not _ARRAY_OF_OBJECTS.match(head):
        return False
    return bool(_DATA.search(head) or (_RESULTS.search(head) and _RESULT.search(head)))


def read_file(path: Path, text: str) -> Iterator[tuple[str, Record]]:
    """The tasks of a Label Studio export, each as ``("path:line", record)``
    with the line its task starts on; a problem is a FormatError naming the
    line and the task (counted from 1, with its id)."""
    for number, line, task in _tasks(path, text):
        where = f"{path}:{line}"
        yield where, from_task(task, where, _task_name(number, task))


def _task_name(number: int, task: object) -> str:
    task_id = task.get("id") if isinstance(task, dict) else None
    if isinstance(task_id, (int, str)) and not isinstance(task_id, bool):
        return f"task {number} (id {json.dumps(task_id, ensure_ascii=False)})"
    return f"task {number}"


def _tasks(path: Path, text: str) -> Iterator[tuple[int, int, object]]:
    """(number, line, task) for each task of the top-level array, parsed one at
    a time so that each is known by the line it starts on."""
    decoder = json.JSONDecoder()
    pos = _skip(text, 1 if text.startswith("\ufeff") else 0)
    if not text.startswith("[", pos):
        found = _kind_at(text, pos)
        raise FormatError(
            str(path),
            f"is not a Label Studio JSON export: it holds {found}, not an array of tasks "
            '([{"data": {"text": ...}, "annotations": [...]}, ...])',
        )
    line, counted = 1, 0
    pos = _skip(text, pos + 1)
    number = 0
    if not text.startswith("]", pos):
        while True:
            number += 1
            line += text.count("\n", counted, pos)
            counted = pos
            task, end = _decode(decoder, path, text, pos, line, number)
            yield number, line, task
            pos = _skip(text, end)
            if text.startswith(",", pos):
                pos = _skip(text, pos + 1)
                continue
            if text.startswith("]", pos):
                break
            at = text.count("\n", 0, pos) + 1
            raise FormatError(
                f"{path}:{at}",
                f"not valid JSON (expected , or ] after task {number}, line {at})",
            )
    pos = _skip(text, pos + 1)
    if pos < len(text):
        at = text.count("\n", 0, pos) + 1
        raise FormatError(f"{path}:{at}", f"not valid JSON (more after the array, line {at})")


def _decode(
    decoder: json.JSONDecoder, path: Path, text: str, pos: int, line: int, number: int
) -> tuple[object, int]:
    try:
        task, end = decoder.raw_decode(text, pos)
    except json.JSONDecodeError as exc:
        raise FormatError(
            f"{path}:{exc.lineno}",
            f"task {number}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})",
        ) from None
    except ValueError as exc:  # e.g. an integer of thousands of digits
        raise FormatError(f"{path}:{line}", f"task {number}: not usable JSON ({exc})") from None
    except RecursionError:
        raise FormatError(
            f"{path}:{line}", f"task {number}: not usable JSON (nested too deeply)"
        ) from None
    return task, end


def _skip(text: str, pos: int) -> int:
    match = _SPACE.match(text, pos)
    return match.end() if match else pos


def _kind_at(text: str, pos: int) -> str:
    first = text[pos : pos + 1]
    if first == "{":
        return "a single JSON object (put it in [ ] to make it a list of one task)"
    if not first:
        return "nothing"
    return "no JSON array"


def from_task(task: object, where: str, name: str = "the task") -> Record:
    """One task (a parsed JSON value) as a record; a FormatError at ``where``
    whose message starts with ``name``."""

    def error(message: str) -> FormatError:
        return FormatError(where, f"{name}: {message}")

    if not isinstance(task, dict):
        raise error(f"a task must be a JSON object, not {_json_kind(task)}")
    try:
        json.dumps(task, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise error(
            f"holds a character that is not valid Unicode ({exc.object[exc.start]!r})"
        ) from None
    except (ValueError, RecursionError) as exc:
        raise error(f"not usable JSON ({exc})") from None
    data = task.get("data")
    if not isinstance(data, dict):
        raise error('has no "data" object (a Label Studio task keeps its text in "data.text")')
    text = data.get("text")
    if not isinstance(text, str):
        raise error(
            '"data" has no "text" string (annotator reads the text from data.text, '
            'as <Text name="text" value="$text"/> does)'
        )
    if not text.strip():
        raise error('"data.text" is empty')
    if "\x00" in text:
        raise error(f'"data.text" contains a NUL character (at offset {text.index(chr(0))})')
    spans, relations = _annotations(text, _chosen_result(task, error), error)
    meta = _meta(task, data)
    # the review our export keeps in data.meta (status, annotator, updated_at)
    record = Record(text, spans, relations, None, meta, review=review_of(None, meta, {}, where))
    try:
        record.check(where)
    except FormatError as exc:
        raise error(exc.message) from None
    return record


def _chosen_result(task: dict[str, Any], error: Error) -> list[dict[str, Any]]:
    """The result of the first annotation not cancelled, else of the first prediction."""
    key = "annotations" if "annotations" in task else "completions"  # before Label Studio 1.0
    for annotation in _objects(task.get(key), key, error):
        if not any(annotation.get(flag) is True for flag in CANCELLED):
            return _objects(annotation.get("result"), f"{key}[].result", error)
    predictions = _objects(task.get("predictions"), "predictions", error)
    if predictions:
        return _objects(predictions[0].get("result"), "predictions[].result", error)
    return []


def _objects(value: object, what: str, error: Error) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise error(f'"{what}" must be a list of objects')
    return value


def _annotations(
    text: str, results: list[dict[str, Any]], error: Error
) -> tuple[tuple[RecordSpan, ...], tuple[Relation, ...]]:
    spans: list[RecordSpan] = []
    index_of: dict[object, int] = {}
    pending: list[dict[str, Any]] = []
    for result in results:
        kind = result.get("type")
        if kind == "relation":
            pending.append(result)
        elif kind == "labels":
            span = _span(text, result, error)
            result_id = result.get("id")
            if result_id is not None:
                if not isinstance(result_id, (str, int)) or isinstance(result_id, bool):
                    raise error(f"a result id must be a string, not {_json_kind(result_id)}")
                if result_id in index_of:
                    raise error(
                        f"region {result_id!r} is labelled twice; annotator keeps one "
                        "label per span"
                    )
                index_of[result_id] = len(spans)
            spans.append(span)
        elif isinstance(kind, str) and kind.endswith("labels"):
            raise error(
                f"holds a {kind!r} result; annotator reads text spans, results of type "
                '"labels" on a <Text> tag'
            )
        # choices, text areas, ratings and the like are about the whole task: not carried
    relations: list[Relation] = []
    for result in pending:
        relations.extend(_relations(result, index_of, error))
    return tuple(spans), tuple(relations)


def _span(text: str, result: dict[str, Any], error: Error) -> RecordSpan:
    value = result.get("value")
    name = f"result {result.get('id')!r}" if result.get("id") is not None else "a result"
    if not isinstance(value, dict):
        raise error(f'{name} has no "value" object')
    start, end = value.get("start"), value.get("end")
    if not (_is_int(start) and _is_int(end)):
        raise error(
            f"{name}: value.start and value.end must be character offsets (whole numbers), "
            f"not {start!r} and {end!r}"
        )
    labels = value.get("labels")
    if not isinstance(labels, list) or not all(isinstance(lab, str) for lab in labels):
        raise error(f'{name} at {start}..{end}: "value.labels" must be a list of strings')
    if len(labels) != 1:
        found = f"{len(labels)} labels ({', '.join(labels)})" if labels else "no label"
        raise error(f"span {start}..{end} has {found}; annotator keeps one label per span")
    span = RecordSpan(start, end, labels[0])
    try:  # inside the text, with a one-word label
        Record(text, (span,)).check("")
    except FormatError as exc:
        raise error(exc.message) from None
    surface = value.get("text")
    if surface is not None and surface != text[start:end]:
        raise error(
            f"span {start}..{end} ({span.label}) says {surface!r} but the text at "
            f"{start}..{end} reads {text[start:end]!r}"
        )
    return span


def _relations(result: dict[str, Any], index_of: dict[object, int], error: Error) -> list[Relation]:
    name = f"relation {result.get('from_id')!r} -> {result.get('to_id')!r}"
    ends = []
    for key in ("from_id", "to_id"):
        region = result.get(key)
        if not (isinstance(region, (str, int)) and _hashable_id(region) in index_of):
            raise error(f"{name}: {key} {region!r} is not the id of one of its spans")
        ends.append(index_of[_hashable_id(region)])
    labels = result.get("labels", [])
    if not isinstance(labels, list) or not all(isinstance(lab, str) for lab in labels):
        raise error(f'{name}: "labels" must be a list of strings')
    if not labels:
        raise error(
            f"{name} has no label; annotator's relations need one (label it in Label "
            "Studio, or remove it)"
        )
    direction = result.get("direction", "right")
    if direction in ("right", "bi"):  # "bi": undirected, kept as from -> to
        head, child = ends
    elif direction == "left":
        child, head = ends
    else:
        raise error(f'{name} has the direction {direction!r}; expected "right", "left" or "bi"')
    return [Relation(head, child, label) for label in labels]


def _meta(task: dict[str, Any], data: dict[str, Any]) -> dict[str, object]:
    meta: dict[str, object] = {}
    if isinstance(task.get("meta"), dict):  # Label Studio's task-level meta
        meta.update(task["meta"])
    meta.update((k, v) for k, v in data.items() if k not in ("text", "meta"))
    if isinstance(data.get("meta"), dict):  # where annotator writes its metadata
        meta.update(data["meta"])
    elif "meta" in data:
        meta["meta"] = data["meta"]
    task_id = task.get("id")
    if isinstance(task_id, (int, str)) and not isinstance(task_id, bool):
        meta["labelstudio_id"] = task_id
    return meta


def _hashable_id(value: str | int) -> object:
    """An id as a key: true and false are not the ids 1 and 0."""
    return ("bool", value) if isinstance(value, bool) else value


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _json_kind(value: object) -> str:
    kinds = {dict: "an object", list: "an array", str: "a string", bool: "true or false"}
    if value is None:
        return "null"
    return kinds.get(type(value), "a number")
