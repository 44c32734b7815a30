"""Merge reviewers' databases into one team database (``annotator merge``).

- **Matching.** Documents are matched by content hash (a SHA-256 of the text).
  The team database keeps each document once, with its tokens and model layer
  from the first input that has it (or from the team database, when it is
  there already), and an empty gold layer.
- **Who reviewed it.** A document's reviewer in an input is the actor of the
  last audit row that set its status (accept / reject / skip, or a review
  imported from a file), else of its last edit (a review in progress, status
  ``todo``). So an input whose gold layer several people edited keeps each
  document under the person who decided it. A document no reviewer touched
  brings its text and model layer only.
- **What is kept.** Each review becomes the layer ``reviewer:NAME`` (the input's
  gold layer) and a row of ``reviewer_status`` (status, when, from which file,
  and a fingerprint of the status and the layer's spans and relations).
- **Conflicts.** The same reviewer with different reviews of one document in
  two inputs, or in an input and (newer or as new) in the team database, is a
  conflict: every conflict is listed and nothing is merged. A review that is
  newer than the one the team database has (the reviewer went on working)
  replaces it; the same review again changes nothing.
- **Safety.** Every input is read and checked (exists, is an annotator database
  of a schema this version knows, texts under one hash are equal, spans fall on
  the team database's tokens) before the output is created or written. Each
  document is then one transaction with its ``merge`` audit rows, so a killed
  merge keeps whole documents and the same command finishes the rest.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.model import (
    Annotations,
    Span,
    Status,
    Tokens,
    content_hash,
    is_layer_name,
    reviewer_layer,
)
from annotator.store import Store, StoreError
from annotator.store.connection import insert_labels
from annotator.store.records import DocumentReview, MergedReview


class MergeError(AnnotatorError):
    """An input or the output cannot be merged; nothing was written."""


class MergeConflictError(MergeError):
    """Reviews that contradict each other; nothing was written."""

    def __init__(self, conflicts: Sequence[str]) -> None:
        self.conflicts = list(conflicts)
        listed = "\n  ".join(self.conflicts)
        super().__init__(
            f"{len(self.conflicts)} conflicting review{'s' if len(self.conflicts) != 1 else ''}; "
            f"nothing was merged:\n  {listed}"
        )


@dataclass(frozen=True, slots=True)
class _Found:
    """One document of one input, as checked: where, its review (if any)."""

    source: int  # index into the inputs
    doc_id: int
    title: str
    text_digest: str
    tokens_digest: str
    review: DocumentReview | None
    fingerprint: str


@dataclass(slots=True)
class MergePlan:
    """The checked inputs, grouped by document (content hash), in input order."""

    inputs: list[Path]
    output: Path
    groups: dict[str, list[_Found]] = field(default_factory=dict)

    @property
    def reviews(self) -> int:
        return sum(1 for found in self._all() if found.review is not None)

    def _all(self) -> list[_Found]:
        return [f for group in self.groups.values() for f in group]


@dataclass(slots=True)
class MergeReport:
    documents_added: int = 0
    documents_known: int = 0
    reviews_added: int = 0
    reviews_replaced: int = 0
    reviews_unchanged: int = 0
    by_reviewer: Counter[str] = field(default_factory=Counter)  # added or replaced

    def summary(self) -> str:
        reviewers = ", ".join(f"{name} {n}" for name, n in sorted(self.by_reviewer.items()))
        return (
            f"{self.documents_added} new document{'s' if self.documents_added != 1 else ''} "
            f"({self.documents_known} already there); reviews: {self.reviews_added} added, "
            f"{self.reviews_replaced} replaced by newer ones, {self.reviews_unchanged} "
            "already merged" + (f" (new or newer by reviewer: {reviewers})" if reviewers else "")
        )


def fingerprint(status: Status, annotations: Annotations) -> str:
    """What makes two reviews of one document the same review: the status and the
    layer's spans and relations, compared by offsets and labels (never by ids)."""
    by_id = {s.id: (s.start, s.end, s.label) for s in annotations.spans}
    content = {
        "status": status.value,
        "spans": sorted(by_id.values()),
        "relations": sorted(
            (by_id[r.head], by_id[r.child], r.label) for r in annotations.relations
        ),
    }
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode("utf-8")).hexdigest()


def _tokens_digest(tokens: Tokens) -> str:
    return hashlib.sha256(repr((tokens.starts, tokens.ends)).encode("ascii")).hexdigest()


# ---- checking ----------------------------------------------------------------


