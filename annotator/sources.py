"""Read articles to import: plain-text files, folders of them, JSONL, and the
formats the registry reads from a file (CoNLL, ...) or a folder (brat).

A file is read whole and checked before anything of it is used: one problem in
a file (binary content, bad UTF-8, a malformed JSON line, a line without
``text``) rejects the whole file, with every problem found named by file and line.

What a file holds is told by its suffix (.jsonl / .ndjson, a registry format's
suffix such as .conll), else by its content (``sniff``): a .txt / .text file is
an article unless its content is plainly JSON Lines or a registry format (a CoNLL
file named train.txt); a file with any other suffix, or none, must be plainly one
of JSONL, a registry format or prose, and is refused, named, when that is unclear.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from annotator.formats.conll import is_token_line
from annotator.formats.records import FormatError, Record
from annotator.formats.registry import Format, file_formats, folder_format, line_format
from annotator.model import first_line_title

JSONL_SUFFIXES = {".jsonl", ".ndjson"}
TEXT_SUFFIXES = {".txt", ".text"}
MAX_PROBLEMS_PER_FILE = 20


@dataclass(frozen=True, slots=True)
class SourceDocument:
    text: str
    title: str
    meta: dict[str, object]
    origin: str  # "path" or "path:line", for messages
    annotations: Record | None = None  # spans and relations of pre-annotated input


@dataclass(frozen=True, slots=True)
class SourceProblem:
    path: Path
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else str(self.path)
        return f"{where}: {self.message}"


@dataclass(slots=True)
class SourceFile:
    """One input file: its documents, or the problems that reject it."""

    path: Path
    documents: list[SourceDocument] = field(default_factory=list)
    problems: list[SourceProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def expand_paths(paths: Iterable[Path]) -> tuple[list[Path], list[SourceProblem]]:
    """Files to read, in a stable order: given files as they are, folders searched
    recursively for .txt/.text/.jsonl/.ndjson files (hidden ones left out)."""
    files: list[Path] = []
    problems: list[SourceProblem] = []
    for path in paths:
        if folder_format(path) is not None:
            files.append(path)  # read as one unit (brat: .txt and .ann pairs)
        elif path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in TEXT_SUFFIXES | JSONL_SUFFIXES | _file_suffixes()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                problems.append(
                    SourceProblem(path, "folder holds no .txt, .text, .jsonl or .ndjson files")
                )
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(SourceProblem(path, "no such file or folder"))
    return list(dict.fromkeys(files)), problems


def _file_suffixes() -> set[str]:
    return {suffix for f in file_formats() for suffix in f.file_suffixes}


PREFIX_BYTES = 8192  # what is looked at before a file is read whole


def read_source(path: Path) -> SourceFile:
    """Read and check one file; never raises for bad content."""
    source = SourceFile(path)
    if path.is_dir():
        _read_folder(source)
        return source
    try:
        with path.open("rb") as file:
            head = file.read(PREFIX_BYTES)
            # a binary file is refused on its first bytes, not read whole
            if _looks_binary(source, head):
                return source
            raw = head + file.read()
    except OSError as exc:
        source.problems.append(SourceProblem(path, f"cannot read: {exc.strerror}"))
        return source
    text = _decode(source, raw)
    if text is None:
        return source
    in_format = file_format_of(path)
    suffix = path.suffix.lower()
    if in_format is not None:
        _read_file(source, in_format, text)
    elif suffix in JSONL_SUFFIXES:
        _read_jsonl(source, text)
    elif not text.strip():
        source.problems.append(SourceProblem(path, "file is empty"))
    else:
        sniffed = sniff(text)
        if sniffed.kind == "jsonl":
            _read_jsonl(source, text)
        elif sniffed.format is not None:
            _read_file(source, sniffed.format, text)
        elif sniffed.kind == "unsure" and suffix not in TEXT_SUFFIXES:
            source.problems.append(SourceProblem(path, _unsure(sniffed.why)))
        else:  # prose, or a .txt / .text file that is not plainly anything else
            source.documents.append(
                SourceDocument(text, first_line_title(text), {"source": path.name}, str(path))
            )
    return source


@dataclass(frozen=True, slots=True)
class Sniffed:
    """What a file's content says it is."""

    kind: Literal["article", "jsonl", "format", "unsure"]
    format: Format | None = None  # for "format"
    why: str = ""  # for "unsure"


