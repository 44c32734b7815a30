"""Run a pipeline over texts and turn its output into tokens, sentences and spans."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from spacy.language import Language
from spacy.tokens import Doc

from annotator.model import Analysis, Relation, Span, Tokens
from annotator.nlp.relations import RelationExtractor

K = TypeVar("K")

# Texts are cut into pieces of at most this many characters at paragraph (or
# failing that, word) boundaries. It keeps the parser's memory bounded and lets
# articles longer than the pipeline's max_length through.
CHUNK_CHARS = 100_000
# Characters handed to one nlp.pipe batch at most (one piece may exceed it).
BATCH_CHARS = 100_000


@dataclass(slots=True)
class _Partial(Generic[K]):
    key: K
    pieces: int
    starts: list[int]
    ends: list[int]
    sentence_starts: list[int]
    spans: list[Span]
    relations: list[Relation] = field(default_factory=list)
    pos: list[str] = field(default_factory=list)
    done: int = 0


def split_text(text: str, limit: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    """Cut ``text`` into ``(offset, piece)`` pairs of at most ``limit`` characters.

    Cuts fall after a newline where possible, else after a space, else anywhere.
    """
    if limit <= 0:
        raise ValueError("limit must be positive")
    pieces: list[tuple[int, str]] = []
    offset = 0
    while len(text) - offset > limit:
        window = text[offset : offset + limit]
        cut = window.rfind("\n") + 1 or window.rfind(" ") + 1 or limit
        pieces.append((offset, window[:cut]))
        offset += cut
    pieces.append((offset, text[offset:]))
    return pieces


def annotate(
    nlp: Language,
    items: Iterable[tuple[K, str]],
    batch_size: int = 64,
    chunk_chars: int = CHUNK_CHARS,
    relations: RelationExtractor | None = None,
) -> Iterator[tuple[K, Analysis]]:
    """Yield ``(key, Analysis)`` for each ``(key, text)``, in input order.

    Texts go to ``nlp.pipe`` in groups of at most ``batch_size`` pieces and about
    ``BATCH_CHARS`` characters, so a batch of long articles does not hold the
    parser's state for megabytes of text at once.
    """
    limit = max(1, min(chunk_chars, nlp.max_length - 1))
    group: list[tuple[str, tuple[_Partial[K], int]]] = []
    chars = 0
    for key, text in items:
        parts = split_text(text, limit)
        partial = _Partial(key, len(parts), [], [], [], [])
        for offset, piece in parts:
            group.append((piece, (partial, offset)))
            chars += len(piece)
            if len(group) >= batch_size or chars >= BATCH_CHARS:
                yield from _run(nlp, group, relations)
                group, chars = [], 0
    yield from _run(nlp, group, relations)


def _run(
    nlp: Language,
    group: list[tuple[str, tuple[_Partial[K], int]]],
    relations: RelationExtractor | None,
) -> Iterator[tuple[K, Analysis]]:
    if not group:
        return
    for doc, (partial, offset) in nlp.pipe(group, batch_size=len(group), as_tuples=True):
        _append(partial, doc, offset, relations)
        partial.done += 1
        if partial.done == partial.pieces:
            yield (
                partial.key,
                Analysis(
                    Tokens(tuple(partial.starts), tuple(partial.ends)),
                    tuple(partial.sentence_starts),
                    tuple(partial.spans),
                    tuple(partial.relations),
                    tuple(partial.pos) if any(partial.pos) else (),
                ),
            )


def _append(
    partial: _Partial[K], doc: Doc, offset: int, relations: RelationExtractor | None
) -> None:
    first_token = len(partial.starts)
    first_span = len(partial.spans)
    if relations is not None:
        partial.relations.extend(
            Relation(first_span + r.head, first_span + r.child, r.label, rule=r.rule)
            for r in relations(doc)
        )
    for token in doc:
        start = token.idx + offset
        partial.starts.append(start)
        partial.ends.append(start + len(token.text))
        partial.pos.append(token.pos_)
    if len(doc):
        partial.sentence_starts.extend(first_token + s.start for s in doc.sents)
    partial.spans.extend(
        Span(
            ent.start_char + offset,
            ent.end_char + offset,
            first_token + ent.start,
            first_token + ent.end - 1,
            ent.label_,
        )
        for ent in doc.ents
    )