def plan_merge(inputs: Sequence[Path], output: Path) -> MergePlan:
    """Read and check every input (and the output, when it exists); raise
    MergeError or MergeConflictError before anything is written."""
    if not inputs:
        raise MergeError("Name at least one reviewer's database to merge.")
    paths = [Path(p) for p in inputs]
    _check_paths(paths, output)
    plan = MergePlan(paths, output)
    conflicts: list[str] = []
    with ExitStack() as stack:
        stores = [stack.enter_context(_open(path, "input")) for path in paths]
        for index, store in enumerate(stores):
            for content, found in _read_input(store, index):
                plan.groups.setdefault(content, []).append(found)
        for content, group in plan.groups.items():
            _check_texts(plan, content, group)
            conflicts += _conflicts_between_inputs(plan, group)
        team_tokens: dict[str, Tokens] = {}
        if output.exists():
            team = stack.enter_context(_open(output, "output"))
            conflicts += _check_against_output(plan, team)
            for content in plan.groups:
                doc_id = team.document_id_of_hash(content)
                if doc_id is not None:
                    team_tokens[content] = team.load_document(doc_id).tokens
        _check_token_alignment(plan, stores, team_tokens)
    if conflicts:
        raise MergeConflictError(conflicts)
    return plan


def _check_paths(paths: list[Path], output: Path) -> None:
    for path in paths:
        if not path.exists():
            raise MergeError(f"{path}: no such file; nothing was merged.")
        if path.is_dir():
            raise MergeError(f"{path} is a folder, not an annotator database; nothing was merged.")
    seen: dict[tuple[int, int], Path] = {}
    for path in paths:
        stat = path.stat()
        key = (stat.st_dev, stat.st_ino)
        if key in seen:
            raise MergeError(f"{path} is named twice (as {seen[key]}); nothing was merged.")
        seen[key] = path
        if output.exists() and path.samefile(output):
            raise MergeError(
                f"{path} is both an input and the output; write the team database to a "
                "file of its own. Nothing was merged."
            )
    if output.is_dir():
        raise MergeError(f"The output {output} is a folder; name a database file.")


@contextmanager
def _open(path: Path, role: str) -> Iterator[Store]:
    """An input (or the existing output) opened for reading."""
    try:
        store = Store.open_to_read(path, actor="merge")
    except StoreError as exc:
        raise MergeError(f"Cannot merge ({role} {path}): {exc} Nothing was merged.") from exc
    try:
        yield store
    finally:
        store.close()


def _read_input(store: Store, index: int) -> list[tuple[str, _Found]]:
    """Each document of an input with its review, by content hash."""
    if store.is_team_database():
        raise MergeError(
            f"{store.path} is a team database (made by annotator merge); merge the "
            "reviewers' own databases instead. Nothing was merged."
        )
    found = []
    for review in store.document_reviews():
        doc = store.load_document(review.doc_id)
        if review.reviewer is not None and not is_layer_name(reviewer_layer(review.reviewer)):
            raise MergeError(
                f"{store.path}: document {review.doc_id} was reviewed by {review.reviewer!r}, "
                "which cannot name a layer (a reviewer name is trimmed and has no control "
                "characters); nothing was merged."
            )
        found.append(
            (
                review.content_hash,
                _Found(
                    index,
                    review.doc_id,
                    review.title,
                    content_hash(doc.text),
                    _tokens_digest(doc.tokens),
                    review if review.reviewer is not None else None,
                    fingerprint(review.status, doc.gold),
                ),
            )
        )
    return found


def _check_texts(plan: MergePlan, content: str, group: list[_Found]) -> None:
    first = group[0]
    for other in group[1:]:
        if other.text_digest != first.text_digest:
            raise MergeError(
                f"Document {first.title!r} has the content hash {content[:12]}… in "
                f"{plan.inputs[first.source]} (document {first.doc_id}) and in "
                f"{plan.inputs[other.source]} (document {other.doc_id}), but their texts "
                "differ; nothing was merged."
            )


def _conflicts_between_inputs(plan: MergePlan, group: list[_Found]) -> list[str]:
    by_reviewer: dict[str, list[_Found]] = {}
    for found in group:
        if found.review is not None and found.review.reviewer is not None:
            by_reviewer.setdefault(found.review.reviewer, []).append(found)
    conflicts = []
    for reviewer, founds in by_reviewer.items():
        first = founds[0]
        for other in founds[1:]:
            if other.fingerprint != first.fingerprint:
                conflicts.append(
                    f"{reviewer} reviewed document {first.title!r} differently in "
                    f"{plan.inputs[first.source]} (document {first.doc_id}) and in "
                    f"{plan.inputs[other.source]} (document {other.doc_id})"
                )
    return conflicts


def _check_against_output(plan: MergePlan, team: Store) -> list[str]:
    conflicts = []
    for content, group in plan.groups.items():
        doc_id = team.document_id_of_hash(content)
        if doc_id is None:
            continue
        if content_hash(team.text_of(doc_id)) != group[0].text_digest:
            raise MergeError(
                f"Document {group[0].title!r} has the content hash {content[:12]}… in "
                f"{plan.inputs[group[0].source]} and in the output {plan.output} (document "
                f"{doc_id}), but their texts differ; nothing was merged."
            )
        known = {s.reviewer: s for s in team.reviewer_statuses(doc_id)}
        for found in group:
            review = found.review
            if review is None or review.reviewer is None or review.reviewer not in known:
                continue
            there = known[review.reviewer]
            if there.fingerprint != found.fingerprint and there.reviewed_at >= review.reviewed_at:
                conflicts.append(
                    f"{review.reviewer} reviewed document {found.title!r} differently in "
                    f"{plan.inputs[found.source]} (document {found.doc_id}, last edited "
                    f"{review.reviewed_at}) and in the review {plan.output} has (document "
                    f"{doc_id}, merged from {there.source}, last edited {there.reviewed_at}, "
                    "as new or newer)"
                )
    return conflicts


