"""Bulk insertion of new documents with their model layer (copied to gold), and
the review state an imported file gives them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from annotator.model import Label, LabelKind, NewDocument, Status
from annotator.store.base import insert_span_row, utc_now
from annotator.store.codec import pack_ints, pack_pos
from annotator.store.connection import insert_labels
from annotator.store.reads import ReadsMixin

if TYPE_CHECKING:
    from annotator.store.records import ImportedReview


class IngestMixin(ReadsMixin):
    def known_hashes(self, hashes: Iterable[str]) -> set[str]:
        """The content hashes among ``hashes`` that are already stored."""
        wanted = list(dict.fromkeys(hashes))
        found: set[str] = set()
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                r[0]
                for r in self.db.execute(
                    f"SELECT content_hash FROM documents WHERE content_hash IN ({marks})", chunk
                ).fetchall()
            )
        return found

    def add_documents(
        self, docs: Sequence[NewDocument], reviews: Sequence[ImportedReview | None] = ()
    ) -> list[int | None]:
        """Store documents in one transaction; returns each new id, or None for a
        document whose text is already stored (it is skipped, not duplicated).

        Each document lands with its tokens, its model layer and a gold copy of
        it, or not at all: a killed process leaves whole documents only. A
        document with a review (``reviews[i]``, parallel to ``docs``) lands with
        its status and an ``import`` audit row, in the same transaction.
        """
        ids: list[int | None] = []
        with self._transaction("import documents"):
            self._ensure_labels(docs)
            now = utc_now()
            for i, doc in enumerate(docs):
                review = reviews[i] if i < len(reviews) else None
                cursor = self.db.execute(
                    "INSERT OR IGNORE INTO documents (text_length, content_hash, title, meta, "
                    "status, version, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
                    [
                        len(doc.text),
                        doc.content_hash,
                        doc.title,
                        json.dumps(doc.meta, ensure_ascii=False),
                        (review.status if review else Status.TODO).value,
                        now,
                        now,
                    ],
                )
                if cursor.rowcount == 0:
                    ids.append(None)
                    continue
                doc_id = int(cursor.lastrowid or 0)
                self.db.execute(
                    "INSERT INTO document_texts (doc_id, text) VALUES (?, ?)", [doc_id, doc.text]
                )
                self._insert_layers(doc_id, doc)
                if review is not None:
                    self._audit_import(doc_id, review, now)
                ids.append(doc_id)
        return ids

    def _audit_import(self, doc_id: int, review: ImportedReview, now: str) -> None:
        """The audit row of an imported review: at the time of the import, by the
        reviewer the file names (else the importing user), with what the file
        said (status, reviewer, original time, where) and who imported it."""
        detail: dict[str, object] = {
            "status": review.status.value,
            "reviewer": review.reviewer or None,
            "reviewed_at": review.reviewed_at or None,
            "imported_by": self.actor,
            "source": review.source,
        }
        if review.merged_from:
            detail["merged_from"] = list(review.merged_from)
        self.db.execute(
            "INSERT INTO audit (doc_id, at, actor, action, target, target_id, before, after, "
            "version) VALUES (?, ?, ?, 'import', 'document', ?, NULL, ?, 1)",
            [
                doc_id,
                now,
                review.reviewer or self.actor,
                doc_id,
                json.dumps(detail, ensure_ascii=False),
            ],
        )

    def _insert_layers(self, doc_id: int, doc: NewDocument) -> None:
        self.db.execute(
            "INSERT INTO tokens (doc_id, count, starts, ends, sentence_starts) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                doc_id,
                len(doc.tokens),
                pack_ints(doc.tokens.starts),
                pack_ints(doc.tokens.ends),
                pack_ints(doc.sentence_starts),
            ],
        )
        if doc.pos and len(doc.pos) == len(doc.tokens):
            self.db.execute(
                "UPDATE tokens SET pos = ? WHERE doc_id = ?", [pack_pos(doc.pos), doc_id]
            )
        layers = {"model": (doc.spans, doc.relations)}
        if doc.gold_spans is None:
            layers["gold"] = (doc.spans, doc.relations)
        else:
            layers["gold"] = (doc.gold_spans, doc.gold_relations)
        for layer, (spans, relations) in layers.items():
            span_ids: list[int] = []
            for span in spans:
                span_ids.append(insert_span_row(self.db, doc_id, layer, replace(span, id=None)))
            # the rule that proposed a relation is recorded on the model layer only;
            # a gold relation is the reviewer's, whatever proposed it
            self.db.conn.executemany(
                "INSERT INTO relations (doc_id, layer, head, child, label, rule) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        doc_id,
                        layer,
                        span_ids[r.head],
                        span_ids[r.child],
                        r.label,
                        r.rule if layer == "model" else None,
                    )
                    for r in relations
                ],
            )

    def _ensure_labels(self, docs: Sequence[NewDocument]) -> None:
        """Labels a pipeline predicts but the config lacks are added with a generated color."""
        entity = {s.label for d in docs for s in (*d.spans, *(d.gold_spans or ()))}
        relation = {r.label for d in docs for r in (*d.relations, *d.gold_relations)}
        self._add_missing_labels(entity, relation)

    def _add_missing_labels(self, entity: set[str], relation: set[str]) -> None:
        """Add the entity and relation labels the database lacks, with a generated color."""
        from annotator.labels import color_for  # here: the window starts without it

        known = {(label.kind, label.name) for label in self.labels()}
        missing = [
            Label(name, kind, color_for(name))
            for kind, names in ((LabelKind.ENTITY, entity), (LabelKind.RELATION, relation))
            for name in sorted(names)
            if (kind, name) not in known
        ]
        if missing:
            insert_labels(self.db, missing)
