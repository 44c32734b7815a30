"""A team database: one layer per reviewer (``reviewer:NAME``) and each reviewer's
status per document (the ``reviewer_status`` table), as ``annotator merge`` writes
them (annotator/merge.py decides what to merge; this is the SQL).

Also the read side of a reviewer's own database that merging needs: who reviewed
each document (``document_reviews``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from annotator.model import (
    Annotations,
    Document,
    NewDocument,
    Status,
    content_hash,
    first_line_title,
    reviewer_layer,
)
from annotator.store.base import insert_span_row, utc_now
from annotator.store.ingest import IngestMixin

if TYPE_CHECKING:
    from annotator.store.records import DocumentReview, MergedReview, MergeOutcome, ReviewerStatus


MERGE_ACTION = "merge"
# audit actions that say who reviewed a document: setting its status in the window
# or the command line, and a review imported from a file
REVIEW_ACTIONS = ("status", "import")
# audit actions that are not a reviewer's work on the document
NOT_REVIEWING = ("reannotate", MERGE_ACTION)


class TeamMixin(IngestMixin):
    # ---- a reviewer's own database -------------------------------------------

    def document_reviews(self) -> list[DocumentReview]:
        """Every document, in id order, with who reviewed it (see DocumentReview)."""
        from annotator.store.records import DocumentReview

        reviewing = ",".join(f"'{a}'" for a in REVIEW_ACTIONS)
        not_reviewing = ",".join(f"'{a}'" for a in NOT_REVIEWING)
        rows = self.conn.execute(
            "SELECT d.id, d.content_hash, d.title, d.status, "
            "(SELECT actor FROM audit a WHERE a.doc_id = d.id "
            f"AND a.action IN ({reviewing}) ORDER BY a.id DESC LIMIT 1), "
            "(SELECT actor || char(0) || at FROM audit a WHERE a.doc_id = d.id "
            f"AND a.action NOT IN ({not_reviewing}) ORDER BY a.id DESC LIMIT 1) "
            "FROM documents d ORDER BY d.id"
        ).fetchall()
        found = []
        for doc_id, text_hash, title, status, decider, last in rows:
            last_actor, _, last_at = str(last or "").partition("\0")
            found.append(
                DocumentReview(
                    int(doc_id),
                    str(text_hash),
                    str(title),
                    Status(status),
                    (decider or last_actor or None) if last else None,
                    last_at,
                )
            )
        return found

    # ---- a team database -----------------------------------------------------

    def is_team_database(self) -> bool:
        """Whether ``annotator merge`` wrote reviews into this database."""
        row = self.conn.execute("SELECT 1 FROM reviewer_status LIMIT 1").fetchone()
        return row is not None

    def team_reviewers(self) -> list[str]:
        """The reviewers with a review in this team database, by name."""
        return [
            str(r[0])
            for r in self.conn.execute(
                "SELECT DISTINCT reviewer FROM reviewer_status ORDER BY reviewer"
            )
        ]

    def reviewer_statuses(self, doc_id: int | None = None) -> list[ReviewerStatus]:
        """The reviews of one document (or of all), by document and reviewer."""
        from annotator.store.records import ReviewerStatus

        where, params = ("WHERE doc_id = ?", [doc_id]) if doc_id is not None else ("", [])
        return [
            ReviewerStatus(int(d), str(r), Status(s), str(at), str(src), int(sid), str(fp))
            for d, r, s, at, src, sid, fp in self.conn.execute(
                "SELECT doc_id, reviewer, status, reviewed_at, source, source_doc_id, "
                f"fingerprint FROM reviewer_status {where} ORDER BY doc_id, reviewer",
                params,
            )
        ]

    def document_id_of_hash(self, content_hash: str) -> int | None:
        row = self.conn.execute(
            "SELECT id FROM documents WHERE content_hash = ?", [content_hash]
        ).fetchone()
        return None if row is None else int(row[0])

    def text_of(self, doc_id: int) -> str:
        row = self.conn.execute(
            "SELECT text FROM document_texts WHERE doc_id = ?", [doc_id]
        ).fetchone()
        return "" if row is None else str(row[0])

    def merge_document(
        self, document: Document, title: str, reviews: Sequence[MergedReview]
    ) -> MergeOutcome:
        """In one transaction: add ``document`` (its text, tokens and model layer,
        with an empty gold layer) unless its text is here, then each review that
        is not here yet as the reviewer's layer and status, replacing the
        reviewer's earlier review of it. A review whose fingerprint is here
        already is left alone, so merging again changes nothing. Each added or
        replaced review (and a new document) gets a ``merge`` audit row."""
        from annotator.store.records import MergeOutcome

        with self._transaction(f"merge document {title!r}"):
            doc_id = self.document_id_of_hash(content_hash(document.text))
            outcome = MergeOutcome(doc_id or 0)
            if doc_id is None:
                doc_id = self._add_merged_document(document, title, reviews)
                outcome.doc_id, outcome.new_document = doc_id, True
            known = {s.reviewer: s for s in self.reviewer_statuses(doc_id)}
            for review in reviews:
                before = known.get(review.reviewer)
                if before is not None and before.fingerprint == review.fingerprint:
                    outcome.unchanged.append(review.reviewer)
                    continue
                version = self._bump_version(doc_id, self.document_version(doc_id))
                removed = self._clear_reviewer_layer(doc_id, review.reviewer)
                self._insert_review(doc_id, review)
                self._audit(
                    doc_id,
                    version,
                    MERGE_ACTION,
                    "review",
                    None,
                    before=None if before is None else _review_json(before, removed),
                    after=_review_json(review, (len(review.spans), len(review.relations))),
                )
                target = outcome.added if before is None else outcome.replaced
                target.append(review.reviewer)
        return outcome

    def _add_merged_document(
        self, document: Document, title: str, reviews: Sequence[MergedReview]
    ) -> int:
        index = {span.id: i for i, span in enumerate(document.model.spans)}
        new = NewDocument(
            text=document.text,
            title=title or first_line_title(document.text),
            tokens=document.tokens,
            sentence_starts=document.sentence_starts,
            meta=dict(document.meta),
            spans=tuple(replace(s, id=None) for s in document.model.spans),
            relations=tuple(
                replace(r, head=index[r.head], child=index[r.child], id=None)
                for r in document.model.relations
            ),
            gold_spans=(),
            pos=document.pos,
        )
        self._add_missing_labels(
            {s.label for review in reviews for s in review.spans},
            {r.label for review in reviews for r in review.relations},
        )
        [doc_id] = self.add_documents([new])
        if doc_id is None:  # its text arrived meanwhile under another hash: impossible
            raise RuntimeError(f"Could not add document {title!r} to {self.path}.")
        source = reviews[0].source if reviews else ""
        source_id = reviews[0].source_doc_id if reviews else document.id
        self._audit(
            doc_id,
            1,
            MERGE_ACTION,
            "document",
            doc_id,
            after={"source": source, "source_doc_id": source_id, "title": title},
        )
        return doc_id

    def _clear_reviewer_layer(self, doc_id: int, reviewer: str) -> tuple[int, int]:
        layer = reviewer_layer(reviewer)
        relations = self.db.execute(
            "DELETE FROM relations WHERE doc_id = ? AND layer = ?", [doc_id, layer]
        ).rowcount
        spans = self.db.execute(
            "DELETE FROM spans WHERE doc_id = ? AND layer = ?", [doc_id, layer]
        ).rowcount
        return spans, relations

    def _insert_review(self, doc_id: int, review: MergedReview) -> None:
        layer = reviewer_layer(review.reviewer)
        self._add_missing_labels(
            {s.label for s in review.spans}, {r.label for r in review.relations}
        )
        ids = {
            span.id: insert_span_row(self.db, doc_id, layer, replace(span, id=None))
            for span in review.spans
        }
        self.db.conn.executemany(
            "INSERT INTO relations (doc_id, layer, head, child, label) VALUES (?, ?, ?, ?, ?)",
            [(doc_id, layer, ids[r.head], ids[r.child], r.label) for r in review.relations],
        )
        self.db.execute(
            "INSERT OR REPLACE INTO reviewer_status (doc_id, reviewer, status, reviewed_at, "
            "source, source_doc_id, fingerprint, merged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                doc_id,
                review.reviewer,
                review.status.value,
                review.reviewed_at,
                review.source,
                review.source_doc_id,
                review.fingerprint,
                utc_now(),
            ],
        )

    def reviewer_layers(self, doc_id: int) -> dict[str, Annotations]:
        """Each reviewer's layer of one document, by reviewer name (in name order)."""
        return {
            status.reviewer: self.annotations(doc_id, reviewer_layer(status.reviewer))
            for status in self.reviewer_statuses(doc_id)
        }

    def reviews_of(self, doc_id: int) -> dict[str, tuple[Status, Annotations]]:
        """Each reviewer's status and layer of one document, by reviewer name."""
        with self._snapshot():
            return {
                s.reviewer: (s.status, self.annotations(doc_id, reviewer_layer(s.reviewer)))
                for s in self.reviewer_statuses(doc_id)
            }

    def reviewed_documents(self) -> list[tuple[int, str, int]]:
        """The documents with at least one reviewer's review: id, title and token
        count, in id order."""
        return [
            (int(i), str(title), int(count))
            for i, title, count in self.conn.execute(
                "SELECT d.id, d.title, t.count FROM documents d "
                "JOIN tokens t ON t.doc_id = d.id "
                "WHERE d.id IN (SELECT doc_id FROM reviewer_status) ORDER BY d.id"
            )
        ]


def _review_json(
    review: ReviewerStatus | MergedReview, counts: tuple[int, int]
) -> dict[str, object]:
    return {
        "reviewer": review.reviewer,
        "status": review.status.value,
        "reviewed_at": review.reviewed_at,
        "source": review.source,
        "source_doc_id": review.source_doc_id,
        "fingerprint": review.fingerprint,
        "spans": counts[0],
        "relations": counts[1],
    }


__all__ = ["MERGE_ACTION", "TeamMixin"]
