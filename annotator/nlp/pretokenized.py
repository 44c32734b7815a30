"""Run a pipeline over documents that already have their tokens (re-annotation).

A stored document's tokens never change after import, so a new pipeline must
predict on exactly those tokens: each text becomes a Doc built from the stored
tokens (words, and the spaces between them from the text), the pipeline's
components run on it, and the entities come back as spans over the stored
tokens, with the relation rules applied as at import.

Text between two stored tokens that is not "" or one space (a newline, several
spaces: tokens an input file brought) becomes an extra whitespace word of the
Doc, as spaCy's tokenizer would make it; such words are not stored tokens, and
an entity that begins or ends on one is dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from spacy.language import Language
from spacy.tokens import Doc

from annotator.model import Analysis, Relation, Span, Tokens
from annotator.nlp.relations import RelationExtractor

K = TypeVar("K")


def doc_from_tokens(nlp: Language, text: str, tokens: Tokens) -> Doc:
    """A Doc whose words are the stored tokens (plus whitespace words for the gaps
    that one trailing space cannot express); its text is ``text``."""
    words: list[str] = []
    spaces: list[bool] = []

    def gap(between: str) -> None:
        if not between:
            return
        if words and not spaces[-1] and between[0] == " ":
            spaces[-1] = True
            between = between[1:]
        if between:
            words.append(between)
            spaces.append(False)

    position = 0
    for start, end in zip(tokens.starts, tokens.ends, strict=True):
        gap(text[position:start])
        words.append(text[start:end])
        spaces.append(False)
        position = end
    gap(text[position:])
    if not words:
        return Doc(nlp.vocab, words=[], spaces=[])
    doc = Doc(nlp.vocab, words=words, spaces=spaces)
    if doc.text != text:  # cannot happen: every character went into a word or a space
        raise ValueError("the stored tokens do not rebuild the document's text")
    return doc


def analyse_tokens(
    nlp: Language,
    items: Iterable[tuple[K, str, Tokens]],
    batch_size: int = 64,
    relations: RelationExtractor | None = None,
) -> Iterator[tuple[K, Analysis]]:
    """Yield ``(key, Analysis)`` for each ``(key, text, tokens)``, in input order.

    The analysis's tokens are the given ones; its spans and relations are the
    pipeline's predictions on them; its sentence starts are the pipeline's
    (callers that keep the stored ones ignore them); ``pos`` is filled when the
    pipeline tags."""
    docs = ((doc_from_tokens(nlp, text, tokens), (key, tokens)) for key, text, tokens in items)
    for doc, (key, tokens) in nlp.pipe(docs, batch_size=batch_size, as_tuples=True):
        yield key, _analysis(doc, tokens, relations)


def _analysis(doc: Doc, tokens: Tokens, relations: RelationExtractor | None) -> Analysis:
    spans: list[Span] = []
    index_of: dict[int, int] = {}  # position in doc.ents -> position in spans
    for i, ent in enumerate(doc.ents):
        found = tokens.token_span(ent.start_char, ent.end_char)
        if found is None:  # begins or ends on a whitespace word
            continue
        index_of[i] = len(spans)
        spans.append(Span(ent.start_char, ent.end_char, found[0], found[1], ent.label_))
    kept = []
    if relations is not None:
        for relation in relations(doc):
            head, child = index_of.get(relation.head), index_of.get(relation.child)
            if head is not None and child is not None:
                kept.append(Relation(head, child, relation.label, rule=relation.rule))
    starts = {token.idx: token for token in doc}  # stored token start -> Doc word
    sentences = tuple(
        i for i, start in enumerate(tokens.starts) if starts[start].is_sent_start is True
    )
    pos = tuple(starts[start].pos_ for start in tokens.starts) if doc.has_annotation("POS") else ()
    return Analysis(tokens, sentences, tuple(spans), tuple(kept), pos)
