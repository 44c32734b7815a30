"""CoNLL-2003 style NER columns: one token per line with its tag in the last
column, a blank line between sentences, a ``-DOCSTART-`` line before each document.

Writing: IOB2, ``token TAG`` (or ``token<TAB>TAG`` with the option ``conll_sep`` =
``tab``), ``-DOCSTART- O`` with the same separator and column count. Whitespace
tokens are left out; whitespace inside a token (a space, a tab) is written as
``_``. A span that runs across a sentence boundary is cut there: the first token
after the boundary gets ``B-`` (so the file stays valid IOB2) and the export warns.

Reading: the first column is the word, the last the tag, the ones between (POS,
chunk) are ignored. A line with a tab is split at tabs (a word may then hold
spaces), any other at runs of whitespace. Tags are IOB1, IOB2 (``B-`` / ``I-``),
BIOES (``B- I- E- S-``) or BILUO (``B- I- L- U-``), recognised per file from the
prefixes it uses, as seqeval does. ``I-`` after ``O`` or after another label starts
an entity (IOB1); the BIOES / BILUO schemes are read strictly. Documents are
separated by ``-DOCSTART-`` lines; a file without any is one document. A
document's text is its words joined by single spaces, its sentences by line
breaks; its tokens are exactly the file's words, its sentence starts the file's
sentences. An ``_`` stays an ``_`` (words such as ``__init__`` or ``snake_case``
have them: an underscore is not turned back into a space).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from annotator.formats.records import FormatError, Record, RecordSpan
from annotator.formats.writing import LinesWriter, WriteSettings
from annotator.model import Tokens, is_label_name

DOCSTART = "-DOCSTART-"
SEPARATORS = {"space": " ", "tab": "\t"}
PREFIXES = "BIESLU"  # O, and these followed by "-" and a label
_WHITESPACE = re.compile(r"\s")
_TAG = re.compile(r"O|[BIESLU]-\S+")
TAG_HELP = "O, or B-, I-, E-, S-, L- or U- followed by a label"


def iob_tags(record: Record) -> list[str]:
    """One IOB2 tag per token of the record (its tokens must be set), sentence
    boundaries aside (the writer cuts spans at them)."""
    tokens = _tokens_of(record)
    tags = ["O"] * len(tokens)
    for k, (first, last) in enumerate(_token_ranges(record, tokens)):
        label = record.spans[k].label
        tags[first] = f"B-{label}"
        for i in range(first + 1, last + 1):
            tags[i] = f"I-{label}"
    return tags


def _tokens_of(record: Record) -> Tokens:
    if record.tokens is None:
        raise FormatError(_document(record), "CoNLL needs tokens")
    return record.tokens


def _document(record: Record) -> str:
    return f"document {record.meta.get('document_id', '?')}"


def _token_ranges(record: Record, tokens: Tokens) -> list[tuple[int, int]]:
    ranges = []
    for span in record.spans:
        found = tokens.token_span(span.start, span.end)
        if found is None:
            raise FormatError(
                _document(record),
                f"span {span.start}..{span.end} ({span.label}) does not align to tokens",
            )
        ranges.append(found)
    return ranges


class ConllWriter(LinesWriter):
    """IOB2 with the separator of the ``conll_sep`` option (space or tab)."""

    def __init__(self, settings: WriteSettings) -> None:
        choice = settings.option("conll_sep", "space")
        if choice not in SEPARATORS:  # checked before the file is made
            raise FormatError("conll_sep", f"expected space or tab, not {choice!r}")
        self.sep = SEPARATORS[choice]
        super().__init__(settings)

    def write_record(self, record: Record, out: TextIO) -> None:
        tokens = _tokens_of(record)
        owner = [-1] * len(tokens)  # the span (index into record.spans) of each token
        for k, (first, last) in enumerate(_token_ranges(record, tokens)):
            owner[first : last + 1] = [k] * (last - first + 1)
        sep, text, spans = self.sep, record.text, record.spans
        starts = set(record.sentence_starts)
        lines = [f"{DOCSTART}{sep}O", ""]
        previous = -1  # the span of the token written last in this sentence
        last = -1  # the span of the token written last
        open_sentence = False
        cut: set[int] = set()  # spans that cross a sentence boundary
        for i, (s, e) in enumerate(zip(tokens.starts, tokens.ends, strict=True)):
            if i in starts and open_sentence:
                lines.append("")
                open_sentence = False
                previous = -1
            word = text[s:e]
            if word.isspace():
                continue
            if _WHITESPACE.search(word):
                word = _WHITESPACE.sub("_", word)
            k = owner[i]
            if k < 0:
                tag = "O"
            elif k == previous:
                tag = f"I-{spans[k].label}"
            else:
                tag = f"B-{spans[k].label}"
                if k == last and k not in cut:  # the span began in the sentence before
                    cut.add(k)
                    span = spans[k]
                    self.settings.warn(
                        f"{_document(record)}: span {span.start}..{span.end} ({span.label}) "
                        "crosses a sentence boundary; the tag after the boundary is written "
                        "as B-"
                    )
            previous = last = k
            lines.append(f"{word}{sep}{tag}")
            open_sentence = True
        if open_sentence:
            lines.append("")
        out.write("\n".join(lines) + "\n")


# ---------------------------------------------------------------- reading


@dataclass(frozen=True, slots=True)
class _Token:
    word: str
    prefix: str  # "" for O
    label: str
    line: int


@dataclass(slots=True)
class _Document:
    line: int  # where it starts (its -DOCSTART- line, or its first token; 0: not yet)
    sentences: list[list[_Token]]


def columns(line: str) -> list[str]:
    """The columns of a token line: split at tabs if it has any, else at whitespace."""
    if "\t" in line:
        return [column.strip() for column in line.rstrip().split("\t")]
    return line.split()


def _parse_tag(tag: str, where: str) -> tuple[str, str]:
    if tag == "O":
        return "", ""
    prefix, dash, label = tag.partition("-")
    if not dash or len(prefix) != 1 or prefix not in PREFIXES:
        raise FormatError(where, f"the tag {tag!r} is not {TAG_HELP}")
    if not label:
        raise FormatError(where, f"the tag {tag!r} has an empty label")
    if not is_label_name(label):
        raise FormatError(where, f"the tag {tag!r} has a label with spaces; a label is one word")
    return prefix, label


def _documents(path: Path, text: str) -> Iterator[_Document]:
    """The file's documents, each a list of sentences of tokens, with line numbers."""
    document = _Document(0, [])
    sentence: list[_Token] = []
    tags: dict[str, tuple[str, str]] = {}  # each tag checked once
    # split on "\n" only: str.splitlines() would also cut at U+2028 and the like
    for number, line in enumerate(text.split("\n"), 1):
        parts = columns(line)
        if not any(parts):
            if sentence:
                document.sentences.append(sentence)
                sentence = []
            continue
        word, tag = parts[0], parts[-1]
        if word == DOCSTART:
            if sentence:
                document.sentences.append(sentence)
                sentence = []
            if document.sentences:
                yield document
            document = _Document(number, [])
            continue
        if len(parts) < 2 or not word or not tag:
            raise FormatError(f"{path}:{number}", _missing(parts))
        parsed = tags.get(tag)
        if parsed is None:
            parsed = tags[tag] = _parse_tag(tag, f"{path}:{number}")
        if not document.line:
            document.line = number
        sentence.append(_Token(word, parsed[0], parsed[1], number))
    if sentence:
        document.sentences.append(sentence)
    if document.sentences:
        yield document


