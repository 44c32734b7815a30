"""spaCy ``DocBin`` (``.spacy``) output with ``doc.ents`` set, ready for ``spacy train``."""

from __future__ import annotations

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
