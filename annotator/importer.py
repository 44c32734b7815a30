"""Import articles: read and check the inputs, pre-annotate with spaCy, store.

Two passes over the inputs. The first reads and checks every file and finds
duplicates (already stored, or repeated in this run) without running spaCy. The
second runs the pipeline over the new documents in batches and stores each batch
in one transaction.

Bad files: by default a file with any problem is skipped as a whole and
reported, and the other files are imported. With ``strict=True`` any problem
aborts the import before anything is written. Either way a file is imported
whole or not at all, and a document is stored with its tokens and both layers
or not at all. An interrupted import (Ctrl+C, a killed process) keeps the
batches committed so far; running the same import again adds only the rest.

Duplicates: a text already stored, or given again in the same import, is
skipped (a document is its text). One exception, binary answers (Prodigy's
``ner.teach`` and the like): when two or more inputs of one import give the
same text with an answer (records.Review), those inputs are merged into one
document by records.merge_answers (accepted spans in, rejected spans out, a
span both accepted and rejected refuses the files involved). Inputs of that
text without an answer are duplicates, as before; so are all of them when the
text is already stored.

Inputs that carry their pipeline's whole analysis (`annotator annotate`'s
JSONL, see formats/jsonl.py: tokens, sentence starts, POS tags, the pipeline's
name, relation rules) are stored as they are: no pipeline runs for them, and
none is loaded when every new document comes so (ImportPlan.needs_pipeline).

Review state: a document whose input gives one (``answer``, ``meta.status``,
the reviewer; see formats/records.py) is stored with that status and an
``import`` audit row naming the reviewer and the original time, with or
without ``to_gold`` (either way the file's spans are the gold layer).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Protocol, TypeVar

from annotator.errors import AnnotatorError
from annotator.formats.records import REVIEW_META_KEYS, FormatError
from annotator.import_inputs import (
    aligned,
    broken_relations,
    has_review,
    misaligned,
    plan_merges,
)
from annotator.model import (
    IMPORTED,
    MODEL_LAYER_KEY,
    Analysis,
    LabelKind,
    NewDocument,
    Tokens,
    content_hash,
)
from annotator.sources import SourceDocument, SourceProblem, expand_paths, read_source
from annotator.store import Store
from annotator.store.records import ImportedReview

DEFAULT_BATCH_SIZE = 64
K = TypeVar("K")


class Analyser(Protocol):
    """What the importer needs from the NLP layer (annotator.nlp.pipeline.Pipeline)."""

    name: str

    def analyse(
        self, items: Iterable[tuple[K, str]], batch_size: int = ...
    ) -> Iterator[tuple[K, Analysis]]: ...

    def tokenize(self, text: str) -> Tokens: ...


class ImportAborted(AnnotatorError):
    """A strict import found problems; nothing was written."""

    def __init__(self, problems: list[SourceProblem]) -> None:
        listed = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"Import aborted, nothing was imported. Problems:\n{listed}")
        self.problems = problems


@dataclass(slots=True)
class ImportPlan:
    """What the first pass found."""

    files: list[Path] = field(default_factory=list)
    problems: list[SourceProblem] = field(default_factory=list)
    new_documents: int = 0
    duplicates: int = 0
    failed_files: set[Path] = field(default_factory=set)
    merged: int = 0  # inputs folded into another input's document (binary answers)
    needs_pipeline: int = 0  # new documents without their pipeline's analysis
    # content hash -> the merged document and the inputs it was merged from
    merges: dict[str, tuple[SourceDocument, tuple[str, ...]]] = field(default_factory=dict)


@dataclass(slots=True)
class ImportReport:
    imported: int = 0
    duplicates: int = 0
    failed_files: int = 0
    problems: list[SourceProblem] = field(default_factory=list)
    doc_ids: list[int] = field(default_factory=list)
    merged: int = 0

    def summary(self) -> str:
        merged = f" (merging {self.merged} more lines of answers)" if self.merged else ""
        return (
            f"imported {self.imported}{merged}, skipped as duplicate {self.duplicates}, "
            f"failed {self.failed_files} file{'s' if self.failed_files != 1 else ''}"
        )


def plan_import(
    store: Store, paths: Sequence[Path], analyser: Analyser | None = None
) -> ImportPlan:
    """First pass: read and check every input, count new documents and duplicates.

    With an ``analyser``, the spans of pre-annotated inputs are also checked
    against its tokens: a span that does not fall on token boundaries rejects
    its file, named with the line and offsets."""
    files, problems = expand_paths(paths)
    plan = ImportPlan(files=files, problems=problems)
    plan.failed_files.update(p.path for p in problems)
    # each readable file's documents: (content hash, has an answer)
    contents: dict[Path, list[tuple[str, bool]]] = {}
    analysed: set[str] = set()  # content hashes of inputs that bring their analysis
    relation_labels = {label.name: label for label in store.labels(LabelKind.RELATION)}
    for path in files:
        source = read_source(path)
        # the store's rule for relations (argument types) holds for imports too
        source.problems.extend(broken_relations(source.documents, relation_labels, path))
        # every problem of the file is reported at once (without an analyser, only
        # the spans of inputs that bring their own tokens are checked)
        source.problems.extend(misaligned(source.documents, analyser, path))
        source.problems.sort(key=lambda p: p.line or 0)
        if not source.ok:
            plan.problems.extend(source.problems)
            plan.failed_files.add(path)
            continue
        contents[path] = [(content_hash(d.text), has_review(d)) for d in source.documents]
        analysed.update(
            content_hash(d.text)
            for d in source.documents
            if d.annotations is not None and d.annotations.pipeline
        )
    known = store.known_hashes(h for entries in contents.values() for h, _ in entries)
    plan_merges(plan, contents, known, analyser)
    counts: dict[str, list[int]] = {}  # content hash -> [inputs, inputs with an answer]
    for path, entries in contents.items():
        if path not in plan.failed_files:
            for h, has_answer in entries:
                count = counts.setdefault(h, [0, 0])
                count[0] += 1
                count[1] += has_answer
    for h, (inputs, answered) in counts.items():
        if h in known:
            plan.duplicates += inputs
        elif h in plan.merges:  # one document of the answered inputs
            plan.new_documents += 1
            plan.needs_pipeline += 1
            plan.merged += answered - 1
            plan.duplicates += inputs - answered
        else:
            plan.new_documents += 1
            # the first input of a text is the one imported; a text given twice with
            # and without an analysis is rare enough to run the pipeline for
            plan.needs_pipeline += h not in analysed or inputs > 1
            plan.duplicates += inputs - 1
    return plan


def run_import(
    store: Store,
    analyser: Analyser | None,
    paths: Sequence[Path],
    *,
    strict: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    plan: ImportPlan | None = None,
    progress: Callable[[int], None] | None = None,
    to_gold: bool = False,
) -> ImportReport:
    """Import ``paths`` into ``store``; ``progress(n)`` is called as documents land.

    Pre-annotated inputs (JSONL gold, doccano, brat) bring their own spans and
    relations: they become the model layer (copied to gold), or with ``to_gold``
    the gold layer, the pipeline's predictions then being the model layer.
    ``analyser`` may be None when ``plan.needs_pipeline`` is 0 (every new document
    brings its analysis)."""
    plan = plan or plan_import(store, paths, analyser)
    if strict and plan.problems:
        raise ImportAborted(plan.problems)
    report = ImportReport(
        duplicates=plan.duplicates,
        failed_files=len(plan.failed_files),
        problems=list(plan.problems),
        merged=plan.merged,
    )
    items = ((item, item[0].text) for item in _new_documents(store, plan))
    batch: list[tuple[NewDocument, ImportedReview | None]] = []
    for (source, merged_from), analysis, pipeline in _analyses(analyser, items, batch_size):
        try:
            new = _new_document(source, analysis, pipeline, to_gold)
        except FormatError as exc:  # only for texts cut into pieces for the pipeline
            report.problems.append(SourceProblem(Path(source.origin), exc.message))
            report.failed_files += 1
            continue
        batch.append((new, _review(source, merged_from)))
        if len(batch) >= batch_size:
            _store_batch(store, batch, report, progress)
            batch = []
    if batch:
        _store_batch(store, batch, report, progress)
    return report


Item = tuple[SourceDocument, tuple[str, ...]]  # a new document, the inputs merged into it


def _analyses(
    analyser: Analyser | None, items: Iterator[tuple[Item, str]], batch_size: int
) -> Iterator[tuple[Item, Analysis, str]]:
    """Each new document with its analysis and the name of the pipeline that made
    it, in input order: the input's own analysis when it brings one, else the
    ``analyser``'s (run over each stretch of documents without one)."""
    marked = ((item, text, _brought(item[0])) for item, text in items)
    for brought, stretch in groupby(marked, key=lambda entry: entry[2] is not None):
        if brought:
            for item, _text, own in stretch:
                assert own is not None
                yield item, *own
            continue
        if analyser is None:
            raise AnnotatorError(
                "A document without its pipeline's analysis needs a pipeline to import it."
            )
        texts = ((item, text) for item, text, _own in stretch)
        for item, analysis in analyser.analyse(texts, batch_size):
            yield item, analysis, analyser.name


