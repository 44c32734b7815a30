"""Hugging Face ``datasets``: a ``save_to_disk`` folder that ``datasets.load_from_disk``
reads, shaped like the hub's CoNLL-2003 so that token-classification scripts
(transformers' ``run_ner.py`` and the like) take it as it is.

Columns: ``id`` (a string: ``"12"`` for document 12, or with ``by_sentence``
``"12-3"`` for its sentence that starts at ``sentence_starts[3]``, counted from 0),
``tokens`` (the token texts; whitespace tokens are left out, as in CoNLL) and
``ner_tags`` (IOB2 as a sequence of ``ClassLabel``: ``"O"`` first, then ``B-X``,
``I-X`` for every entity label of the database and of the data, sorted by label,
so the ids mean the same in every export of a database). A document or sentence
without a word is left out. With a split the folder holds a ``DatasetDict`` with
``train`` and ``validation`` (the split is by document, shuffled with the seed as
the spaCy export's); otherwise a single ``Dataset``.

``datasets`` is imported only when such an export runs: it takes about a second.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import compress
from operator import not_
from typing import Any

from annotator.formats.conll import iob_tags
from annotator.formats.records import Record
from annotator.formats.writing import FolderWriter, WriteSettings, train_ids
from annotator.model import LabelKind

TRAIN, VALIDATION = "train", "validation"  # the split names HF training scripts read


@dataclass
class Rows:
    """The rows of one dataset, column by column and flat: every row's words one
    after another, its tags as numbers (the order each tag was first seen), and
    where each row ends."""

    ids: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    tags: array[int] = field(default_factory=lambda: array("H"))
    ends: array[int] = field(default_factory=lambda: array("q", [0]))


class HfWriter(FolderWriter):
    """The ``hf`` format's writer (see the module docstring)."""

    def __init__(self, settings: WriteSettings) -> None:
        self.by_sentence = settings.option("by_sentence", "0") not in ("", "0")
        self._train_ids = train_ids(settings, "validation")  # before the folder: may refuse
        super().__init__(settings)
        self.rows = (
            {TRAIN: Rows()} if self._train_ids is None else {TRAIN: Rows(), VALIDATION: Rows()}
        )
        self._tag_numbers: dict[str, int] = {}  # tag -> its number in Rows.tags
        self._words: dict[str, str] = {}  # one string object per distinct word

    def add(self, record: Record) -> None:
        doc_id = record.meta.get("document_id", "?")
        part = TRAIN
        if self._train_ids is not None and doc_id not in self._train_ids:
            part = VALIDATION
        rows = self.rows[part]
        tokens = record.tokens
        assert tokens is not None  # iob_tags says so clearly when it is not
        tags = iob_tags(record)
        text = record.text
        words = list(map(text.__getitem__, map(slice, tokens.starts, tokens.ends)))
        if self.by_sentence:
            cuts = sentence_cuts(record.sentence_starts, len(words))
            self._restart_crossing_spans(record, cuts, words, tags)
            pieces = [(f"{doc_id}-{k}", a, b) for k, (a, b) in enumerate(cuts)]
        else:
            pieces = [(str(doc_id), 0, len(words))]
        numbers = self._tag_numbers
        for tag in set(tags):  # a tag not seen before gets the next number
            numbers.setdefault(tag, len(numbers))
        spaces = list(map(str.isspace, words))  # whitespace tokens are left out
        for row_id, a, b in pieces:
            row_words, row_tags = words[a:b], tags[a:b]
            if True in spaces[a:b]:
                row_words = list(compress(row_words, map(not_, spaces[a:b])))
                row_tags = list(compress(row_tags, map(not_, spaces[a:b])))
            if not row_words:
                continue
            rows.ids.append(row_id)
            rows.words.extend(map(self._words.setdefault, row_words, row_words))
            rows.tags.extend(map(numbers.__getitem__, row_tags))
            rows.ends.append(len(rows.words))

    def _restart_crossing_spans(
        self, record: Record, cuts: list[tuple[int, int]], words: list[str], tags: list[str]
    ) -> None:
        """A span that runs into the next sentence starts that sentence with B-, not
        I- (a row must be valid IOB2 on its own); each such span is warned about."""
        if len(cuts) < 2:
            return
        tokens = record.tokens
        assert tokens is not None
        starts = [a for a, _ in cuts[1:]]
        for span in record.spans:
            token_range = tokens.token_span(span.start, span.end)
            if token_range is None:
                continue  # iob_tags has refused it already
            first, last = token_range
            crossed = False
            k = bisect.bisect_right(starts, first)
            while k < len(starts) and starts[k] <= last:
                # the first word of the next sentence inside the span
                i = next((i for i in range(starts[k], last + 1) if not words[i].isspace()), None)
                if i is not None:
                    tags[i] = f"B-{span.label}"
                    crossed = True
                k += 1
            if crossed:
                self.settings.warn(
                    f"document {record.meta.get('document_id', '?')}: span "
                    f"{span.start}..{span.end} ({span.label}) crosses a sentence boundary; "
                    "the tag after the boundary is written as B-"
                )

    def complete(self) -> None:
        import datasets  # about a second to import: only when an hf export runs

        names = class_names(self.settings, self._tag_numbers)
        features = datasets.Features(
            {
                "id": datasets.Value("string"),
                "tokens": datasets.Sequence(datasets.Value("string")),
                "ner_tags": datasets.Sequence(datasets.ClassLabel(names=names)),
            }
        )
        number_to_id = array("q", [0] * len(self._tag_numbers))
        for tag, number in self._tag_numbers.items():
            number_to_id[number] = names.index(tag)
        built = {
            part: to_dataset(datasets, rows, number_to_id, features)
            for part, rows in self.rows.items()
        }
        self.rows = {}
        result: Any = built[TRAIN] if self._train_ids is None else datasets.DatasetDict(built)
        bars = not datasets.utils.are_progress_bars_disabled()
        if bars:  # no "Saving the dataset" bar in the CLI's output or the window's log
            datasets.disable_progress_bars()
        try:
            result.save_to_disk(str(self.folder))
        finally:
            if bars:
                datasets.enable_progress_bars()