TABULAR_SHARE = 0.2  # of the lines: more look like columns than prose has


def sniff(text: str) -> Sniffed:
    """JSON Lines if the first line is a JSON object; a registry format if exactly
    one format's ``file_looks_like`` claims the first few KB; unsure if several do,
    if it starts like JSON, or if two lines or more, and one in five or more, look
    like columns (a tab between words, or ``word ... TAG`` as in CoNLL); else prose
    (an article)."""
    body = text.lstrip()
    first_line = body.split("\n", 1)[0]
    if first_line.startswith("{") and _is_json_object(first_line):
        return Sniffed("jsonl")
    head = _head(text)
    claims = [f for f in file_formats() if f.file_looks_like and f.file_looks_like(head)]
    if len(claims) == 1:
        return Sniffed("format", claims[0])
    if claims:
        return Sniffed("unsure", why=f"it could be {' or '.join(f.title for f in claims)}")
    if body.startswith(("{", "[")):
        return Sniffed(
            "unsure",
            why="it starts like JSON but is neither JSON Lines (one object per line) nor "
            "a JSON format annotator reads",
        )
    lines = [line for line in head.split("\n") if line.strip()]
    columnar = sum(1 for line in lines if "\t" in line.strip() or is_token_line(line))
    if columnar >= 2 and columnar >= TABULAR_SHARE * len(lines):
        return Sniffed(
            "unsure",
            why=f"{columnar} of its first {len(lines)} non-blank lines look like columns (a "
            "tab, or 'word ... TAG' as in CoNLL) and the others do not",
        )
    return Sniffed("article")


def _unsure(why: str) -> str:
    choices = [".txt imports it as one article", ".jsonl as JSON Lines"] + [
        f"{f.file_suffixes[0]} as {f.title}" for f in file_formats() if f.file_suffixes
    ]
    return (
        f"cannot tell what this file holds: {why}. Rename it to say what it is: "
        f"{', '.join(choices[:-1])} or {choices[-1]}."
    )


def _head(text: str) -> str:
    """The first few KB of ``text``, cut at a line end, for the sniffers."""
    if len(text) <= PREFIX_BYTES:
        return text
    head = text[:PREFIX_BYTES]
    cut = head.rfind("\n")
    return head[:cut] if cut > 0 else head


def _is_json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError
        return False


def file_format_of(path: Path) -> Format | None:
    """The format (read from a whole file, see formats/registry.py) of ``path``, by
    its suffix."""
    suffix = path.suffix.lower()
    return next((f for f in file_formats() if suffix in f.file_suffixes), None)


def _read_file(source: SourceFile, fmt: Format, text: str) -> None:
    assert fmt.read_file is not None
    try:
        for where, record in fmt.read_file(source.path, text):
            title = record.meta.get("title")
            source.documents.append(
                SourceDocument(
                    record.text,
                    title
                    if isinstance(title, str) and title.strip()
                    else first_line_title(record.text),
                    {"source": where.rpartition("/")[2], **record.meta},
                    where,
                    record,
                )
            )
    except FormatError as exc:
        source.problems.append(SourceProblem(source.path, exc.message, line_of(exc.where)))
    if not source.documents and not source.problems:
        source.problems.append(SourceProblem(source.path, f"holds no {fmt.title} documents"))


def line_of(where: str) -> int | None:
    """The line number at the end of ``path:line``, if there is one."""
    tail = where.rpartition(":")[2]
    return int(tail) if tail.isdigit() else None