def _brought(source: SourceDocument) -> tuple[Analysis, str] | None:
    """The analysis an input brings (`annotator annotate`'s JSONL) and the name of
    its pipeline, if it brings one."""
    record = source.annotations
    if record is None or not record.pipeline or record.tokens is None:
        return None
    spans, relations = aligned(record, record.tokens, source.origin)
    analysis = Analysis(record.tokens, record.sentence_starts, spans, relations, record.pos)
    return analysis, record.pipeline


def _new_documents(
    store: Store, plan: ImportPlan
) -> Iterator[tuple[SourceDocument, tuple[str, ...]]]:
    """Second pass: the new documents (a merged one in place of the first input of
    its text), with the inputs each was merged from, read file by file as the
    pipeline asks for them."""
    seen: set[str] = set()
    for path in plan.files:
        if path in plan.failed_files:
            continue
        source = read_source(path)
        if not source.ok:  # the file changed since the first pass
            continue
        known = store.known_hashes(content_hash(d.text) for d in source.documents)
        for doc in source.documents:
            h = content_hash(doc.text)
            if h not in known and h not in seen:
                seen.add(h)
                yield plan.merges.get(h, (doc, ()))


def _review(source: SourceDocument, merged_from: tuple[str, ...]) -> ImportedReview | None:
    record = source.annotations
    if record is None or record.review is None:
        return None
    review = record.review
    return ImportedReview(review.status, review.reviewer, review.at, source.origin, merged_from)


