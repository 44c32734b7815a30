"""spaCy ``DocBin`` (``.spacy``) output with ``doc.ents`` set, ready for ``spacy train``."""

from __future__ import annotations

import os
import random
import struct
import tempfile
import zlib
from pathlib import Path

import numpy
import spacy
import srsly
from spacy.attrs import SPACY
from spacy.tokens import Doc, DocBin

from annotator.formats.records import FormatError, Record
from annotator.formats.writing import (
    TargetError,
    WriteSettings,
    published_mode,
    replace_all,
    split_targets,
)


class DocBinWriter:
    """Writes a ``.spacy`` file that ``DocBin.from_disk`` reads, without holding the
    corpus in memory: each document's token arrays go to scratch files as it is
    added, and the file is assembled from them, compressed as it is written.
    Memory keeps only the distinct strings and a few bytes per document."""

    def __init__(self, lang: str = "en") -> None:
        self.vocab = spacy.blank(lang).vocab
        # only what training reads: the words, their spacing and the entities
        template = DocBin(attrs=["ORTH", "SPACY", "ENT_IOB", "ENT_TYPE"], store_user_data=False)
        self.version: str = template.version
        self.attrs: list[int | str] = list(template.attrs)
        # scratch files live until to_disk(); a with-block cannot span add() calls
        self._tokens = tempfile.TemporaryFile()  # noqa: SIM115
        self._spaces = tempfile.TemporaryFile()  # noqa: SIM115
        self._lengths: list[int] = []
        self._strings: set[str] = set()
        self._span_groups: list[bytes] = []
        self.count = 0

    def add(self, record: Record) -> None:
        doc = to_doc(self.vocab, record)
        array = doc.to_array(self.attrs)
        if len(array.shape) == 1:
            array = array.reshape((array.shape[0], 1))
        self._tokens.write(array.tobytes("C"))
        self._spaces.write(numpy.asarray(doc.to_array(SPACY), dtype=bool).tobytes("C"))
        self._lengths.append(len(doc))
        for token in doc:
            self._strings.update((token.text, token.ent_type_))
        self._strings.add("")
        self._span_groups.append(doc.spans.to_bytes())
        self.count += 1

    def to_disk(self, path: Path) -> None:
        count = self.count
        small = {
            "version": self.version,
            "attrs": self.attrs,
            "lengths": numpy.asarray(self._lengths, dtype="int32").tobytes("C"),
            "strings": sorted(self._strings),
            "cats": [{} for _ in range(count)],
            "flags": [{"has_unknown_spaces": False} for _ in range(count)],
            "span_groups": self._span_groups,
        }
        packer = zlib.compressobj()
        with path.open("wb") as out:

            def put(data: bytes) -> None:
                out.write(packer.compress(data))

            put(bytes([0x80 | (len(small) + 2)]))  # a msgpack map of this many entries
            for key, value in small.items():
                put(srsly.msgpack_dumps(key))
                put(srsly.msgpack_dumps(value))
            for key, scratch in (("tokens", self._tokens), ("spaces", self._spaces)):
                size = scratch.tell()
                put(srsly.msgpack_dumps(key))
                put(b"\xc6" + struct.pack(">I", size))  # msgpack bin 32
                scratch.seek(0)
                while chunk := scratch.read(1 << 20):
                    put(chunk)
            out.write(packer.flush())
        self._tokens.close()
        self._spaces.close()


class DocBinExport:
    """The ``spacy`` format's writer: one ``.spacy`` file, or with a split a
    ``-train`` and a ``-dev`` file (documents shuffled with the seed)."""

    def __init__(self, settings: WriteSettings) -> None:
        self.settings = settings
        target = settings.target
        self._train_ids: set[int] | None = None
        if settings.split is None:
            self.writers = {target: DocBinWriter()}
        else:
            ids = list(settings.document_ids)
            random.Random(settings.seed).shuffle(ids)
            cut = max(1, round(len(ids) * settings.split)) if len(ids) > 1 else 1
            if cut >= len(ids):
                raise TargetError(
                    f"--split {settings.split} of {len(ids)} document(s) leaves the dev set "
                    "empty; export more documents or give a smaller --split."
                )
            self._train_ids = set(ids[:cut])
            train, dev = split_targets(target, ".spacy")
            self.writers = {train: DocBinWriter(), dev: DocBinWriter()}
        self._parts: list[tuple[Path, Path]] = []

    def add(self, record: Record) -> None:
        paths = list(self.writers)
        if self._train_ids is None or record.meta.get("document_id") in self._train_ids:
            self.writers[paths[0]].add(record)
        else:
            self.writers[paths[1]].add(record)

    def finish(self) -> list[Path]:
        for path, writer in self.writers.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
            os.close(fd)
            self._parts.append((Path(name), path))
            writer.to_disk(Path(name))
            published_mode(Path(name), path)
        replace_all(self._parts)
        return list(self.writers)

    def abort(self) -> None:
        for part, _ in self._parts:
            part.unlink(missing_ok=True)


def to_doc(vocab: object, record: Record) -> Doc:
    """The record as a spaCy Doc with the stored tokens and the spans as ``ents``."""
    where = f"document {record.meta.get('document_id', '?')}"
    tokens = record.tokens
    if tokens is None:
        raise FormatError(where, "a .spacy export needs the stored tokens")
    text = record.text
    words = [text[s:e] for s, e in zip(tokens.starts, tokens.ends, strict=True)]
    spaces = []
    for i, end in enumerate(tokens.ends):
        following = tokens.starts[i + 1] if i + 1 < len(tokens) else len(text)
        gap = text[end:following]
        if gap not in ("", " "):
            raise FormatError(where, f"the text between tokens {i} and {i + 1} is {gap!r}")
        spaces.append(gap == " ")
    doc = Doc(vocab, words=words, spaces=spaces)  # type: ignore[arg-type]
    if doc.text != text:
        raise FormatError(where, "its tokens do not rebuild its text")
    ents = []
    for span in record.spans:
        ent = doc.char_span(span.start, span.end, label=span.label, alignment_mode="strict")
        if ent is None:
            raise FormatError(
                where, f"span {span.start}..{span.end} ({span.label}) does not align to tokens"
            )
        ents.append(ent)
    doc.ents = ents
    return doc
