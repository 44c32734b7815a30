"""Pre-annotate texts without a database (``annotator annotate``).

The inputs are read as ``annotator import`` reads plain texts (annotator.sources:
.txt files, folders of them, JSONL of ``{"text", "meta"}``), the pipeline runs
over them, and each document becomes one line of our JSONL gold
(formats/jsonl.py, the records ``annotator export --format jsonl`` writes), which
``annotator import`` reads back with its spans and relations.

Two passes, as in the import. The first reads and checks every input: a file
with a problem is left out and reported (or, with ``strict``, nothing is
written); so is a file whose documents already have spans or relations, since
the output holds the pipeline's predictions (import such a file directly). The
second runs the pipeline and writes. The output appears only when complete: it
is written beside the target under a temporary name and renamed at the end, so
an error or Ctrl+C leaves no file (and an older one as it was).

Each line is the document as an import of the input would store it before
review: its text, the pipeline's tokens, entities and relations, the input's
meta (``source``: the input file, and line), the pipeline's name
(``meta.pipeline``) and status todo (``answer: "ignore"`` with ``meta.status:
"todo"``, which the import reads as "not reviewed", as for an exported todo
document). The pipeline's whole analysis comes too, under ``_analysis`` (its
name, the sentence starts, the POS tags and the rule behind each relation), so
that the import stores each line as it is, without running a pipeline again.
Lines follow the input order, one per input document; a repeated
text is written again (the import skips it as a duplicate).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

from annotator.formats.jsonl import JsonlWriter
from annotator.formats.records import STATUS_ANSWER, FormatError, Record, RecordSpan
from annotator.formats.writing import WriteSettings, remove_stale_parts
from annotator.model import Analysis, Status
from annotator.sources import (
    SourceDocument,
    SourceFile,
    SourceProblem,
    expand_paths,
    line_of,
    read_source,
)

DEFAULT_BATCH_SIZE = 64
PIPELINE_KEY = "pipeline"  # the meta key the import writes too
K = TypeVar("K")


class Annotator(Protocol):
    """What pre-annotation needs from the NLP layer (annotator.nlp.pipeline.Pipeline)."""

    name: str

    def analyse(
        self, items: Iterable[tuple[K, str]], batch_size: int = ...
    ) -> Iterator[tuple[K, Analysis]]: ...


@dataclass(slots=True)
class AnnotationPlan:
    """What the first pass found."""

    files: list[Path] = field(default_factory=list)
    problems: list[SourceProblem] = field(default_factory=list)
    failed_files: set[Path] = field(default_factory=set)
    documents: int = 0


@dataclass(slots=True)
class AnnotationReport:
    written: int = 0
    problems: list[SourceProblem] = field(default_factory=list)  # found while annotating
    output: Path | None = None


def plan_annotation(paths: Sequence[Path]) -> AnnotationPlan:
    """First pass: read and check every input, count its documents."""
    files, problems = expand_paths(paths)
    plan = AnnotationPlan(files=files, problems=problems)
    plan.failed_files.update(p.path for p in problems)
    for path in files:
        source = read_source(path)
        source.problems.extend(_annotated(source))
        if not source.ok:
            plan.problems.extend(source.problems)
            plan.failed_files.add(path)
            continue
        plan.documents += len(source.documents)
    return plan


def _annotated(source: SourceFile) -> list[SourceProblem]:
    """A problem for each document of ``source`` that brings spans or relations."""
    found = []
    for doc in source.documents:
        record = doc.annotations
        if record is None or not (record.spans or record.relations):
            continue
        found.append(
            SourceProblem(
                source.path,
                f"already annotated ({len(record.spans)} spans, {len(record.relations)} "
                "relations); `annotator annotate` writes the pipeline's predictions: import "
                "this file with `annotator import`, which keeps its spans",
                line_of(doc.origin),
            )
        )
    return found


def run_annotation(
    annotator: Annotator,
    plan: AnnotationPlan,
    output: Path,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> AnnotationReport:
    """Second pass: annotate the documents of ``plan`` into ``output`` (JSONL gold);
    ``progress(n)`` is called as documents are written. The file appears only when
    every document is in it."""
    remove_stale_parts(output)  # what a killed run left beside it
    report = AnnotationReport(output=output)
    writer = JsonlWriter(WriteSettings(target=output))
    try:
        items = (((path, doc), doc.text) for path, doc in documents_of(plan))
        for (path, source), analysis in annotator.analyse(items, batch_size):
            record = to_record(source, analysis, annotator.name)
            try:
                record.check(source.origin)
            except FormatError as exc:  # e.g. a label with a space, which import refuses
                message = f"the pipeline's output cannot be written: {exc.message}"
                report.problems.append(SourceProblem(path, message, line_of(source.origin)))
                continue
            writer.add(record)
            report.written += 1
            if progress:
                progress(1)
        writer.finish()
    except BaseException:  # an error or Ctrl+C: no file, not even a part of one
        writer.abort()
        raise
    return report


def documents_of(plan: AnnotationPlan) -> Iterator[tuple[Path, SourceDocument]]:
    """The documents of the files that passed the first pass, with their file,
    read file by file as the pipeline asks for them."""
    for path in plan.files:
        if path in plan.failed_files:
            continue
        source = read_source(path)
        if source.ok:  # else the file changed since the first pass
            yield from ((path, doc) for doc in source.documents)


def to_record(source: SourceDocument, analysis: Analysis, pipeline: str) -> Record:
    """The JSONL gold record of one pre-annotated, not yet reviewed document."""
    return Record(
        text=source.text,
        spans=tuple(RecordSpan(s.start, s.end, s.label) for s in analysis.spans),
        relations=analysis.relations,
        tokens=analysis.tokens,
        meta={**source.meta, PIPELINE_KEY: pipeline, "status": Status.TODO.value},
        answer=STATUS_ANSWER.get(Status.TODO, "ignore"),
        sentence_starts=analysis.sentence_starts,
        pipeline=pipeline,
        pos=analysis.pos,
    )
