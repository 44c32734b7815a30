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
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

from annotator.errors import AnnotatorError
from annotator.formats.records import FormatError, Record
from annotator.model import (
    Analysis,
    Label,
    LabelKind,
    NewDocument,
    Relation,
    Span,
    Tokens,
    content_hash,
)
from annotator.sources import SourceDocument, SourceProblem, expand_paths, read_source
from annotator.store import Store

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


@dataclass(slots=True)
class ImportReport:
    imported: int = 0
    duplicates: int = 0
    failed_files: int = 0
    problems: list[SourceProblem] = field(default_factory=list)
    doc_ids: list[int] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"imported {self.imported}, skipped as duplicate {self.duplicates}, "
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
    hashes: list[str] = []
    relation_labels = {label.name: label for label in store.labels(LabelKind.RELATION)}
    for path in files:
        source = read_source(path)
        # the store's rule for relations (argument types) holds for imports too
        source.problems.extend(_broken_relations(source.documents, relation_labels, path))
        if analyser is not None:  # every problem of the file is reported at once
            source.problems.extend(_misaligned(source.documents, analyser, path))
        source.problems.sort(key=lambda p: p.line or 0)
        if not source.ok:
            plan.problems.extend(source.problems)
            plan.failed_files.add(path)
            continue
        hashes.extend(content_hash(doc.text) for doc in source.documents)
    known = store.known_hashes(hashes)
    seen: set[str] = set()
    for h in hashes:
        if h in known or h in seen:
            plan.duplicates += 1
        else:
            plan.new_documents += 1
        seen.add(h)
    return plan


def run_import(
    store: Store,
    analyser: Analyser,
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
    the gold layer, the pipeline's predictions then being the model layer."""
    plan = plan or plan_import(store, paths, analyser)
    if strict and plan.problems:
        raise ImportAborted(plan.problems)
    report = ImportReport(
        duplicates=plan.duplicates,
        failed_files=len(plan.failed_files),
        problems=list(plan.problems),
    )
    items = ((doc, doc.text) for doc in _new_documents(store, plan))
    batch: list[NewDocument] = []
    for source, analysis in analyser.analyse(items, batch_size):
        try:
            batch.append(_new_document(source, analysis, analyser.name, to_gold))
        except FormatError as exc:  # only for texts cut into pieces for the pipeline
            report.problems.append(SourceProblem(Path(source.origin), exc.message))
            report.failed_files += 1
            continue
        if len(batch) >= batch_size:
            _store_batch(store, batch, report, progress)
            batch = []
    if batch:
        _store_batch(store, batch, report, progress)
    return report


def _new_documents(store: Store, plan: ImportPlan) -> Iterator[SourceDocument]:
    """Second pass: the new documents, read file by file as the pipeline asks for them."""
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
                yield doc


def _new_document(
    source: SourceDocument, analysis: Analysis, pipeline: str, to_gold: bool
) -> NewDocument:
    meta = {**source.meta, "pipeline": pipeline}
    record = source.annotations
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
    sentences = analysis.sentence_starts if tokens == analysis.tokens else (0,)
    spans, relations = _aligned(record, tokens, source.origin)
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


def _aligned(
    record: Record, tokens: Tokens, where: str
) -> tuple[tuple[Span, ...], tuple[Relation, ...]]:
    spans = []
    for span in record.spans:
        found = tokens.token_span(span.start, span.end)
        if found is None:
            raise FormatError(
                where,
                f"span {span.start}..{span.end} ({span.label}) does not align to token boundaries",
            )
        spans.append(Span(span.start, span.end, found[0], found[1], span.label))
    return tuple(spans), record.relations


def _broken_relations(
    documents: Sequence[SourceDocument], labels: Mapping[str, Label], path: Path
) -> list[SourceProblem]:
    """Relations whose label does not allow the entity labels they link."""
    problems = []
    for doc in documents:
        record = doc.annotations
        if record is None:
            continue
        for relation in record.relations:
            rule = labels.get(relation.label)
            head, child = record.spans[relation.head], record.spans[relation.child]
            why = rule.refuses(head.label, child.label) if rule is not None else None
            if why is not None:
                line = doc.origin.rsplit(":", 1)[-1]
                problems.append(
                    SourceProblem(
                        path, f"relation not allowed: {why}", int(line) if line.isdigit() else None
                    )
                )
    return problems


def _misaligned(
    documents: Sequence[SourceDocument], analyser: Analyser, path: Path
) -> list[SourceProblem]:
    problems = []
    for doc in documents:
        if doc.annotations is None:
            continue
        tokens = doc.annotations.tokens or analyser.tokenize(doc.text)
        try:
            _aligned(doc.annotations, tokens, doc.origin)
        except FormatError as exc:
            line = doc.origin.rsplit(":", 1)[-1]
            problems.append(SourceProblem(path, exc.message, int(line) if line.isdigit() else None))
    return problems


def _store_batch(
    store: Store,
    batch: list[NewDocument],
    report: ImportReport,
    progress: Callable[[int], None] | None,
) -> None:
    ids = store.add_documents(batch)
    for doc_id in ids:
        if doc_id is None:  # stored by another process meanwhile
            report.duplicates += 1
        else:
            report.imported += 1
            report.doc_ids.append(doc_id)
    if progress:
        progress(len(batch))
