"""Adjudication's writes to a team database: the ``final`` layer seeded with what
the reviewers agree on, and each choice (a reviewer's version of a disagreement,
or all of them) with the spans or relations it changed, in one audited
transaction.

annotator/adjudication/ decides what to write; this is the SQL.

Choices are keyed by characters: a span disagreement by its region (table
``adjudication``: ``start``, ``end``); a relation disagreement by its two spans'
characters, in text order (table ``adjudication_relations``: ``first_start``,
``first_end``, ``second_start``, ``second_end``)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from annotator.model import Layer, Relation, Span
from annotator.store.base import insert_span_row, relation_json, span_json, utc_now
from annotator.store.edits import Change, EditsMixin
from annotator.store.errors import InvalidEditError

SEED_ACTION = "seed"
ADJUDICATE_ACTION = "adjudicate"
UNDO_ACTION = "unadjudicate"

_SpanKey = tuple[int, int, str]
_RelationKey = tuple[_SpanKey, _SpanKey, str]
_Pair = tuple[tuple[int, int], tuple[int, int]]  # two spans' characters, in text order
RELATIONS_TARGET = "relations"  # the audit target of a relation choice
_PAIR_COLUMNS = ("first_start", "first_end", "second_start", "second_end")


class AdjudicationMixin(EditsMixin):
    def final_seeded(self, doc_id: int) -> bool:
        """Whether the document's final layer was seeded (on its first visit)."""
        row = self.conn.execute(
            "SELECT 1 FROM audit WHERE doc_id = ? AND action = ? AND target = ? LIMIT 1",
            [doc_id, SEED_ACTION, Layer.FINAL.value],
        ).fetchone()
        return row is not None

    def final_seed(self, doc_id: int) -> frozenset[_SpanKey] | None:
        """The spans (start, end, label) the document's final layer was seeded with,
        from its ``seed`` audit row; None if it was not seeded yet."""
        row = self.conn.execute(
            "SELECT after FROM audit WHERE doc_id = ? AND action = ? AND target = ? "
            "ORDER BY id LIMIT 1",
            [doc_id, SEED_ACTION, Layer.FINAL.value],
        ).fetchone()
        if row is None:
            return None
        spans = json.loads(row[0] or "{}").get("spans", [])
        return frozenset((int(a), int(b), str(label)) for a, b, label in spans)

    def seed_final(
        self,
        doc_id: int,
        version: int,
        spans: Sequence[Span],
        relations: Sequence[_RelationKey],
    ) -> int | None:
        """Put ``spans`` and the relations between them (by their spans' offsets
        and labels) in the empty final layer, with one ``seed`` audit row, in one
        transaction; returns the new version, or None if it was seeded already."""
        with self._transaction("seed the final layer"):
            if self.final_seeded(doc_id):
                return None
            new_version = self._bump_version(doc_id, version)
            ids: dict[_SpanKey, int] = {}
            for span in spans:
                key = (span.start, span.end, span.label)
                ids[key] = insert_span_row(
                    self.db,
                    doc_id,
                    Layer.FINAL.value,
                    Span(span.start, span.end, span.token_start, span.token_end, span.label),
                )
            kept = [(h, c, label) for h, c, label in relations if h in ids and c in ids]
            self.db.conn.executemany(
                "INSERT INTO relations (doc_id, layer, head, child, label) VALUES (?, ?, ?, ?, ?)",
                [(doc_id, Layer.FINAL.value, ids[h], ids[c], label) for h, c, label in kept],
            )
            self._audit(
                doc_id,
                new_version,
                SEED_ACTION,
                Layer.FINAL.value,
                doc_id,
                after={
                    "spans": [list(key) for key in ids],
                    "relations": [[list(h), list(c), label] for h, c, label in kept],
                },
            )
        return new_version

    def settled_regions(self, doc_id: int) -> dict[tuple[int, int], str]:
        """The span disagreements a choice was recorded for: (start, end) -> choice."""
        return {
            (int(start), int(end)): str(choice)
            for start, end, choice in self.conn.execute(
                'SELECT start, "end", choice FROM adjudication WHERE doc_id = ?',
                [doc_id],
            )
        }

    def settled_pairs(self, doc_id: int) -> dict[_Pair, str]:
        """The relation disagreements a choice was recorded for: the two spans'
        characters -> choice."""
        return {
            ((int(a), int(b)), (int(c), int(d))): str(choice)
            for a, b, c, d, choice in self.conn.execute(
                f"SELECT {', '.join(_PAIR_COLUMNS)}, choice FROM adjudication_relations "
                "WHERE doc_id = ?",
                [doc_id],
            )
        }

    def settle_relations(
        self,
        doc_id: int,
        version: int,
        pair: _Pair,
        choice: str,
        remove: Sequence[int],
        add: Sequence[Relation],
    ) -> Change:
        """In one transaction: delete the final relations ``remove``, add ``add``
        (head and child: final span ids; ids they carry are kept), record ``choice``
        for the relation disagreement between the spans at ``pair``, and audit it
        all (a row per relation, and an ``adjudicate`` row naming the spans)."""
        self._require_final()
        with self._transaction("settle a relation disagreement"):
            new_version = self._bump_version(doc_id, version)
            removed, added = self._swap_relations(doc_id, new_version, remove, add)
            before = self.settled_pairs(doc_id).get(pair)
            self.db.execute(
                f"INSERT OR REPLACE INTO adjudication_relations (doc_id, "
                f"{', '.join(_PAIR_COLUMNS)}, choice, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [doc_id, *pair[0], *pair[1], choice, self.actor, utc_now()],
            )
            where = {"first": list(pair[0]), "second": list(pair[1])}
            self._audit(
                doc_id,
                new_version,
                ADJUDICATE_ACTION,
                RELATIONS_TARGET,
                None,
                before=None if before is None else {**where, "choice": before},
                after={
                    **where,
                    "choice": choice,
                    "relations": [self._relation_by_spans(doc_id, r) for r in added],
                    "removed": [self._relation_by_spans(doc_id, r) for r in removed],
                },
            )
        return Change(new_version, removed_relations=removed, added_relations=added)

    def unsettle_relations(
        self,
        doc_id: int,
        version: int,
        pair: _Pair,
        remove: Sequence[int],
        add: Sequence[Relation],
    ) -> Change:
        """Undo a relation choice: the relations it added out, those it removed back
        (with their ids), the choice forgotten; audited, in one transaction."""
        self._require_final()
        with self._transaction("undo a relation choice"):
            new_version = self._bump_version(doc_id, version)
            removed, added = self._swap_relations(doc_id, new_version, remove, add)
            before = self.settled_pairs(doc_id).get(pair)
            self.db.execute(
                "DELETE FROM adjudication_relations WHERE doc_id = ? AND "
                + " AND ".join(f"{column} = ?" for column in _PAIR_COLUMNS),
                [doc_id, *pair[0], *pair[1]],
            )
            self._audit(
                doc_id,
                new_version,
                UNDO_ACTION,
                RELATIONS_TARGET,
                None,
                before={"first": list(pair[0]), "second": list(pair[1]), "choice": before},
            )
        return Change(new_version, removed_relations=removed, added_relations=added)

    def _swap_relations(
        self, doc_id: int, version: int, remove: Sequence[int], add: Sequence[Relation]
    ) -> tuple[tuple[Relation, ...], tuple[Relation, ...]]:
        """Delete and insert final relations, each with its audit row."""
        removed = []
        for relation_id in remove:
            relation = self._gold_relation(doc_id, relation_id)
            self.db.execute("DELETE FROM relations WHERE id = ?", [relation_id])
            self._audit(
                doc_id, version, "delete", "relation", relation_id, before=relation_json(relation)
            )
            removed.append(relation)
        added = []
        for relation in add:
            self._gold_span(doc_id, relation.head)
            self._gold_span(doc_id, relation.child)
            inserted = self._insert_relation(doc_id, relation)
            self._audit(
                doc_id, version, "add", "relation", inserted.id, after=relation_json(inserted)
            )
            added.append(inserted)
        return tuple(removed), tuple(added)

    def _relation_by_spans(self, doc_id: int, relation: Relation) -> list[object]:
        """A relation as [head [start, end, label], child [...], label], for the audit."""
        head, child = (
            self._gold_span(doc_id, relation.head),
            self._gold_span(doc_id, relation.child),
        )
        return [
            [head.start, head.end, head.label],
            [child.start, child.end, child.label],
            relation.label,
        ]

    def _span_ids(self, doc_id: int, keys: set[_SpanKey]) -> dict[_SpanKey, int]:
        """The ids of the final spans at these (start, end, label), found through the
        (doc_id, layer, start) index: a take with relations read all 10,000 spans of
        the 1 MB article for two of them (17 ms)."""
        found: dict[_SpanKey, int] = {}
        for start, end, label in keys:
            row = self.db.execute(
                'SELECT id FROM spans WHERE doc_id = ? AND layer = ? AND start = ? AND "end" = ? '
                "AND label = ?",
                [doc_id, self.edit_layer, start, end, label],
            ).fetchone()
            if row is not None:
                found[(start, end, label)] = int(row[0])
        return found

    def settle(
        self,
        doc_id: int,
        version: int,
        region: tuple[int, int],
        choice: str,
        remove: Sequence[int],
        add: Sequence[Span],
        relations: Sequence[Relation] = (),
        relation_keys: Sequence[_RelationKey] = (),
    ) -> Change:
        """In one transaction: delete the final spans ``remove`` (with their
        relations), add ``add`` (keeping ids they carry) and ``relations`` (head and
        child: span ids) or the relations ``relation_keys`` (by the offsets and
        labels of their spans, once ``add`` is in), record ``choice`` for the
        disagreement at ``region``, and audit all of it."""
        self._require_final()
        with self._transaction("settle a disagreement"):
            change = self._replace(doc_id, version, remove, add, (), ())
            by_key = self._span_ids(doc_id, {k for h, c, _ in relation_keys for k in (h, c)})
            wanted = list(relations) + [
                Relation(by_key[h], by_key[c], label)
                for h, c, label in relation_keys
                if h in by_key and c in by_key
            ]
            added_relations = tuple(self._insert_relation(doc_id, r) for r in wanted)
            for relation in added_relations:
                self._audit(
                    doc_id,
                    change.version,
                    "add",
                    "relation",
                    relation.id,
                    after=relation_json(relation),
                )
            before = self.settled_regions(doc_id).get(region)
            self.db.execute(
                'INSERT OR REPLACE INTO adjudication (doc_id, start, "end", choice, actor, at) '
                "VALUES (?, ?, ?, ?, ?, ?)",
                [doc_id, region[0], region[1], choice, self.actor, utc_now()],
            )
            self._audit(
                doc_id,
                change.version,
                ADJUDICATE_ACTION,
                "disagreement",
                None,
                before=None
                if before is None
                else {"start": region[0], "end": region[1], "choice": before},
                after={
                    "start": region[0],
                    "end": region[1],
                    "choice": choice,
                    "spans": [span_json(s) for s in change.added_spans],
                    "removed": [span_json(s) for s in change.removed_spans],
                },
            )
        return Change(
            change.version,
            None,
            None,
            change.removed_spans,
            change.removed_relations,
            change.added_spans,
            added_relations,
        )

    def unsettle(
        self,
        doc_id: int,
        version: int,
        region: tuple[int, int],
        remove: Sequence[int],
        add: Sequence[Span],
        relations: Sequence[Relation] = (),
    ) -> Change:
        """Undo a choice: the spans it added out, those it removed back (with their
        ids and relations), the choice forgotten; audited, in one transaction."""
        self._require_final()
        with self._transaction("undo a choice"):
            change = self._replace(doc_id, version, remove, add, relations, ())
            before = self.settled_regions(doc_id).get(region)
            self.db.execute(
                'DELETE FROM adjudication WHERE doc_id = ? AND start = ? AND "end" = ?',
                [doc_id, region[0], region[1]],
            )
            self._audit(
                doc_id,
                change.version,
                UNDO_ACTION,
                "disagreement",
                None,
                before={"start": region[0], "end": region[1], "choice": before},
            )
        return change

    def _require_final(self) -> None:
        if self.edit_layer != Layer.FINAL:
            raise InvalidEditError(
                "Disagreements are settled in the final layer: open the team database "
                "for adjudication (annotator adjudicate TEAM.db)."
            )
