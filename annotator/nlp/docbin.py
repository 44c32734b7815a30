"""spaCy ``DocBin`` (``.spacy``) output with ``doc.ents`` set, ready for ``spacy train``."""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin

from annotator.formats.records import FormatError, Record


class DocBinWriter:
    def __init__(self, lang: str = "en") -> None:
        self.vocab = spacy.blank(lang).vocab
        # only what training reads: the words, their spacing and the entities
        self.docbin = DocBin(attrs=["ORTH", "SPACY", "ENT_IOB", "ENT_TYPE"], store_user_data=False)
        self.count = 0

    def add(self, record: Record) -> None:
        self.docbin.add(to_doc(self.vocab, record))
        self.count += 1

    def to_disk(self, path: Path) -> None:
        self.docbin.to_disk(path)


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
