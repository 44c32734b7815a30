"""spaCy ``DocBin`` (``.spacy``) output with ``doc.ents`` set, ready for ``spacy train``.

Each document also carries its stored sentence starts (``SENT_START``), so that
``doc.sents`` works on the docs read back and ``spacy debug data`` checks the
sentence boundaries: every token is marked as starting a sentence or not.
"""

from __future__ import annotations

import os
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
    WriteSettings,
    published_mode,
    replace_all,
    split_targets,
    train_ids,
)


class DocBinWriter:
    """Writes a ``.spacy`` file that ``DocBin.from_disk`` reads, without holding the
    corpus in memory: each document's token arrays go to scratch files as it is
    added, and the file is assembled from them, compressed as it is written.
    Memory keeps only the distinct strings and a few bytes per document."""

    def __init__(self, lang: str = "en") -> None:
        self.vocab = spacy.blank(lang).vocab
        # only what training reads: the words, their spacing, the entities and the
        # sentence starts
        template = DocBin(
            attrs=["ORTH", "SPACY", "ENT_IOB", "ENT_TYPE", "SENT_START"], store_user_data=False
        )
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
        self._train_ids = train_ids(settings)
        if self._train_ids is None:
            self.writers = {target: DocBinWriter()}
        else:
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
    """The record as a spaCy Doc with the stored tokens, the spans as ``ents`` and
    the stored sentence starts (none stored: sentence boundaries left unset)."""
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
    doc = Doc(
        vocab,  # type: ignore[arg-type]
        words=words,
        spaces=spaces,
        sent_starts=_sent_starts(record, len(words), where),
    )
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


def _sent_starts(record: Record, count: int, where: str) -> list[bool | int | None] | None:
    """True for the first token of each stored sentence, False for every other token."""
    if not record.sentence_starts or not count:
        return None
    flags: list[bool | int | None] = [False] * count
    for i in record.sentence_starts:
        if not 0 <= i < count:
            raise FormatError(where, f"a stored sentence starts at token {i} of {count}")
        flags[i] = True
    flags[0] = True  # a document's first token always starts a sentence
    return flags