def _missing(parts: list[str]) -> str:
    if len(parts) < 2:
        return "expected a word and a tag (at least two columns), found one column"
    if not parts[0]:
        return "the word (the first column) is empty"
    return "the tag (the last column) is empty"


def _scheme(path: Path, documents: list[_Document]) -> tuple[str, int]:
    """IOB (IOB1 and IOB2), BIOES or BILUO, from the prefixes the file uses, and
    the line of the first tag that tells (0 for IOB)."""
    first: dict[str, int] = {}
    for document in documents:
        for sentence in document.sentences:
            for token in sentence:
                first.setdefault(token.prefix, token.line)
    bioes = [first[p] for p in "ES" if p in first]
    biluo = [first[p] for p in "LU" if p in first]
    if bioes and biluo:
        raise FormatError(
            f"{path}:{max(min(bioes), min(biluo))}",
            "the file mixes BIOES tags (E-, S-) and BILUO tags (L-, U-)",
        )
    if bioes:
        return "BIOES", min(bioes)
    if biluo:
        return "BILUO", min(biluo)
    return "IOB", 0


def _entities(
    path: Path, sentence: list[_Token], scheme: tuple[str, int]
) -> list[tuple[int, int, str]]:
    """The sentence's entities as (first token, last token, label)."""
    name, evidence = scheme
    if name == "IOB":
        return _iob_entities(sentence)
    end, single = ("E", "S") if name == "BIOES" else ("L", "U")
    rule = (
        f"the file is read as {name} (it has {end}-/{single}- tags, the first on line "
        f"{evidence}), where an entity is B- I-... {end}- or a single {single}-"
    )
    entities = []
    opened: int | None = None  # the token that opened the current entity
    for i, token in enumerate(sentence):
        where = f"{path}:{token.line}"
        tag = f"{token.prefix}-{token.label}" if token.prefix else "O"
        if opened is not None:
            start = sentence[opened]
            if token.prefix in ("I", end) and token.label == start.label:
                if token.prefix == end:
                    entities.append((opened, i, token.label))
                    opened = None
                continue
            raise FormatError(
                where,
                f"the tag {tag} follows B-{start.label} (line {start.line}) before it is "
                f"closed with {end}-{start.label}; {rule}",
            )
        if token.prefix == "B":
            opened = i
        elif token.prefix == single:
            entities.append((i, i, token.label))
        elif token.prefix:
            raise FormatError(where, f"the tag {tag} does not follow B-{token.label}; {rule}")
    if opened is not None:
        start = sentence[opened]
        raise FormatError(
            f"{path}:{start.line}",
            f"the sentence ends inside the entity B-{start.label} opened on this line; {rule}",
        )
    return entities


