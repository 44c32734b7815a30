"""brat standoff: a ``.txt`` and an ``.ann`` per document, plus ``annotation.conf``.

``T1<TAB>LABEL start end<TAB>text`` for entities, ``R1<TAB>LABEL Arg1:T1 Arg2:T2``
for relations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from annotator.formats.records import FormatError, Record, RecordSpan
from annotator.formats.writing import FolderWriter, WriteSettings
from annotator.model import Label, LabelKind, Relation

_ENTITY = re.compile(r"^(T\d+)\t(\S+) (\d+) (\d+)\t(.*)$")
_RELATION = re.compile(r"^(R\d+)\t(\S+) Arg1:(T\d+) Arg2:(T\d+)\s*$")


def ann_text(record: Record) -> str:
    lines = []
    for i, span in enumerate(record.spans, 1):
        surface = _one_line(record.text[span.start : span.end])
        lines.append(f"T{i}\t{span.label} {span.start} {span.end}\t{surface}")
    for i, relation in enumerate(record.relations, 1):
        lines.append(f"R{i}\t{relation.label} Arg1:T{relation.head + 1} Arg2:T{relation.child + 1}")
    return "\n".join(lines) + ("\n" if lines else "")


def write_record(record: Record, folder: Path, stem: str) -> None:
    # newline="" keeps the text byte for byte: offsets count characters as stored
    (folder / f"{stem}.txt").write_text(record.text, encoding="utf-8", newline="")
    (folder / f"{stem}.ann").write_text(ann_text(record), encoding="utf-8", newline="")


def _one_line(text: str) -> str:
    """A span's text as the .ann line carries it: line breaks as spaces."""
    return text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")


def annotation_conf(labels: Iterable[Label]) -> str:
    entities = [lab.name for lab in labels if lab.kind is LabelKind.ENTITY]
    relations = []
    for lab in labels:
        if lab.kind is LabelKind.RELATION:
            head = "|".join(lab.head_types) or "<ENTITY>"
            child = "|".join(lab.child_types) or "<ENTITY>"
            relations.append(f"{lab.name}\tArg1:{head}, Arg2:{child}")
    return (
        "[entities]\n"
        + "\n".join(entities)
        + "\n\n[relations]\n"
        + "\n".join(relations)
        + "\n\n[events]\n\n[attributes]\n"
    )


def is_brat_folder(path: Path) -> bool:
    return path.is_dir() and any(path.glob("*.ann"))


def read(folder: Path) -> Iterator[tuple[Path, Record]]:
    for ann in sorted(folder.glob("*.ann")):
        txt = ann.with_suffix(".txt")
        if not txt.exists():
            raise FormatError(str(ann), f"has no text file {txt.name} beside it")
        # newline="": the text exactly as stored (brat offsets count a CRLF as two)
        with txt.open(encoding="utf-8", newline="") as file:
            text = file.read()
        yield txt, from_ann(text, ann.read_text(encoding="utf-8"), str(ann))


def from_ann(text: str, ann: str, where: str) -> Record:
    spans: list[RecordSpan] = []
    lines_of: list[int] = []
    index_of: dict[str, int] = {}
    pending: list[tuple[int, str, str, str]] = []
    for number, line in enumerate(ann.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        entity = _ENTITY.match(line)
        if entity:
            tid, label, start, end, surface = entity.groups()
            if tid in index_of:
                raise FormatError(f"{where}:{number}", f"entity id {tid} is used twice")
            found = text[int(start) : int(end)]
            if surface.strip() and _one_line(found).split() != surface.split():
                raise FormatError(
                    f"{where}:{number}",
                    f"{tid} says {surface!r} but the text at {start}..{end} reads {found!r}",
                )
            index_of[tid] = len(spans)
            spans.append(RecordSpan(int(start), int(end), label))
            lines_of.append(number)
            continue
        relation = _RELATION.match(line)
        if relation:
            _rid, label, arg1, arg2 = relation.groups()
            pending.append((number, label, arg1, arg2))
            continue
        if line[:1] in "TR":
            raise FormatError(f"{where}:{number}", f"cannot read this line: {line!r}")
        # events, attributes, notes and discontinuous entities are not carried
    relations = []
    for number, label, arg1, arg2 in pending:
        if arg1 not in index_of or arg2 not in index_of:
            raise FormatError(f"{where}:{number}", f"relation {label} names an unknown entity")
        relations.append(Relation(index_of[arg1], index_of[arg2], label))
    record = Record(text, tuple(spans), tuple(relations))
    for span, number in zip(spans, lines_of, strict=True):
        # each span on its own first, so that a problem names its .ann line
        Record(text, (span,)).check(f"{where}:{number}")
    record.check(where)
    return record


class BratWriter(FolderWriter):
    """A folder of ``doc-ID.txt`` / ``doc-ID.ann`` pairs and an ``annotation.conf``
    with every label of the database."""

    def __init__(self, settings: WriteSettings) -> None:
        super().__init__(settings)
        self._count = 0

    def add(self, record: Record) -> None:
        write_record(record, self.folder, f"doc-{record.meta.get('document_id', self._count)}")
        self._count += 1

    def complete(self) -> None:
        (self.folder / "annotation.conf").write_text(
            annotation_conf(self.settings.labels), encoding="utf-8"
        )
