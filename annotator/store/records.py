"""The records the store's reads, imports, merges and re-annotations return or
take: apart from the mixins that use them, so that opening a database for the
window does not make their classes (each dataclass costs its module about 0.7 ms
to create; the window's start-up needs none of these)."""

from __future__ import annotations

from dataclasses import dataclass, field

from annotator.model import Layer, Relation, Span, Status


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    doc_id: int
    at: str
    actor: str
    action: str
    target: str
    target_id: int | None
    before: object
    after: object
    version: int


@dataclass(frozen=True, slots=True)
class Stats:
    documents: int
    by_status: dict[Status, int]
    # layer name -> label -> count; ``model`` and ``gold`` always, other layers
    # (``final``, ``reviewer:NAME``) when they have rows
    spans_by_label: dict[str, dict[str, int]] = field(default_factory=dict)
    relations_by_label: dict[str, dict[str, int]] = field(default_factory=dict)
    # the layers present, in the order of ``order_layers`` (model, gold, final,
    # reviewer:NAME by name): ``layers_present``
    layers: tuple[str, ...] = (Layer.MODEL, Layer.GOLD)
    # a team database: reviewer -> status -> how many documents they reviewed
    # with it (table reviewer_status); empty otherwise
    reviews: dict[str, dict[Status, int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ImportedReview:
    """A review that comes with an imported document (an exported review, or
    Prodigy answers): it is stored as the document's status plus an audit row
    (action ``import``) whose actor is the reviewer, so that the document reads
    as reviewed by them (``review_info``, the next export's ``meta.annotator``)."""

    status: Status
    reviewer: str = ""  # "" when the file does not say: the importing user stands in
    reviewed_at: str = ""  # when, as the file says ("" when it does not)
    source: str = ""  # where it was read, e.g. "gold.jsonl:12"
    merged_from: tuple[str, ...] = ()  # the lines of binary answers it was merged from


@dataclass(frozen=True, slots=True)
class DocumentReview:
    """Who reviewed one document of a reviewer's database, by its audit rows.

    ``reviewer``: the actor of the last row that set the document's status
    (``status``, or an ``import`` of a review), else of its last edit; None when
    no reviewer ever touched it. ``reviewed_at``: the time of its last edit
    (re-annotation and merging are not edits)."""

    doc_id: int
    content_hash: str
    title: str
    status: Status
    reviewer: str | None
    reviewed_at: str


@dataclass(frozen=True, slots=True)
class ReviewerStatus:
    """One reviewer's review of one document of a team database."""

    doc_id: int
    reviewer: str
    status: Status
    reviewed_at: str
    source: str
    source_doc_id: int
    fingerprint: str


@dataclass(frozen=True, slots=True)
class MergedReview:
    """A review to write into a team database: the reviewer's layer and status."""

    reviewer: str
    status: Status
    reviewed_at: str
    source: str
    source_doc_id: int
    fingerprint: str
    spans: tuple[Span, ...]
    relations: tuple[Relation, ...]  # head and child: ids of ``spans``


@dataclass(slots=True)
class MergeOutcome:
    """What merging one document changed."""

    doc_id: int
    new_document: bool = False
    added: list[str] = field(default_factory=list)  # reviewers whose review was added
    replaced: list[str] = field(default_factory=list)  # ... replaced by a newer one
    unchanged: list[str] = field(default_factory=list)  # ... already there


@dataclass(frozen=True, slots=True)
class Candidate:
    """A document re-annotation may select, with the pipeline its model layer is from."""

    doc_id: int
    status: Status
    pipeline: str | None
    source: str | None

    def done_by(self, pipeline: str, source: str) -> bool:
        """Whether its model layer already comes from this pipeline (imported with
        it, or re-annotated with it from the same ``source``)."""
        return self.pipeline == pipeline and self.source in (None, source)


@dataclass(frozen=True, slots=True)
class Reannotated:
    """The outcome of one document's re-annotation."""

    doc_id: int
    version: int
    gold_replaced: bool
    model_spans: tuple[int, int]  # (before, after)
    model_relations: tuple[int, int]