def sentence_cuts(sentence_starts: Sequence[int], count: int) -> list[tuple[int, int]]:
    """Each sentence's token range ``[a, b)``; the first starts at token 0 whatever
    the stored starts say."""
    starts = [0, *sorted({s for s in sentence_starts if 0 < s < count})]
    return list(zip(starts, [*starts[1:], count], strict=True)) if count else []


def class_names(settings: WriteSettings, seen: dict[str, int]) -> list[str]:
    """``O``, then ``B-X``, ``I-X`` for every entity label of the database and every
    label in the data, sorted by label."""
    labels = {label.name for label in settings.labels if label.kind is LabelKind.ENTITY}
    labels.update(tag[2:] for tag in seen if tag != "O")
    return ["O", *(f"{prefix}-{label}" for label in sorted(labels) for prefix in ("B", "I"))]


def to_dataset(datasets: Any, rows: Rows, number_to_id: array[int], features: Any) -> Any:
    """One ``datasets.Dataset`` from the flat columns, built as Arrow arrays (no
    Python list per row). Its fingerprint is a hash of those arrays: left to
    ``datasets`` (``Dataset.from_dict``), the fingerprint would pickle the whole
    table, about 50 bytes of Python memory per token for nothing."""
    import hashlib

    import numpy
    import pyarrow

    # a list's offsets are 32-bit: a safe cast (an error past 2**31 tokens, never a wrap)
    ends = pyarrow.array(numpy.frombuffer(rows.ends, dtype=numpy.int64)).cast(pyarrow.int32())
    ids = numpy.frombuffer(number_to_id, dtype=numpy.int64)
    tag_ids = ids[numpy.frombuffer(rows.tags, dtype=numpy.uint16)] if rows.tags else ids[:0]
    words = pyarrow.array(rows.words, type=pyarrow.string())
    rows.words = []
    table = pyarrow.table(
        {
            "id": pyarrow.array(rows.ids, type=pyarrow.string()),
            "tokens": pyarrow.ListArray.from_arrays(ends, words),
            "ner_tags": pyarrow.ListArray.from_arrays(ends, pyarrow.array(tag_ids)),
        },
        schema=features.arrow_schema,
    )
    digest = hashlib.blake2b(repr(features.to_dict()).encode(), digest_size=8)
    for column in table.columns:
        for chunk in column.chunks:
            for buffer in chunk.buffers():
                if buffer is not None:
                    digest.update(memoryview(buffer))
    return datasets.Dataset(
        datasets.table.InMemoryTable(table),
        info=datasets.DatasetInfo(features=features),
        fingerprint=digest.hexdigest(),
    )