def _check_token_alignment(
    plan: MergePlan, stores: list[Store], team_tokens: dict[str, Tokens]
) -> None:
    """Reviews from an input that tokenized a text differently must still fall on
    the team database's tokens (their token indices are recomputed)."""
    for content, group in plan.groups.items():
        reference = team_tokens.get(content)
        digest = _tokens_digest(reference) if reference is not None else group[0].tokens_digest
        for found in group:
            if found.review is None or found.tokens_digest == digest:
                continue
            tokens = reference or stores[group[0].source].load_document(group[0].doc_id).tokens
            doc = stores[found.source].load_document(found.doc_id)
            for span in doc.gold.spans:
                if tokens.token_span(span.start, span.end) is None:
                    raise MergeError(
                        f"{plan.inputs[found.source]}: document {found.doc_id} "
                        f"({found.title!r}) has the span {span.label} {span.start}..{span.end}, "
                        "which does not fall on the token boundaries the team database uses "
                        "for this text (the inputs were tokenized differently); nothing was "
                        "merged."
                    )


# ---- writing -----------------------------------------------------------------


def run_merge(
    plan: MergePlan,
    actor: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> MergeReport:
    """Write the checked plan into its output, one transaction per document."""
    report = MergeReport()
    total = len(plan.groups)
    with ExitStack() as stack:
        stores = [stack.enter_context(_open(path, "input")) for path in plan.inputs]
        try:
            team = stack.enter_context(Store.open(plan.output, actor))
        except StoreError as exc:
            raise MergeError(f"Cannot write the team database {plan.output}: {exc}") from exc
        with team._transaction("merge labels"):
            for store in stores:
                insert_labels(team.db, store.labels())
        for done, (content, group) in enumerate(plan.groups.items(), 1):
            _merge_group(plan, stores, team, content, group, report)
            if progress:
                progress(done, total)
    return report


def _merge_group(
    plan: MergePlan,
    stores: list[Store],
    team: Store,
    content: str,
    group: list[_Found],
    report: MergeReport,
) -> None:
    first = group[0]
    document = stores[first.source].load_document(first.doc_id)
    existing = team.document_id_of_hash(content)
    tokens = team.load_document(existing).tokens if existing is not None else document.tokens
    reviews: list[MergedReview] = []
    merged: set[str] = set()
    for found in group:
        review = found.review
        if review is None or review.reviewer is None or review.reviewer in merged:
            continue  # no review, or the same review again from another input
        merged.add(review.reviewer)
        doc = document if found is first else stores[found.source].load_document(found.doc_id)
        if fingerprint(review.status, doc.gold) != found.fingerprint:
            raise MergeError(
                f"{plan.inputs[found.source]} changed while it was being merged (document "
                f"{found.doc_id}); the documents merged so far are kept: run the same merge "
                "again."
            )
        reviews.append(
            MergedReview(
                reviewer=review.reviewer,
                status=review.status,
                reviewed_at=review.reviewed_at,
                source=str(plan.inputs[found.source]),
                source_doc_id=found.doc_id,
                fingerprint=found.fingerprint,
                spans=tuple(_on_tokens(s, tokens) for s in doc.gold.spans),
                relations=doc.gold.relations,
            )
        )
    outcome = team.merge_document(document, first.title, reviews)
    if outcome.new_document:
        report.documents_added += 1
    else:
        report.documents_known += 1
    report.reviews_added += len(outcome.added)
    report.reviews_replaced += len(outcome.replaced)
    report.reviews_unchanged += len(outcome.unchanged)
    report.by_reviewer.update(outcome.added + outcome.replaced)


def _on_tokens(span: Span, tokens: Tokens) -> Span:
    found = tokens.token_span(span.start, span.end)
    if found is None:  # checked by plan_merge
        raise MergeError(f"Span {span.label} {span.start}..{span.end} is off the tokens.")
    return replace(span, token_start=found[0], token_end=found[1])


def merge(
    inputs: Sequence[Path],
    output: Path,
    actor: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> MergeReport:
    """Check, then merge (``plan_merge`` then ``run_merge``)."""
    return run_merge(plan_merge(inputs, output), actor, progress)


__all__ = [
    "MergeConflictError",
    "MergeError",
    "MergePlan",
    "MergeReport",
    "fingerprint",
    "merge",
    "plan_merge",
    "run_merge",
]
