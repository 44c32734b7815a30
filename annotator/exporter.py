"""Export reviewed documents in the formats people train from.

Documents stream from the store one at a time; each format writes as it goes,
so memory does not grow with the number of documents (except ``.spacy``, whose
DocBin keeps compact token arrays until it is written). Every file is written
under a temporary name beside its target and renamed into place only when the
whole export succeeded: a failed or interrupted export leaves nothing behind.
"""

from __future__ import annotations

import glob
import os
import random
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from annotator.export_options import FORMATS, ExportError, ExportOptions, ExportReport
from annotator.formats import brat, conll, doccano, jsonl
from annotator.formats.records import FormatError, Record, record_from_document
from annotator.store import Store


def select_documents(store: Store, options: ExportOptions) -> list[int]:
    ids: list[int] = []
    for status in options.statuses:
        ids.extend(store.document_ids(status))
    ids.sort()
    if options.ids:
        ids = [i for i in ids if any(lo <= i <= hi for lo, hi in options.ids)]
    if options.search:
        ids = store.ids_containing(ids, options.search)
    return ids


def export(
    store: Store,
    target: Path,
    options: ExportOptions,
    progress: Callable[[int, int], None] | None = None,
) -> ExportReport:
    if options.format not in FORMATS:
        raise ExportError(f"Unknown format {options.format!r}; choose one of {', '.join(FORMATS)}.")
    if options.split is not None and options.format != "spacy":
        raise ExportError("--split works with the spacy format only.")
    if options.split is not None and not 0 < options.split < 1:
        raise ExportError("--split must be between 0 and 1, e.g. 0.8.")
    ids = select_documents(store, options)
    if not ids:
        wanted = ", ".join(s.value for s in options.statuses)
        raise ExportError(f"No {wanted} documents match; nothing was written.")
    report = ExportReport()
    for path in _targets(target, options):
        remove_stale_parts(path)

    def records() -> Iterator[Record]:
        for n, doc_id in enumerate(ids, 1):
            doc = store.load_document(doc_id)
            updated_at, reviewer = store.review_info(doc_id)
            extra = {"annotator": reviewer, "updated_at": updated_at, "layer": options.layer.value}
            yield record_from_document(doc, options.layer, extra)
            report.documents = n
            if progress:
                progress(n, len(ids))

    try:
        if options.format == "brat":
            _export_brat(store, target, records())
            report.files = [target]
        elif options.format == "spacy":
            report.files = _export_docbin(target, records(), ids, options)
        else:
            write = {"jsonl": jsonl.write_record, "doccano": doccano.write_record}.get(
                options.format, conll.write_record
            )
            with _atomic_file(target) as out:
                for record in records():
                    write(record, out)
            report.files = [target]
    except FormatError as exc:
        raise ExportError(f"Export stopped, nothing was written: {exc}.") from exc
    except OSError as exc:
        raise ExportError(f"Cannot write {target}: {exc.strerror or exc}.") from exc
    return report


@contextmanager
def _atomic_file(target: Path) -> Iterator[TextIO]:
    """Write to a temporary file beside ``target``; rename it into place on success."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        published_mode(Path(temp), target)
        Path(temp).replace(target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _export_brat(store: Store, target: Path, records: Iterator[Record]) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ExportError(f"{target} exists and is not an empty folder; choose a new folder.")
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for n, record in enumerate(records):
            brat.write_record(record, temp, f"doc-{record.meta.get('document_id', n)}")
        (temp / "annotation.conf").write_text(
            brat.annotation_conf(store.labels()), encoding="utf-8"
        )
        published_mode(temp, target, folder=True)
        if target.exists():
            target.rmdir()
        temp.replace(target)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def _export_docbin(
    target: Path, records: Iterator[Record], ids: Sequence[int], options: ExportOptions
) -> list[Path]:
    # spaCy is only needed (and imported) for this format
    from annotator.nlp.docbin import DocBinWriter

    if options.split is None:
        writers = {target: DocBinWriter()}
        choose: Callable[[Record], Path] = lambda record: target  # noqa: E731
    else:
        train = target.with_name(f"{target.stem}-train.spacy")
        dev = target.with_name(f"{target.stem}-dev.spacy")
        shuffled = list(ids)
        random.Random(options.seed).shuffle(shuffled)
        cut = max(1, round(len(shuffled) * options.split)) if len(shuffled) > 1 else 1
        if cut >= len(shuffled):
            raise ExportError(
                f"--split {options.split} of {len(shuffled)} document(s) leaves the dev set "
                "empty; export more documents or give a smaller --split."
            )
        train_ids = set(shuffled[:cut])
        writers = {train: DocBinWriter(), dev: DocBinWriter()}

        def choose(record: Record) -> Path:
            return train if record.meta.get("document_id") in train_ids else dev

    for record in records:
        writers[choose(record)].add(record)
    temps: list[tuple[Path, Path]] = []
    try:
        for path, writer in writers.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
            os.close(fd)
            temps.append((Path(name), path))
            writer.to_disk(Path(name))
            published_mode(Path(name), path)
        _replace_all(temps)
    except BaseException:
        for part, _ in temps:
            part.unlink(missing_ok=True)
        raise
    return list(writers)


STALE_AFTER_S = 600  # a temporary export file untouched this long was left by a killed run


def _targets(target: Path, options: ExportOptions) -> list[Path]:
    if options.format == "spacy" and options.split is not None:
        return [
            target.with_name(f"{target.stem}-train.spacy"),
            target.with_name(f"{target.stem}-dev.spacy"),
        ]
    return [target]


def remove_stale_parts(target: Path) -> list[Path]:
    """Remove what a killed export to ``target`` left beside it: hidden ``.part``
    files, moved-aside ``.old`` files and temporary brat folders, once nothing has
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


def _replace_all(moves: Sequence[tuple[Path, Path]]) -> None:
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
