"""Writing an export: what every format's writer gets, what it must do, and the
file handling they share.

A writer takes records one at a time (``add``) and publishes its files only in
``finish``: everything is written under temporary names beside the targets and
renamed into place at the end, so a failed or interrupted export (``abort``)
leaves nothing behind, not even a half-written file.
"""

from __future__ import annotations

import glob
import os
import random
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO

from annotator.errors import AnnotatorError
from annotator.formats.records import Record
from annotator.model import Label


class TargetError(AnnotatorError):
    """The export cannot be written where it was asked to go; nothing was written."""


@dataclass(frozen=True, slots=True)
class WriteSettings:
    """What a writer may need beyond the records (the exporter fills it in)."""

    target: Path
    labels: tuple[Label, ...] = ()  # every label of the database (brat's annotation.conf)
    document_ids: tuple[int, ...] = ()  # the exported documents, in order
    split: float | None = None  # share of the documents for training (formats that split)
    seed: int = 0  # for the split's shuffle
    options: tuple[tuple[str, str], ...] = ()  # format options (see Format.options)
    # a problem that does not stop the export (it is reported with the result)
    warn: Callable[[str], None] = print

    def option(self, name: str, default: str) -> str:
        return dict(self.options).get(name, default)


class RecordWriter(Protocol):
    def add(self, record: Record) -> None:
        """Write one document."""

    def finish(self) -> list[Path]:
        """Publish what was written; returns the files (or folders) made."""

    def abort(self) -> None:
        """Remove everything written so far."""


class LinesWriter:
    """A single text file, one record after another (JSONL, CoNLL): subclasses
    give ``write_record``, and may write a ``header`` and ``footer``."""

    def __init__(self, settings: WriteSettings) -> None:
        self.settings = settings
        self.target = settings.target
        self.target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(
            prefix=f".{self.target.name}.", suffix=".part", dir=self.target.parent
        )
        self._temp = Path(temp)
        self.out: TextIO = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        self._started = False

    def write_record(self, record: Record, out: TextIO) -> None:
        raise NotImplementedError

    def header(self) -> str:
        return ""

    def footer(self) -> str:
        return ""

    def add(self, record: Record) -> None:
        if not self._started:
            self._started = True
            self.out.write(self.header())
        self.write_record(record, self.out)

    def finish(self) -> list[Path]:
        if not self._started:
            self.out.write(self.header())
        self.out.write(self.footer())
        self.out.flush()
        os.fsync(self.out.fileno())
        self.out.close()
        published_mode(self._temp, self.target)
        self._temp.replace(self.target)
        return [self.target]

    def abort(self) -> None:
        self.out.close()
        self._temp.unlink(missing_ok=True)


def lines_writer(write: Callable[[Record, TextIO], None]) -> type[LinesWriter]:
    """A LinesWriter class that writes each record with ``write``."""

    class Writer(LinesWriter):
        def write_record(self, record: Record, out: TextIO) -> None:
            write(record, out)

    return Writer


class FolderWriter:
    """A new folder of files (brat): subclasses write into ``self.folder``, a
    temporary folder beside the target that ``finish`` renames into place."""

    def __init__(self, settings: WriteSettings) -> None:
        self.settings = settings
        target = self.target = settings.target
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise TargetError(f"{target} exists and is not an empty folder; choose a new folder.")
        target.parent.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))

    def add(self, record: Record) -> None:
        raise NotImplementedError

    def complete(self) -> None:
        """Write what goes into the folder once every record is in."""

    def finish(self) -> list[Path]:
        self.complete()
        published_mode(self.folder, self.target, folder=True)
        if self.target.exists():
            self.target.rmdir()
        self.folder.replace(self.target)
        return [self.target]

    def abort(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


STALE_AFTER_S = 600  # a temporary export file untouched this long was left by a killed run


def remove_stale_parts(target: Path) -> list[Path]:
    """Remove what a killed export to ``target`` left beside it: hidden ``.part``
    files, moved-aside ``.old`` files and temporary folders, once nothing has
    written to them for STALE_AFTER_S seconds (a running export keeps its own fresh)."""
    removed: list[Path] = []
    if not target.parent.is_dir():
        return removed
    now = time.time()
    for path in target.parent.glob(f".{glob.escape(target.name)}.*"):
        try:
            if now - path.stat().st_mtime < STALE_AFTER_S:
                continue
            if path.is_dir():
                shutil.rmtree(path)
            elif path.suffix in (".part", ".old"):
                path.unlink()
            else:
                continue
        except OSError:
            continue
        removed.append(path)
    return removed


def published_mode(temp: Path, target: Path, folder: bool = False) -> None:
    """Give a temporary file (made private by mkstemp / mkdtemp) the mode the
    target will have: an existing target's mode, else what the umask allows, so
    that a teammate or a brat server can read the export as any other file."""
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except OSError:
        mode = (0o777 if folder else 0o666) & ~_umask()
    temp.chmod(mode)


def _umask() -> int:
    """The process umask (read from /proc where it can be, without changing it)."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def replace_all(moves: Sequence[tuple[Path, Path]]) -> None:
    """Rename every written part onto its target, all or none: a target replaced
    before a later rename failed gets its old file back."""
    done: list[tuple[Path, Path | None]] = []  # target, its old file moved aside
    try:
        for part, target in moves:
            old = None
            if target.exists() and not target.is_dir():
                old = target.with_name(f".{target.name}.{os.getpid()}.old")
                target.replace(old)
            done.append((target, old))
            part.replace(target)
    except BaseException:
        for target, old in reversed(done):
            if old is not None:
                old.replace(target)
            elif target.is_file():
                target.unlink()
        raise
    for _, old in done:
        if old is not None:
            old.unlink(missing_ok=True)


def train_ids(settings: WriteSettings, held_out: str = "dev") -> set[int] | None:
    """The documents of the training part of a split (None: no split): shuffled
    with the seed, the same for every format, so that one seed puts the same
    documents in training whatever the format. ``held_out`` names the other part."""
    if settings.split is None:
        return None
    ids = list(settings.document_ids)
    random.Random(settings.seed).shuffle(ids)
    cut = max(1, round(len(ids) * settings.split)) if len(ids) > 1 else 1
    if cut >= len(ids):
        raise TargetError(
            f"--split {settings.split} of {len(ids)} document(s) leaves the {held_out} set "
            "empty; export more documents or give a smaller --split."
        )
    return set(ids[:cut])


def split_targets(target: Path, suffix: str) -> tuple[Path, Path]:
    """The train and dev files of a split export to ``target``."""
    return (
        target.with_name(f"{target.stem}-train{suffix}"),
        target.with_name(f"{target.stem}-dev{suffix}"),
    )
