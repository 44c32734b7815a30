"""Re-annotation: replace a document's model layer with a new pipeline's predictions.

One transaction per document: the version is advanced, the model layer is
replaced, the gold layer too when no reviewer has touched it, the document's
meta records the pipeline, and one ``reannotate`` audit row says what happened.

"Untouched" (the gold layer may be replaced): the document's status is
``todo`` and its gold layer equals its old model layer, compared as sets of
(start, end, label) spans and of (head span, child span, label) relations,
whatever the span ids. A reviewer's edits that changed nothing in the end
(added then deleted a span) count as untouched; any status decision (accepted,
rejected, skipped) counts as touched, even with gold equal to model, because
the reviewer confirmed that gold. A touched gold layer is never changed.

The audit row's ``before`` keeps the old model layer (and the old gold layer
when it was replaced), so nothing re-annotation removes is lost.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from annotator.model import MODEL_LAYER_KEY, Relation, Span, Status
from annotator.store.base import insert_span_row, relation_json, span_json
from annotator.store.codec import pack_pos
from annotator.store.edits import copy_model_to_gold
from annotator.store.errors import NotFoundError
from annotator.store.ingest import IngestMixin
from annotator.store.rows import select_relations, select_spans

if TYPE_CHECKING:
    from annotator.store.records import Candidate, Reannotated


REANNOTATE_ACTION = "reannotate"
PIPELINE_KEY = "pipeline"  # the meta key the importer writes too
SOURCE_KEY = "pipeline_source"  # what --model named (package, folder, blank:LANG)

_SpanKey = tuple[int, int, str]


class ReannotationMixin(IngestMixin):
    def reannotation_candidates(self, statuses: Sequence[Status]) -> list[Candidate]:
        """The documents with one of ``statuses``, in id order, with their pipeline."""
        from annotator.store.records import Candidate

        if not statuses:
            return []
        marks = ",".join("?" * len(statuses))
        rows = self.conn.execute(
            f"SELECT id, status, meta FROM documents WHERE status IN ({marks}) ORDER BY id",
            [s.value for s in statuses],
        ).fetchall()
        found = []
        for doc_id, status, meta_json in rows:
            meta = json.loads(meta_json) if meta_json else {}
            meta = meta if isinstance(meta, dict) else {}
            pipeline, source = meta.get(PIPELINE_KEY), meta.get(SOURCE_KEY)
            found.append(
                Candidate(
                    int(doc_id),
                    Status(status),
                    pipeline if isinstance(pipeline, str) else None,
                    source if isinstance(source, str) else None,
                )
            )
        return found

    def reannotate(
        self,
        doc_id: int,
        spans: Sequence[Span],
        relations: Sequence[Relation],
        pipeline: str,
        source: str,
        pos: Sequence[str] = (),
        version: int | None = None,
    ) -> Reannotated:
        """Replace the model layer of ``doc_id`` with ``spans`` and ``relations``
        (relations index into ``spans``), and its gold layer with a copy when no
        reviewer touched it (see the module's doc), in one audited transaction.

        The decision is taken inside the transaction, on the layers as they are
        then. ``version``: the version the caller saw (a ConflictError if the
        document moved on); None takes the current one. ``pos``: the new
        pipeline's tags of the stored tokens, stored when given."""
        from annotator.store.records import Reannotated

        with self._transaction(REANNOTATE_ACTION):
            row = self.db.execute(
                "SELECT version, status, meta FROM documents WHERE id = ?", [doc_id]
            ).fetchone()
            if row is None:
                raise NotFoundError(f"Document {doc_id} does not exist in {self.path}.")
            new_version = self._bump_version(doc_id, int(row[0]) if version is None else version)
            meta = json.loads(row[2]) if row[2] else {}
            old_model = self._layer(doc_id, "model")
            old_gold = self._layer(doc_id, "gold")
            untouched = Status(row[1]) is Status.TODO and _same(old_model, old_gold)
            self._add_missing_labels({s.label for s in spans}, {r.label for r in relations})
            self._clear_layer(doc_id, "model")
            ids = [
                insert_span_row(self.db, doc_id, "model", replace(span, id=None)) for span in spans
            ]
            self.db.conn.executemany(
                "INSERT INTO relations (doc_id, layer, head, child, label, rule) "
                "VALUES (?, 'model', ?, ?, ?, ?)",
                [(doc_id, ids[r.head], ids[r.child], r.label, r.rule) for r in relations],
            )
            if untouched:
                self._clear_layer(doc_id, "gold")
                copy_model_to_gold(self, doc_id)
            if pos:
                self.db.execute(
                    "UPDATE tokens SET pos = ? WHERE doc_id = ? AND count = ?",
                    [pack_pos(tuple(pos)), doc_id, len(pos)],
                )
            old_pipeline = meta.get(PIPELINE_KEY) if isinstance(meta, dict) else None
            meta = {**(meta if isinstance(meta, dict) else {}), PIPELINE_KEY: pipeline}
            meta.pop(MODEL_LAYER_KEY, None)  # the model layer is this pipeline's now
            meta[SOURCE_KEY] = source
            self.db.execute(
                "UPDATE documents SET meta = ? WHERE id = ?",
                [json.dumps(meta, ensure_ascii=False), doc_id],
            )
            before: dict[str, object] = {
                "pipeline": old_pipeline,
                "model": _layer_json(old_model),
            }
            if untouched:
                before["gold"] = _layer_json(old_gold)
            self._audit(
                doc_id,
                new_version,
                REANNOTATE_ACTION,
                "document",
                doc_id,
                before=before,
                after={
                    "pipeline": pipeline,
                    "source": source,
                    "model_spans": [len(old_model[0]), len(spans)],
                    "model_relations": [len(old_model[1]), len(relations)],
                    "gold": "replaced" if untouched else "kept",
                },
            )
        return Reannotated(
            doc_id,
            new_version,
            untouched,
            (len(old_model[0]), len(spans)),
            (len(old_model[1]), len(relations)),
        )

    def _layer(self, doc_id: int, layer: str) -> tuple[list[Span], list[Relation]]:
        where = "doc_id = ? AND layer = ?"
        return (
            select_spans(self.conn, where, [doc_id, layer]),
            select_relations(self.conn, where, [doc_id, layer]),
        )

    def _clear_layer(self, doc_id: int, layer: str) -> None:
        self.db.execute("DELETE FROM relations WHERE doc_id = ? AND layer = ?", [doc_id, layer])
        self.db.execute("DELETE FROM spans WHERE doc_id = ? AND layer = ?", [doc_id, layer])


def _keys(
    layer: tuple[list[Span], list[Relation]],
) -> tuple[set[_SpanKey], set[tuple[_SpanKey | None, _SpanKey | None, str]]]:
    spans, relations = layer
    key_of = {s.id: (s.start, s.end, s.label) for s in spans}
    return (
        set(key_of.values()),
        {(key_of.get(r.head), key_of.get(r.child), r.label) for r in relations},
    )


def _same(
    model: tuple[list[Span], list[Relation]], gold: tuple[list[Span], list[Relation]]
) -> bool:
    """Whether two layers hold the same spans and relations, ids aside."""
    same_size = len(model[0]) == len(gold[0]) and len(model[1]) == len(gold[1])
    return same_size and _keys(model) == _keys(gold)


def _layer_json(layer: tuple[list[Span], list[Relation]]) -> dict[str, object]:
    return {
        "spans": [span_json(s) for s in layer[0]],
        "relations": [_with_rule(relation_json(r), r) for r in layer[1]],
    }


def _with_rule(row: dict[str, object], relation: Relation) -> dict[str, object]:
    """A relation's audit JSON with the rule that proposed it, when one did."""
    return {**row, "rule": relation.rule} if relation.rule else row