def _read_folder(source: SourceFile) -> None:
    """A folder in a format that is read as one unit (see formats/registry.py)."""
    fmt = folder_format(source.path)
    if fmt is None or fmt.read_folder is None:
        source.problems.append(SourceProblem(source.path, "is not a folder annotator can read"))
        return
    try:
        for txt, record in fmt.read_folder(source.path):
            source.documents.append(
                SourceDocument(
                    record.text,
                    first_line_title(record.text),
                    {"source": txt.name},
                    str(txt),
                    record,
                )
            )
    except FormatError as exc:
        source.problems.append(SourceProblem(source.path, str(exc)))
    except (OSError, UnicodeDecodeError) as exc:
        source.problems.append(SourceProblem(source.path, f"cannot read: {exc}"))


def _decode(source: SourceFile, raw: bytes) -> str | None:
    if not raw.strip():
        source.problems.append(SourceProblem(source.path, "file is empty"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        source.problems.append(
            SourceProblem(
                source.path,
                f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                "convert it to UTF-8 first",
                line,
            )
        )
        return None
    if "\x00" in text:  # SQL and most tools stop reading text at a NUL
        at = text.index("\x00")
        line = text.count("\n", 0, at) + 1
        column = at - (text.rfind("\n", 0, at) + 1) + 1
        source.problems.append(
            SourceProblem(
                source.path,
                f"contains a NUL character (line {line}, column {column}, offset {at}); "
                "remove it first",
                line,
            )
        )
        return None
    return text


def _looks_binary(source: SourceFile, head: bytes) -> bool:
    """Refuse UTF-16 (with its byte-order mark) and files with NUL bytes up front."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        source.problems.append(
            SourceProblem(
                source.path,
                "is UTF-16 text; convert it to UTF-8 first (for example: iconv -f UTF-16 -t UTF-8)",
            )
        )
        return True
    if b"\x00" in head:
        source.problems.append(
            SourceProblem(source.path, "looks like a binary file (it contains NUL bytes), not text")
        )
        return True
    return False


def _read_jsonl(source: SourceFile, text: str) -> None:
    path = source.path
    # Split on "\n" only: str.splitlines() would also cut at U+2028 and other
    # separators that JSON allows unescaped inside strings.
    for number, line in enumerate(text.split("\n"), 1):
        if len(source.problems) >= MAX_PROBLEMS_PER_FILE:
            source.problems.append(SourceProblem(path, "too many problems; stopped reading"))
            return
        if not line.strip():
            continue
        problem = _parse_line(source, number, line)
        if problem:
            source.problems.append(SourceProblem(path, problem, number))
    if not source.documents and not source.problems:
        source.problems.append(SourceProblem(path, "file holds no JSON lines"))


def _parse_line(source: SourceFile, number: int, line: str) -> str | None:
    """Parse one JSONL line into ``source.documents``; return a problem or None."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return f"not valid JSON ({exc.msg} at column {exc.colno})"
    except ValueError as exc:  # e.g. an integer of thousands of digits
        return f"not usable JSON ({exc})"
    except RecursionError:
        return "not usable JSON (nested too deeply)"
    if not isinstance(record, dict):
        return f"expected a JSON object, found {type(record).__name__}"
    try:
        json.dumps(record, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"holds a character that is not valid Unicode ({exc.object[exc.start]!r})"
    except (ValueError, RecursionError) as exc:
        return f"not usable JSON ({exc})"
    text = record.get("text")
    if not isinstance(text, str):
        return 'has no "text" string' if text is None else '"text" must be a string'
    if not text.strip():
        return '"text" is empty'
    if "\x00" in text:
        return f'"text" contains a NUL character (at offset {text.index(chr(0))}); remove it'
    meta = record.get("meta", {})
    if not isinstance(meta, dict):
        return '"meta" must be a JSON object'
    annotations = None
    fmt = line_format(record)
    try:
        if fmt is not None and fmt.read_line is not None:
            annotations = fmt.read_line(record, f"{source.path}:{number}")
    except FormatError as exc:
        return exc.message
    # what the format's reader found (doccano's metadata is flat, beside "text")
    meta = {**(annotations.meta if annotations is not None else {}), **meta}
    meta.setdefault("source", f"{source.path.name}:{number}")
    title = meta.get("title")
    source.documents.append(
        SourceDocument(
            text,
            title if isinstance(title, str) and title.strip() else first_line_title(text),
            meta,
            f"{source.path}:{number}",
            annotations,
        )
    )
    return None
