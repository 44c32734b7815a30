"""The ``models`` table: the pipelines ``annotator train`` made from this database.

Functions over an open store rather than a mixin: a model is recorded once per
training, outside any document's edit, and read by ``stats`` and by ``train``
itself (to find the folder of a pipeline that pre-annotated documents)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from annotator.model import Status
from annotator.store.base import StoreBase, utc_now


@dataclass(frozen=True, slots=True)
class NewModel:
    """A trained pipeline about to be recorded."""

    path: str  # the pipeline folder, absolute
    name: str  # its identity as imported documents store it (meta "pipeline")
    base: str  # what it was trained from: a package, a folder or blank:LANG
    documents: int
    train_documents: int
    dev_documents: int
    statuses: tuple[str, ...]  # the statuses of the documents it learnt from
    steps: int  # training steps run
    labels: tuple[str, ...] = ()  # the entity labels its NER predicts
    scores: dict[str, object] = field(default_factory=dict)  # on the dev documents
    interrupted: bool = False  # stopped by Ctrl+C: the best model until then
    # documents not reviewed that it rehearsed with the base's predictions (--rehearse)
    silver_documents: int = 0


@dataclass(frozen=True, slots=True)
class ModelEntry:
    """A recorded model (``NewModel`` plus its id, when and by whom)."""

    id: int
    created_at: str
    actor: str
    model: NewModel


_COLUMNS = (
    "id, created_at, actor, path, name, base, documents, train_documents, dev_documents, "
    "statuses, steps, labels, scores, interrupted, silver_documents"
)


def record_model(store: StoreBase, model: NewModel) -> int:
    """Add ``model`` to the models table; returns its id."""
    with store._transaction("record a trained model"):
        cursor = store.db.execute(
            f"INSERT INTO models ({_COLUMNS.removeprefix('id, ')}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                utc_now(),
                store.actor,
                model.path,
                model.name,
                model.base,
                model.documents,
                model.train_documents,
                model.dev_documents,
                json.dumps(list(model.statuses)),
                model.steps,
                json.dumps(list(model.labels), ensure_ascii=False),
                json.dumps(model.scores, ensure_ascii=False),
                int(model.interrupted),
                model.silver_documents,
            ],
        )
    return int(cursor.lastrowid or 0)


def list_models(store: StoreBase) -> list[ModelEntry]:
    """Every recorded model, oldest first."""
    entries = []
    for row in store.conn.execute(f"SELECT {_COLUMNS} FROM models ORDER BY id").fetchall():
        (model_id, created_at, actor, path, name, base, docs, train, dev) = row[:9]
        statuses, steps, labels, scores, interrupted, silver = row[9:]
        model = NewModel(
            path=path,
            name=name,
            base=base,
            documents=int(docs),
            train_documents=int(train),
            dev_documents=int(dev),
            statuses=tuple(json.loads(statuses)),
            steps=int(steps),
            labels=tuple(json.loads(labels)),
            scores=json.loads(scores),
            interrupted=bool(interrupted),
            silver_documents=int(silver),
        )
        entries.append(ModelEntry(int(model_id), str(created_at), str(actor), model))
    return entries


def pipelines_of(store: StoreBase, statuses: Sequence[Status]) -> Counter[str]:
    """How many documents with ``statuses`` each pipeline pre-annotated (their meta
    ``pipeline``; "" for documents that do not say)."""
    marks = ",".join("?" * len(statuses))
    counts: Counter[str] = Counter()
    for name, n in store.conn.execute(
        "SELECT json_extract(meta, '$.pipeline'), COUNT(*) FROM documents "
        f"WHERE status IN ({marks}) GROUP BY 1",
        [s.value for s in statuses],
    ).fetchall():
        counts[name if isinstance(name, str) else ""] += int(n)
    return counts
