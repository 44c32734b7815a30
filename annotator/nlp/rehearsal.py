"""Pseudo-rehearsal for ``annotator train``: the base's own predictions on
documents nobody reviewed, mixed into the training documents.

Fine-tuning on the reviews alone makes the NER forget what the reviews do not
show (names they lack, labels they never contain): the "catastrophic forgetting"
spaCy's documentation warns about. The remedy it and Explosion recommend is to
keep training on what the base predicted for other text, so that every update
that fits the reviews is also pulled back towards the base elsewhere.

- Which documents: the caller (annotator.train_runner) offers documents not yet
  reviewed (status todo, untouched, sharing no sentence with a reviewed one), in
  a seeded order; the first ``wanted`` that can be trained on are used.
- Which predictions: the document's stored model layer when the base made it
  (its meta names the base, and no other ``--model`` re-annotated it), else the
  base's predictions now, on the stored tokens.
- The reviews keep priority: where they say otherwise about the same words
  (silver_masks.py), the silver document is left without annotation, so the
  base's mistakes that the reviewers fixed are not taught back.
- Where they go: a ``.spacy`` file of their own beside the reviewed training
  documents. The dev documents, which choose the best model and give its
  scores, are reviewed ones only.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain
from pathlib import Path

import spacy
from spacy.tokens import DocBin

from annotator.formats.records import FormatError, Record, RecordSpan
from annotator.model import IMPORTED, MODEL_LAYER_KEY
from annotator.nlp.docbin import to_doc
from annotator.nlp.pipeline import describe
from annotator.nlp.pretokenized import analyse_tokens
from annotator.nlp.silver_masks import overruled, token_spans, what_reviews_say, words_of
from annotator.nlp.training_setup import TRAINED, Base


@dataclass(frozen=True, slots=True)
class SilverDocument:
    """A document no reviewer has reviewed, offered for rehearsal."""

    record: Record  # its text, stored tokens and sentences, and its stored model layer
    pipeline: str | None  # the pipeline its model layer comes from (meta), if it says
    source: str | None  # what that pipeline was loaded from (re-annotation), if recorded

    @property
    def doc_id(self) -> int:
        return document_id(self.record)


@dataclass(frozen=True, slots=True)
class Rehearsal:
    """The silver documents of one training."""

    ratio: float
    wanted: int
    # each with the base's predictions as its spans, less those the reviews overrule
    records: tuple[Record, ...] = ()
    # per record: the token stretches [first, end) left missing (the reviews overrule)
    missing: tuple[tuple[tuple[int, int], ...], ...] = ()
    from_model_layer: int = 0  # of them, the stored model layer was the base's
    predicted: int = 0  # ... the base predicted them now
    overruled: int = 0  # the base's entities dropped for the reviews' sake
    unusable: int = 0  # offered but not trainable (their tokens do not make a Doc)
    labels: Counter[str] = field(default_factory=Counter)  # their entities per label
    note: str = ""  # why there are fewer than wanted, or none

    @property
    def doc_ids(self) -> list[int]:
        return [document_id(r) for r in self.records]

    def summary(self) -> dict[str, object]:
        """What meta.json records (beside the documents' ids)."""
        return {
            "ratio": self.ratio,
            "wanted": self.wanted,
            "used": len(self.records),
            "from_model_layer": self.from_model_layer,
            "predicted_by_base": self.predicted,
            "overruled_by_reviews": self.overruled,
            "missing_stretches": sum(map(len, self.missing)),
            "labels": dict(sorted(self.labels.items())),
        }

    def to_disk(self, path: Path, lang: str) -> None:
        """The silver documents as a ``.spacy`` file, their overruled stretches missing."""
        vocab = spacy.blank(lang).vocab
        docs = DocBin(
            attrs=["ORTH", "SPACY", "ENT_IOB", "ENT_TYPE", "SENT_START"], store_user_data=False
        )
        for record, missing in zip(self.records, self.missing, strict=True):
            doc = to_doc(vocab, record)
            doc.set_ents([], missing=[doc[a:b] for a, b in missing], default="unmodified")
            docs.add(doc)
        docs.to_disk(path)


UNNAMED = "pipeline"  # spaCy's name for a pipeline saved without one (meta.json)


def document_id(record: Record) -> int:
    """The stored document a record was made from (record_from_document's meta)."""
    value = record.meta.get("document_id")
    return value if isinstance(value, int) else -1


def silver_wanted(ratio: float, train_documents: int) -> int:
    """How many silver documents to mix in: ``ratio`` per training document,
    at least one for any ratio above 0."""
    if ratio <= 0:
        return 0
    return max(1, math.floor(ratio * train_documents + 0.5))


def rehearse(
    base: Base,
    offered: Iterable[SilverDocument],
    ratio: float,
    reviewed: Sequence[Record],
    say: Callable[[str], None] = lambda s: None,
) -> Rehearsal:
    """The first trainable documents of ``offered``, as many as ``ratio`` per
    ``reviewed`` training document asks, with the base's predictions as their
    entities where the reviews do not overrule them."""
    wanted = silver_wanted(ratio, len(reviewed))
    if not wanted:
        return Rehearsal(ratio, 0)
    offered = iter(offered)
    first = next(offered, None)
    if first is None:
        note = (
            "Rehearsal: none, no document qualifies (to do, untouched, and sharing no "
            "sentence with a reviewed one)."
        )
    elif TRAINED not in base.nlp.component_names:
        note = f"Rehearsal: {base.label} has no NER whose predictions to remember."
    else:
        offered = chain([first], offered)
        note = ""
    if note:
        say(note)
        return Rehearsal(ratio, wanted, note=note)
    vocab = spacy.blank(base.lang).vocab
    name = describe(base.nlp)
    stored: list[Record] = []
    to_predict: list[Record] = []
    unusable = 0
    for silver in offered:
        if len(stored) + len(to_predict) >= wanted:
            break
        if not _trainable(vocab, silver.record):
            unusable += 1
        elif _made_by(silver, name, base.source) and _trainable(vocab, silver.record, spans=True):
            stored.append(silver.record)
        else:
            to_predict.append(replace(silver.record, spans=(), relations=()))
    if to_predict:
        say(
            f"Rehearsal: {base.label} predicts {len(to_predict)} documents not yet reviewed "
            "(their stored model layer is not known to be its own)…"
        )
    records = [*stored, *_predicted(base, to_predict)]
    records.sort(key=document_id)
    records, missing, dropped = _overrule(records, reviewed)
    labels = Counter(span.label for record in records for span in record.spans)
    found = len(records)
    note = ""
    if found < wanted:
        note = (
            f"Rehearsal: {found} documents not yet reviewed can be rehearsed, of the {wanted} "
            f"asked for ({ratio:g} per training document)."
        )
        say(note)
    return Rehearsal(
        ratio,
        wanted,
        tuple(records),
        tuple(missing),
        len(stored),
        len(to_predict),
        dropped,
        unusable,
        labels,
        note,
    )


def _overrule(
    records: list[Record], reviewed: Sequence[Record]
) -> tuple[list[Record], list[tuple[tuple[int, int], ...]], int]:
    """Each record without the predictions the reviews overrule, the stretches to
    leave missing in it, and how many predictions were dropped."""
    words = [words_of(record) for record in records]
    predicted = [token_spans(record) for record in records]
    asked = {tuple(w[a:b]) for w, spans in zip(words, predicted, strict=True) for a, b, _ in spans}
    reviews = what_reviews_say(reviewed, asked)
    kept_records, missing, dropped = [], [], 0
    for record, w, spans in zip(records, words, predicted, strict=True):
        stretches = overruled(w, spans, reviews)
        kept = tuple(span for span in record.spans if not _touches(record, span, stretches))
        dropped += len(record.spans) - len(kept)
        kept_records.append(replace(record, spans=kept))
        missing.append(tuple(stretches))
    return kept_records, missing, dropped


def _touches(record: Record, span: RecordSpan, stretches: Sequence[tuple[int, int]]) -> bool:
    assert record.tokens is not None
    at = record.tokens.token_span(span.start, span.end)
    return at is None or any(first <= at[1] and at[0] < end for first, end in stretches)


def _made_by(silver: SilverDocument, name: str, source: str) -> bool:
    """Whether the document's model layer is the base's own prediction: its
    pipeline is the base, and no re-annotation recorded another source. A
    pipeline saved without a name of its own (spaCy's "pipeline") is never
    taken for the base: any such pipeline has that identity."""
    if silver.pipeline != name or name.partition("_")[2].startswith(f"{UNNAMED}-"):
        return False
    if silver.record.meta.get(MODEL_LAYER_KEY) == IMPORTED:  # the input's spans
        return False
    if silver.source is None or not source:
        return True
    return silver.source == source or _resolved(silver.source) == _resolved(source)


def _resolved(path: str) -> str:
    try:
        return str(Path(path).expanduser().resolve())
    except OSError:
        return path


def _trainable(vocab: object, record: Record, spans: bool = False) -> bool:
    """Whether training can read the document (its stored tokens make a Doc, and
    with ``spans`` its spans fall on them)."""
    try:
        to_doc(vocab, record if spans else replace(record, spans=()))
    except FormatError:
        return False
    return True


def _predicted(base: Base, records: list[Record]) -> list[Record]:
    """The records with the base's entities on their stored tokens."""
    if not records:
        return []
    items = ((i, r.text, r.tokens) for i, r in enumerate(records) if r.tokens is not None)
    found = []
    for i, analysis in analyse_tokens(base.nlp, items):
        spans = tuple(RecordSpan(s.start, s.end, s.label) for s in analysis.spans)
        found.append(replace(records[i], spans=spans))
    return found