def _new_document(
    source: SourceDocument, analysis: Analysis, pipeline: str, to_gold: bool
) -> NewDocument:
    record = source.annotations
    # the input's own spans are the model layer, unless they go to gold or the input
    # brought the pipeline's whole analysis (then they are that pipeline's)
    imported = record is not None and not to_gold and not record.pipeline
    meta = _stored_meta(source, pipeline, imported)
    if record is None:
        return NewDocument(
            source.text,
            source.title,
            analysis.tokens,
            analysis.sentence_starts,
            meta,
            analysis.spans,
            analysis.relations,
            pos=analysis.pos,
        )
    tokens = record.tokens or analysis.tokens
    if tokens == analysis.tokens:
        sentences = analysis.sentence_starts
    elif record.tokens is not None and record.sentence_starts:  # e.g. CoNLL's sentences
        sentences = record.sentence_starts
    else:
        sentences = (0,)
    spans, relations = aligned(record, tokens, source.origin)
    if to_gold:
        return NewDocument(
            source.text,
            source.title,
            tokens,
            sentences,
            meta,
            analysis.spans if tokens == analysis.tokens else (),
            analysis.relations if tokens == analysis.tokens else (),
            spans,
            relations,
            pos=analysis.pos if tokens == analysis.tokens else (),
        )
    pos = analysis.pos if tokens == analysis.tokens else ()
    return NewDocument(
        source.text, source.title, tokens, sentences, meta, spans, relations, pos=pos
    )


def _stored_meta(source: SourceDocument, pipeline: str, imported: bool) -> dict[str, object]:
    """The document's meta: the input's, plus what its format's reader found that
    sources.py did not (doccano's metadata is flat, beside ``text``), without the
    review keys that become its status and audit row (or say it is not reviewed:
    ``meta.status`` todo, as `annotator annotate` and exports of todo documents write).
    ``imported``: the model layer is the input's own spans, not ``pipeline``'s
    predictions (model.MODEL_LAYER_KEY)."""
    record = source.annotations
    meta = {**(record.meta if record is not None else {}), **source.meta, "pipeline": pipeline}
    meta.pop(MODEL_LAYER_KEY, None)  # an export's: this import says it anew
    if imported:
        meta[MODEL_LAYER_KEY] = IMPORTED
    if record is not None and (record.review is not None or meta.get("status") == "todo"):
        for key in REVIEW_META_KEYS:
            meta.pop(key, None)
    return meta


def _store_batch(
    store: Store,
    batch: list[tuple[NewDocument, ImportedReview | None]],
    report: ImportReport,
    progress: Callable[[int], None] | None,
) -> None:
    ids = store.add_documents([doc for doc, _ in batch], [review for _, review in batch])
    for doc_id in ids:
        if doc_id is None:  # stored by another process meanwhile
            report.duplicates += 1
        else:
            report.imported += 1
            report.doc_ids.append(doc_id)
    if progress:
        progress(len(batch))
