"""Read side of the store: document lists, one document with its layers, labels, stats."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from annotator.model import (
    Annotations,
    Document,
    DocumentSummary,
    Label,
    LabelKind,
    Layer,
    Relation,
    Status,
    Tokens,
    layer_reviewer,
    reviewer_layer,
)
from annotator.store.base import StoreBase
from annotator.store.codec import unpack_ints, unpack_pos
from annotator.store.errors import NotFoundError
from annotator.store.rows import select_relations, select_spans

if TYPE_CHECKING:
    from annotator.store.records import AuditEntry, Stats


def order_layers(names: Iterable[str]) -> list[str]:
    """Layer names in the order people read them: model, gold, final, then the
    reviewers' layers by name."""
    rank = {Layer.MODEL.value: 0, Layer.GOLD.value: 1, Layer.FINAL.value: 2}

    def key(name: str) -> tuple[int, str]:
        return (rank.get(name, 3 if layer_reviewer(name) is not None else 4), name)

    return sorted(set(names), key=key)


class ReadsMixin(StoreBase):
    def count_by_status(self) -> dict[Status, int]:
        counts = dict.fromkeys(Status, 0)
        for status, n in self.conn.execute(
            "SELECT status, COUNT(*) FROM documents GROUP BY status"
        ).fetchall():
            counts[Status(status)] = int(n)
        return counts

    def list_documents(
        self, status: Status | None = None, offset: int = 0, limit: int = 200
    ) -> list[DocumentSummary]:
        """One page of documents in id order, with their gold (edit layer) span counts."""
        where, params = ("WHERE d.status = ?", [status.value]) if status else ("", [])
        rows = self.conn.execute(
            "SELECT d.id, d.title, d.status, d.version, "
            "(SELECT COUNT(*) FROM spans s WHERE s.doc_id = d.id AND s.layer = ?) "
            f"FROM documents d {where} ORDER BY d.id LIMIT ? OFFSET ?",
            [self.edit_layer, *params, limit, offset],
        ).fetchall()
        return [
            DocumentSummary(int(i), str(t), Status(s), int(v), int(n)) for i, t, s, v, n in rows
        ]

    def document_summary(self, doc_id: int) -> DocumentSummary:
        row = self.conn.execute(
            "SELECT d.id, d.title, d.status, d.version, "
            "(SELECT COUNT(*) FROM spans s WHERE s.doc_id = d.id AND s.layer = ?) "
            "FROM documents d WHERE d.id = ?",
            [self.edit_layer, doc_id],
        ).fetchone()
        if row is None:
            raise NotFoundError(f"Document {doc_id} does not exist in {self.path}.")
        i, t, s, v, n = row
        return DocumentSummary(int(i), str(t), Status(s), int(v), int(n))

    def document_ids(self, status: Status | None = None) -> list[int]:
        sql = "SELECT id FROM documents"
        params: list[str] = []
        if status is not None:
            sql += " WHERE status = ?"
            params.append(status.value)
        return [int(r[0]) for r in self.conn.execute(sql + " ORDER BY id", params).fetchall()]

    def neighbour(
        self, doc_id: int | None, direction: int, status: Status | None = None, wrap: bool = False
    ) -> int | None:
        """The next (direction > 0) or previous document id after ``doc_id`` in id
        order, among documents with ``status`` if given; optionally wrapping around."""
        op, order = (">", "ASC") if direction > 0 else ("<", "DESC")
        where = f"id {op} ?" + (" AND status = ?" if status else "")
        params: list[object] = [doc_id if doc_id is not None else (0 if direction > 0 else 2**62)]
        if status:
            params.append(status.value)
        sql = f"SELECT id FROM documents WHERE {where} ORDER BY id {order} LIMIT 1"
        row = self.conn.execute(sql, params).fetchone()
        if row is None and wrap and doc_id is not None:
            return self.neighbour(None, direction, status)
        return None if row is None else int(row[0])

    def position(self, doc_id: int, status: Status | None = None) -> int:
        """1-based position of ``doc_id`` among documents (with ``status``) in id order."""
        sql = "SELECT COUNT(*) FROM documents WHERE id <= ?"
        params: list[object] = [doc_id]
        if status:
            sql += " AND status = ?"
            params.append(status.value)
        return int(self.conn.execute(sql, params).fetchone()[0])

    def load_document(self, doc_id: int) -> Document:
        # One read transaction: the text, tokens and both layers are one snapshot.
        with self._snapshot():
            return self._load_document(doc_id)

    def _load_document(self, doc_id: int) -> Document:
        row = self.conn.execute(
            "SELECT x.text, d.meta, d.status, d.version, t.starts, t.ends, t.sentence_starts, "
            "t.pos "
            "FROM documents d JOIN tokens t ON t.doc_id = d.id "
            "JOIN document_texts x ON x.doc_id = d.id WHERE d.id = ?",
            [doc_id],
        ).fetchone()
        if row is None:
            raise NotFoundError(f"Document {doc_id} does not exist in {self.path}.")
        text, meta, status, version, starts, ends, sentence_starts, pos = row
        return Document(
            id=doc_id,
            text=text,
            tokens=Tokens(unpack_ints(starts), unpack_ints(ends)),
            sentence_starts=unpack_ints(sentence_starts),
            status=Status(status),
            version=int(version),
            meta=json.loads(meta),
            model=self.annotations(doc_id, Layer.MODEL),
            gold=self.annotations(doc_id, self.edit_layer),
            pos=unpack_pos(pos),
            edited=self.edit_layer,
        )

    def annotations(self, doc_id: int, layer: str) -> Annotations:
        """One layer of a document (any layer name: ``Layer`` or ``reviewer:NAME``)."""
        where = "doc_id = ? AND layer = ?"
        return Annotations(
            tuple(select_spans(self.conn, where, [doc_id, str(layer)])),
            tuple(select_relations(self.conn, where, [doc_id, str(layer)])),
        )

    def layer_names(self) -> list[str]:
        """The layers that have spans or relations in this database, sorted."""
        return sorted(
            {
                str(r[0])
                for r in self.conn.execute(
                    "SELECT DISTINCT layer FROM spans UNION SELECT DISTINCT layer FROM relations"
                )
            }
        )

    def layers_present(self) -> list[str]:
        """The layers an export can write and ``stats`` counts, in ``order_layers``
        order: model and gold always; final once adjudication put a span in it; each
        reviewer's layer (``reviewer:NAME``) that has spans or a merged review (an
        empty review is a review). Quick on any size: one index seek per layer."""
        names = {Layer.MODEL.value, Layer.GOLD.value}
        after = ""
        while True:  # skip-scan the (layer, label) index: one seek per distinct layer
            row = self.conn.execute(
                "SELECT MIN(layer) FROM spans WHERE layer > ?", [after]
            ).fetchone()
            if row is None or row[0] is None:
                break
            after = str(row[0])
            names.add(after)
        names |= {
            reviewer_layer(str(r[0]))
            for r in self.conn.execute("SELECT DISTINCT reviewer FROM reviewer_status")
        }
        return order_layers(names)

    def reviews_by_status(self) -> dict[str, dict[Status, int]]:
        """A team database: reviewer -> status -> documents with that review
        (table reviewer_status), by reviewer name; empty in any other database."""
        counts: dict[str, dict[Status, int]] = {}
        for reviewer, status, n in self.conn.execute(
            "SELECT reviewer, status, COUNT(*) FROM reviewer_status "
            "GROUP BY reviewer, status ORDER BY reviewer"
        ):
            counts.setdefault(str(reviewer), dict.fromkeys(Status, 0))[Status(status)] = int(n)
        return counts

    def reviewed_labels(self) -> dict[str, Counter[str]]:
        """Words -> how often each label covers them in the gold (edit) layer of the
        accepted documents (for the suggestions of likely missing spans)."""
        known: dict[str, Counter[str]] = {}
        for words, label, n in self.conn.execute(
            'SELECT substr(x.text, s.start + 1, s."end" - s.start), s.label, COUNT(*) '
            "FROM spans s JOIN documents d ON d.id = s.doc_id "
            "JOIN document_texts x ON x.doc_id = s.doc_id "
            "WHERE s.layer = ? AND d.status = 'accepted' GROUP BY 1, 2",
            [self.edit_layer],
        ):
            known.setdefault(str(words), Counter())[str(label)] += int(n)
        return known

    def ids_containing(self, ids: Sequence[int], needle: str) -> list[int]:
        """The ids among ``ids`` whose text contains ``needle``, ignoring case as
        Python's ``casefold`` does (SQLite's ``lower()`` knows ASCII only), in id order."""
        wanted = needle.casefold()
        found = []
        for i in range(0, len(ids), 200):
            chunk = list(ids[i : i + 200])
            marks = ",".join("?" * len(chunk))
            found += [
                int(doc_id)
                for doc_id, text in self.conn.execute(
                    f"SELECT doc_id, text FROM document_texts WHERE doc_id IN ({marks})", chunk
                )
                if wanted in str(text).casefold()
            ]
        return sorted(found)

    def review_info(self, doc_id: int) -> tuple[str, str]:
        """When the document last changed, and who made its last edit ("" if nobody)."""
        row = self.conn.execute(
            "SELECT d.updated_at, (SELECT actor FROM audit a WHERE a.doc_id = d.id "
            "ORDER BY a.id DESC LIMIT 1) FROM documents d WHERE d.id = ?",
            [doc_id],
        ).fetchone()
        if row is None:
            raise NotFoundError(f"Document {doc_id} does not exist in {self.path}.")
        return str(row[0]), str(row[1] or "")

    def relations(self, doc_id: int, layer: str) -> list[Relation]:
        return select_relations(self.conn, "doc_id = ? AND layer = ?", [doc_id, str(layer)])

    def document_version(self, doc_id: int) -> int:
        row = self.conn.execute("SELECT version FROM documents WHERE id = ?", [doc_id]).fetchone()
        if row is None:
            raise NotFoundError(f"Document {doc_id} does not exist in {self.path}.")
        return int(row[0])

    def labels(self, kind: LabelKind | None = None) -> list[Label]:
        sql = (
            "SELECT name, kind, color, hotkey, description, head_types, child_types, directed "
            "FROM labels"
        )
        params: list[str] = []
        if kind is not None:
            sql += " WHERE kind = ?"
            params.append(kind.value)
        return [
            Label(
                name,
                LabelKind(k),
                color,
                hotkey,
                description,
                tuple(json.loads(head_types)),
                tuple(json.loads(child_types)),
                bool(directed),
            )
            for name, k, color, hotkey, description, head_types, child_types, directed in (
                self.conn.execute(sql + " ORDER BY position", params).fetchall()
            )
        ]

    def audit_log(self, doc_id: int) -> list[AuditEntry]:
        from annotator.store.records import AuditEntry

        return [
            AuditEntry(
                id=r[0],
                doc_id=r[1],
                at=r[2],
                actor=r[3],
                action=r[4],
                target=r[5],
                target_id=r[6],
                before=None if r[7] is None else json.loads(r[7]),
                after=None if r[8] is None else json.loads(r[8]),
                version=r[9],
            )
            for r in self.conn.execute(
                "SELECT id, doc_id, at, actor, action, target, target_id, before, after, version "
                "FROM audit WHERE doc_id = ? ORDER BY id",
                [doc_id],
            ).fetchall()
        ]

    def stats(self) -> Stats:
        from annotator.store.records import Stats

        by_status = self.count_by_status()
        spans: dict[str, dict[str, int]] = {Layer.MODEL: Counter(), Layer.GOLD: Counter()}
        for layer, label, n in self.conn.execute(
            "SELECT layer, label, COUNT(*) FROM spans GROUP BY layer, label ORDER BY label"
        ).fetchall():
            spans.setdefault(str(layer), Counter())[label] = int(n)
        relations: dict[str, dict[str, int]] = {Layer.MODEL: Counter(), Layer.GOLD: Counter()}
        for layer, label, n in self.conn.execute(
            "SELECT layer, label, COUNT(*) FROM relations GROUP BY layer, label ORDER BY label"
        ).fetchall():
            relations.setdefault(str(layer), Counter())[label] = int(n)
        layers = order_layers([*spans, *relations, *self.layers_present()])
        return Stats(
            sum(by_status.values()),
            by_status,
            spans,
            relations,
            tuple(layers),
            self.reviews_by_status(),
        )
