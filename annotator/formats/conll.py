"""CoNLL-2003 style IOB2: one ``token TAG`` per line, a blank line between
sentences, ``-DOCSTART- O`` before each document. Whitespace tokens are left out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from annotator.formats.records import FormatError, Record
from annotator.formats.writing import lines_writer

DOCSTART = "-DOCSTART- -X- O O"


def iob_tags(record: Record) -> list[str]:
    """One IOB2 tag per token of the record (its tokens must be set)."""
    if record.tokens is None:
        raise FormatError(str(record.meta.get("document_id", "?")), "CoNLL needs tokens")
    tokens = record.tokens
    tags = ["O"] * len(tokens)
    for span in record.spans:
        first = tokens.token_span(span.start, span.end)
        if first is None:
            raise FormatError(
                f"document {record.meta.get('document_id', '?')}",
                f"span {span.start}..{span.end} ({span.label}) does not align to tokens",
            )
        ts, te = first
        tags[ts] = f"B-{span.label}"
        for i in range(ts + 1, te + 1):
            tags[i] = f"I-{span.label}"
    return tags


def write_record(record: Record, out: TextIO) -> None:
    tokens = record.tokens
    assert tokens is not None
    tags = iob_tags(record)
    starts = set(record.sentence_starts)
    out.write(DOCSTART + "\n\n")
    open_sentence = False
    for i, (s, e) in enumerate(zip(tokens.starts, tokens.ends, strict=True)):
        word = record.text[s:e]
        if i in starts and open_sentence:
            out.write("\n")
            open_sentence = False
        if word.isspace():
            continue
        out.write(f"{word.replace(' ', '_')} {tags[i]}\n")
        open_sentence = True
    if open_sentence:
        out.write("\n")


def read(path: Path) -> Iterator[list[list[tuple[str, str]]]]:
    """Documents as lists of sentences of ``(word, tag)``."""
    document: list[list[tuple[str, str]]] = []
    sentence: list[tuple[str, str]] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            line = line.rstrip("\n")
            if line.startswith("-DOCSTART-"):
                if sentence:
                    document.append(sentence)
                if document:
                    yield document
                document, sentence = [], []
            elif not line.strip():
                if sentence:
                    document.append(sentence)
                sentence = []
            else:
                parts = line.split(" ")
                if len(parts) < 2:
                    raise FormatError(f"{path}:{number}", "expected 'token TAG'")
                sentence.append((parts[0], parts[-1]))
    if sentence:
        document.append(sentence)
    if document:
        yield document


ConllWriter = lines_writer(write_record)
