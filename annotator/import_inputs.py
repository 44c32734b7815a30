"""Checks and merges of an import's inputs, before anything is stored: spans
against token boundaries, relations against their labels' argument types, and
the merge of binary answers about one text (see annotator/importer.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.formats.records import FormatError, Record, merge_answers
from annotator.model import Label, Relation, Span, Tokens, content_hash
from annotator.sources import SourceDocument, SourceProblem, line_of, read_source

if TYPE_CHECKING:
    from annotator.importer import Analyser, ImportPlan


def has_review(doc: SourceDocument) -> bool:
    return doc.annotations is not None and doc.annotations.review is not None


def plan_merges(
    plan: ImportPlan,
    contents: dict[Path, list[tuple[str, bool]]],
    known: set[str],
    analyser: Analyser | None,
) -> None:
    """Merge the inputs that answer about one new text (see the module docstring)
    into ``plan.merges``. Files whose answers cannot be merged fail whole; their
    texts are then merged again without them, until every merge holds."""
    while True:
        answered_in: dict[str, list[Path]] = {}
        for path, entries in contents.items():
            if path not in plan.failed_files:
                for h, answered in entries:
                    if answered and h not in known:
                        answered_in.setdefault(h, []).append(path)
        members: dict[str, list[SourceDocument]] = {
            h: [] for h, paths in answered_in.items() if len(paths) > 1
        }
        to_read = {p for h in members for p in answered_in[h]}
        for path in (p for p in plan.files if p in to_read):  # in input order
            for doc in read_source(path).documents:
                h = content_hash(doc.text)
                if h in members and has_review(doc):
                    members[h].append(doc)
        plan.merges = {}
        failed: list[SourceProblem] = []
        for h, docs in members.items():
            try:
                plan.merges[h] = (merged_answers(docs, analyser), tuple(d.origin for d in docs))
            except FormatError as exc:
                failed += merge_problems(exc, docs)
        if not failed:
            return
        plan.problems.extend(failed)
        plan.failed_files.update(p.path for p in failed)


def merged_answers(docs: Sequence[SourceDocument], analyser: Analyser | None) -> SourceDocument:
    first = docs[0]
    record = merge_answers([(d.origin, d.annotations) for d in docs if d.annotations])
    # the lines' spans were checked against their own tokens; the merge keeps the first's
    tokens = record.tokens or (analyser.tokenize(record.text) if analyser else None)
    if tokens is not None:
        aligned(record, tokens, first.origin)
    return SourceDocument(first.text, first.title, first.meta, first.origin, record)


def merge_problems(exc: FormatError, docs: Sequence[SourceDocument]) -> list[SourceProblem]:
    """The problem where the answers disagree, and one for every other file that
    answers about the same text (it cannot be imported without them)."""
    path, line = where_of(exc.where)
    problems = [SourceProblem(path, exc.message, line)]
    for doc in docs:
        other, other_line = where_of(doc.origin)
        if other not in (p.path for p in problems):
            problems.append(
                SourceProblem(
                    other, f"its answers about this text disagree with {exc.where}", other_line
                )
            )
    return problems


def where_of(origin: str) -> tuple[Path, int | None]:
    """``path:line`` -> (path, line); a bare path -> (path, None)."""
    path, _, line = origin.rpartition(":")
    return (Path(path), int(line)) if path and line.isdigit() else (Path(origin), None)


def aligned(
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


def broken_relations(
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
                problems.append(
                    SourceProblem(path, f"relation not allowed: {why}", line_of(doc.origin))
                )
    return problems


def misaligned(
    documents: Sequence[SourceDocument], analyser: Analyser | None, path: Path
) -> list[SourceProblem]:
    """Spans that do not fall on token boundaries: the input's own tokens, else the
    ``analyser``'s (without one, inputs without tokens are not checked)."""
    problems = []
    for doc in documents:
        if doc.annotations is None:
            continue
        tokens = doc.annotations.tokens
        if tokens is None and analyser is not None:
            tokens = analyser.tokenize(doc.text)
        if tokens is None:
            continue
        try:
            aligned(doc.annotations, tokens, doc.origin)
        except FormatError as exc:
            problems.append(SourceProblem(path, exc.message, line_of(doc.origin)))
    return problems
