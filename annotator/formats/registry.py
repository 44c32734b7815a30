"""The formats annotator reads and writes: one table that the CLI, the export
dialog, the importer and the README derive from.

Each entry names its writer as ``module:Class`` (loaded when an export runs, so
that a spaCy format imports spaCy only then; the class is constructed with
``WriteSettings`` and implements ``RecordWriter``), and says how its input is
recognised and read, if annotator imports it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from annotator.errors import AnnotatorError

if TYPE_CHECKING:  # the table itself loads no format (start-up time)
    from typing import TypeAlias

    from annotator.formats.records import Record
    from annotator.formats.writing import RecordWriter, WriteSettings

    # one JSON object (a line of a JSONL file) -> its record; the string says where
    LineReader: TypeAlias = Callable[[dict[str, Any], str], Record]
    # a folder -> (the file each document came from, its record)
    FolderReader: TypeAlias = Callable[[Path], Iterator[tuple[Path, Record]]]
    # a whole file's text -> (where each document is, e.g. "file:12", its record); the
    # path is for messages (FormatError names the file and line)
    FileReader: TypeAlias = Callable[[Path, str], Iterator[tuple[str, Record]]]


class UnknownFormatError(AnnotatorError, ValueError):
    """A format name that is not in the table."""


@dataclass(frozen=True, slots=True)
class Format:
    name: str  # as in --format
    title: str  # as in the export dialog
    suffix: str  # of the file written ("" for a folder)
    writer: str  # "module:Class", see the module docstring
    folder: bool = False  # writes a folder, not a file
    splits: bool = False  # --split writes train and dev sets
    options: tuple[str, ...] = ()  # the export options it reads (WriteSettings.option)
    # import: a JSONL line in this format is recognised and read by these
    line_looks_like: Callable[[dict[str, Any]], bool] | None = None
    read_line: LineReader | None = None
    # import: a folder in this format is recognised and read by these
    folder_looks_like: Callable[[Path], bool] | None = None
    read_folder: FolderReader | None = None
    # import: a file in this format (not JSONL, e.g. CoNLL or a JSON array) has one of
    # these suffixes, and its first few KB of text pass this sniff
    file_suffixes: tuple[str, ...] = ()
    file_looks_like: Callable[[str], bool] | None = None
    read_file: FileReader | None = None

    def open_writer(self, settings: WriteSettings) -> RecordWriter:
        module, _, name = self.writer.partition(":")
        writer_class = getattr(importlib.import_module(module), name)
        return cast("RecordWriter", writer_class(settings))

    @property
    def imports(self) -> bool:
        return any(r is not None for r in (self.read_line, self.read_folder, self.read_file))


def lazy(where: str) -> Callable[..., Any]:
    """The function at ``where`` ("module:name"), imported when first called: the
    table names every format's readers without loading them (start-up time)."""
    module, _, name = where.partition(":")
    loaded: list[Callable[..., Any]] = []

    def call(*args: Any, **kwargs: Any) -> Any:
        if not loaded:
            loaded.append(getattr(importlib.import_module(module), name))
        return loaded[0](*args, **kwargs)

    call.__qualname__ = call.__name__ = name
    return call


FORMATS: tuple[Format, ...] = (
    Format(
        "jsonl",
        "JSONL gold (Prodigy tasks)",
        ".jsonl",
        "annotator.formats.jsonl:JsonlWriter",
        line_looks_like=lazy("annotator.formats.jsonl:looks_like"),
        read_line=lazy("annotator.formats.jsonl:from_task"),
    ),
    Format(
        "doccano",
        "doccano JSONL",
        ".jsonl",
        "annotator.formats.doccano:DoccanoWriter",
        options=("doccano_shape",),
        line_looks_like=lazy("annotator.formats.doccano:looks_like"),
        read_line=lazy("annotator.formats.doccano:from_line"),
    ),
    Format(
        "brat",
        "brat standoff (a folder)",
        "",
        "annotator.formats.brat:BratWriter",
        folder=True,
        folder_looks_like=lazy("annotator.formats.brat:is_brat_folder"),
        read_folder=lazy("annotator.formats.brat:read"),
    ),
    Format(
        "conll",
        "CoNLL-2003 IOB2",
        ".conll",
        "annotator.formats.conll:ConllWriter",
        options=("conll_sep",),
        file_suffixes=(".conll", ".iob", ".bio"),
        file_looks_like=lazy("annotator.formats.conll:looks_like"),
        read_file=lazy("annotator.formats.conll:read_file"),
    ),
    Format(
        "spacy",
        "spaCy DocBin (.spacy)",
        ".spacy",
        "annotator.nlp.docbin:DocBinExport",
        splits=True,
    ),
    Format(
        "hf",
        "Hugging Face datasets (a save_to_disk folder)",
        "",
        "annotator.formats.hf:HfWriter",
        folder=True,
        splits=True,
        options=("by_sentence",),
    ),
    Format(
        "labelstudio",
        "Label Studio JSON (tasks)",
        ".json",
        "annotator.formats.labelstudio:LabelStudioWriter",
        file_suffixes=(".json",),
        file_looks_like=lazy("annotator.formats.labelstudio:looks_like"),
        read_file=lazy("annotator.formats.labelstudio:read_file"),
    ),
)
NAMES: tuple[str, ...] = tuple(f.name for f in FORMATS)


def get_format(name: str) -> Format:
    for fmt in FORMATS:
        if fmt.name == name:
            return fmt
    raise UnknownFormatError(f"Unknown format {name!r}; choose one of {', '.join(NAMES)}.")


def line_format(line: dict[str, Any]) -> Format | None:
    """The format a JSONL line with annotations is in (None: a plain article)."""
    for fmt in FORMATS:
        if fmt.line_looks_like is not None and fmt.line_looks_like(line):
            return fmt
    return None


def file_formats() -> tuple[Format, ...]:
    """The formats read from a file as a whole (not JSONL lines, not folders)."""
    return tuple(f for f in FORMATS if f.read_file is not None)


def folder_format(path: Path) -> Format | None:
    """The format of a folder that is read as one unit (None: a folder of files)."""
    for fmt in FORMATS:
        if fmt.folder_looks_like is not None and fmt.folder_looks_like(path):
            return fmt
    return None