def _iob_entities(sentence: list[_Token]) -> list[tuple[int, int, str]]:
    """IOB1 and IOB2 alike: B- starts an entity, so does I- after O or another label."""
    entities = []
    current: tuple[int, str] | None = None
    for i, token in enumerate(sentence):
        if current is not None and (token.prefix != "I" or token.label != current[1]):
            entities.append((current[0], i - 1, current[1]))
            current = None
        if token.prefix and current is None:
            current = (i, token.label)
    if current is not None:
        entities.append((current[0], len(sentence) - 1, current[1]))
    return entities


def read_file(path: Path, text: str) -> Iterator[tuple[str, Record]]:
    """The documents of a CoNLL file, each with where it starts ("path:line")."""
    documents = list(_documents(path, text))
    scheme = _scheme(path, documents)
    for document in documents:
        yield f"{path}:{document.line}", _record(path, document, scheme)


def _record(path: Path, document: _Document, scheme: tuple[str, int]) -> Record:
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    sentence_starts: list[int] = []
    spans: list[RecordSpan] = []
    offset = 0
    for sentence in document.sentences:
        first_token = len(starts)
        sentence_starts.append(first_token)
        for i, token in enumerate(sentence):
            if pieces:
                pieces.append("\n" if i == 0 else " ")
                offset += 1
            pieces.append(token.word)
            starts.append(offset)
            offset += len(token.word)
            ends.append(offset)
        for first, last, label in _entities(path, sentence, scheme):
            spans.append(RecordSpan(starts[first_token + first], ends[first_token + last], label))
    record = Record(
        "".join(pieces),
        tuple(spans),
        tokens=Tokens(tuple(starts), tuple(ends)),
        sentence_starts=tuple(sentence_starts),
    )
    record.check(f"{path}:{document.line}")
    return record


def read(path: Path) -> Iterator[list[list[tuple[str, str]]]]:
    """Documents as lists of sentences of ``(word, tag)`` (the tags as written)."""
    for document in _documents(path, path.read_text(encoding="utf-8")):
        yield [
            [
                (token.word, f"{token.prefix}-{token.label}" if token.prefix else "O")
                for token in sentence
            ]
            for sentence in document.sentences
        ]


# ---------------------------------------------------------------- sniffing


def is_token_line(line: str) -> bool:
    """A line of two or more columns whose last one is a tag."""
    parts = columns(line)
    return len(parts) >= 2 and bool(parts[0]) and _TAG.fullmatch(parts[-1]) is not None


def tagged_share(head: str) -> float:
    """The share of the non-blank lines of ``head`` that are token lines."""
    lines = [line for line in head.split("\n") if line.strip()]
    if not lines:
        return 0.0
    return sum(1 for line in lines if is_token_line(line)) / len(lines)


def looks_like(head: str) -> bool:
    """``head`` (the first few KB of a file, cut at a line end) is CoNLL: it starts
    with ``-DOCSTART-``, or at least two lines and nine in ten of its non-blank
    lines are ``word ... TAG``."""
    lines = [line for line in head.split("\n") if line.strip()]
    if not lines:
        return False
    if columns(lines[0])[0] == DOCSTART:
        return True
    tagged = sum(1 for line in lines if is_token_line(line))
    return tagged >= 2 and tagged >= 0.9 * len(lines)
