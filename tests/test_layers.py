"""Layers beyond model and gold: ``final`` and ``reviewer:NAME`` (migration m008),
and a store that edits another layer than gold (adjudication edits ``final``)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from helpers import whitespace_document
from sqlite_utils import Database

from annotator.model import Layer, Span, is_layer_name, layer_reviewer, reviewer_layer
from annotator.store import InvalidEditError, NotFoundError, Store
from annotator.store.schema import migrations

TEXT = "Blinken met Mirzoyan in Armenia on Tuesday"
ENTITIES = {"Blinken": "PERSON", "Mirzoyan": "PERSON", "Armenia": "GPE"}


def _old_database(path: Path, *, extra_column: bool) -> None:
    """A database at the schema before m008, with two layers of spans, relations,
    a deleted span's id in the audit (so its id sequence is ahead of its rows),
    the relations.rule column when m007 made it, and with ``extra_column`` one
    more column of each table, as another step before this one may add."""
    old = Database(path)
    migrations.apply(old, stop_before="m008_reviewer_layers")
    conn = old.conn
    if extra_column:
        conn.execute("ALTER TABLE spans ADD COLUMN note TEXT DEFAULT 'n'")
        conn.execute("ALTER TABLE relations ADD COLUMN note TEXT")
    now = "2026-01-01T00:00:00.000+00:00"
    conn.execute(
        "INSERT INTO documents (id, content_hash, title, meta, status, version, created_at, "
        "updated_at, text_length) VALUES (1, 'h', 't', '{}', 'accepted', 3, ?, ?, ?)",
        [now, now, len(TEXT)],
    )
    conn.execute("INSERT INTO document_texts (doc_id, text) VALUES (1, ?)", [TEXT])
    for span_id, layer, start, end, label in (
        (1, "model", 0, 7, "PERSON"),
        (2, "model", 12, 20, "PERSON"),
        (3, "gold", 0, 7, "PERSON"),
        (4, "gold", 12, 20, "GPE"),
    ):
        conn.execute(
            'INSERT INTO spans (id, doc_id, layer, start, "end", token_start, token_end, label) '
            "VALUES (?, 1, ?, ?, ?, 0, 0, ?)",
            [span_id, layer, start, end, label],
        )
    columns = "id, doc_id, layer, head, child, label" + (", note" if extra_column else "")
    values = "?, 1, ?, ?, ?, ?" + (", 'kept'" if extra_column else "")
    conn.execute(f"INSERT INTO relations ({columns}) VALUES ({values})", [1, "model", 1, 2, "MET"])
    conn.execute(f"INSERT INTO relations ({columns}) VALUES ({values})", [2, "gold", 3, 4, "MET"])
    if "rule" in {c[1] for c in conn.execute("PRAGMA table_info(relations)")}:  # m007
        conn.execute("UPDATE relations SET rule = 'role_of' WHERE id = 1")
    conn.execute(
        "INSERT INTO audit (doc_id, at, actor, action, target, target_id, version) "
        "VALUES (1, ?, 'ana', 'delete', 'span', 9, 2)",
        [now],
    )
    conn.execute("UPDATE sqlite_sequence SET seq = 9 WHERE name = 'spans'")
    conn.commit()
    old.close()


def _rows(conn: sqlite3.Connection, table: str) -> list[tuple[object, ...]]:
    return conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()


def _indexes(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    return conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('spans', 'relations') ORDER BY name"
    ).fetchall()


@pytest.mark.parametrize("extra_column", [False, True], ids=["as-made", "extra-column"])
def test_m008_keeps_rows_columns_indexes_and_id_sequences(
    tmp_path: Path, extra_column: bool
) -> None:
    path = tmp_path / "old.db"
    _old_database(path, extra_column=extra_column)
    before = sqlite3.connect(path)
    spans, relations, indexes = _rows(before, "spans"), _rows(before, "relations"), _indexes(before)
    before.close()
    with pytest.raises(sqlite3.IntegrityError):  # the old CHECK
        _insert_span(path, "final")

    Store.open(path, actor="t").close()

    after = sqlite3.connect(path)
    assert _rows(after, "spans") == spans
    assert _rows(after, "relations") == relations  # every column, m007's rule among them
    assert _indexes(after) == indexes
    assert dict(after.execute("SELECT name, seq FROM sqlite_sequence").fetchall())["spans"] == 9
    assert after.execute("PRAGMA foreign_key_check").fetchall() == []
    after.close()
    for layer in ("final", "reviewer:ana", "reviewer:Ana María"):
        _insert_span(path, layer)
    for layer in ("bogus", "reviewer:", "Final", "GOLD"):
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            _insert_span(path, layer)
    with Store.open(path, actor="t") as store:  # a new span gets an id never used before
        assert store.db.execute("SELECT MIN(id) FROM spans WHERE layer = 'final'").fetchone()[0] > 9
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):  # still enforced
            store.db.execute(
                "INSERT INTO relations (doc_id, layer, head, child, label) "
                "VALUES (1, 'final', 1, 999, 'MET')"
            )


def _insert_span(path: Path, layer: str) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(
            'INSERT INTO spans (doc_id, layer, start, "end", token_start, token_end, label) '
            "VALUES (1, ?, 24, 31, 4, 4, 'GPE')",
            [layer],
        )
        conn.commit()
    finally:
        conn.close()


def test_m008_is_idempotent_when_rerun(tmp_path: Path) -> None:
    """A process killed after the step's commit but before sqlite-utils recorded it
    runs it again on the next open; it then finds the tables already rebuilt."""
    path = tmp_path / "old.db"
    _old_database(path, extra_column=True)
    Store.open(path, actor="t").close()
    db = Database(path)
    schema = db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm008_reviewer_layers'")
    db.conn.commit()
    db.close()
    Store.open(path, actor="t").close()
    db = Database(path)
    assert db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == schema
    db.close()


def test_layer_names() -> None:
    assert reviewer_layer("ana") == "reviewer:ana"
    assert layer_reviewer("reviewer:ana") == "ana" and layer_reviewer("gold") is None
    for good in ("model", "gold", "final", "reviewer:ana", "reviewer:Ana María"):
        assert is_layer_name(good), good
    for bad in ("", "bogus", "reviewer:", "reviewer: ana", "reviewer:a\tb", "Final"):
        assert not is_layer_name(bad), bad


# ---- a store editing another layer ---------------------------------------------


@pytest.fixture
def doc_id(store: Store) -> int:
    [new_id] = store.add_documents([whitespace_document(TEXT, ENTITIES)])
    assert new_id is not None
    return new_id


def _layer(store: Store, doc_id: int, layer: str) -> list[tuple[str, str]]:
    return [(TEXT[s.start : s.end], s.label) for s in store.annotations(doc_id, layer).spans]


def test_the_store_edits_the_final_layer_and_leaves_gold_alone(store: Store, doc_id: int) -> None:
    gold = _layer(store, doc_id, Layer.GOLD)
    store.edit_layer = Layer.FINAL
    version = store.document_version(doc_id)
    version = store.reset_gold(doc_id, version).version  # final := a copy of the model
    assert _layer(store, doc_id, Layer.FINAL) == gold
    doc = store.load_document(doc_id)
    assert doc.edited == "final" and doc.layer("final") == doc.gold
    blinken, _, armenia = doc.gold.spans
    version = store.relabel_span(doc_id, version, armenia.id or 0, "LOC").version
    added = store.add_span(doc_id, version, Span(35, 42, 6, 6, "DATE"))
    assert added.span is not None
    version = added.version
    assert ("Tuesday", "DATE") in _layer(store, doc_id, Layer.FINAL)
    assert ("Armenia", "LOC") in _layer(store, doc_id, Layer.FINAL)
    # relations between final spans; a gold span is not a final span
    mirzoyan = next(s for s in store.annotations(doc_id, "final").spans if s.start == 12)
    relation = store.add_relation(doc_id, version, blinken.id or 0, mirzoyan.id or 0, "PER-SOC")
    assert relation.relation in store.annotations(doc_id, Layer.FINAL).relations
    gold_span = store.annotations(doc_id, Layer.GOLD).spans[0]
    with pytest.raises(NotFoundError, match="no final span"):
        store.delete_span(doc_id, relation.version, gold_span.id or 0)
    # the overlap rule is per layer: gold's spans do not block a final span
    store.edit_layer = Layer.GOLD
    assert _layer(store, doc_id, Layer.GOLD) == gold
    assert store.document_summary(doc_id).gold_spans == len(gold)
    actions = [(e.action, e.target) for e in store.audit_log(doc_id)]
    assert actions[-4:] == [
        ("reset", "document"),
        ("relabel", "span"),
        ("add", "span"),
        ("add", "relation"),
    ]


def test_the_edit_layer_is_never_the_model_layer(store: Store) -> None:
    for bad in ("model", "bogus", "reviewer:"):
        with pytest.raises(ValueError, match="not a layer that can be edited"):
            store.edit_layer = bad
    assert store.edit_layer == "gold"


def test_overlap_is_checked_within_the_edit_layer(store: Store, doc_id: int) -> None:
    store.edit_layer = Layer.FINAL
    version = store.add_span(doc_id, store.document_version(doc_id), Span(0, 7, 0, 0, "ORG"))
    with pytest.raises(InvalidEditError, match=r"overlaps ORG 0\.\.7"):
        store.add_span(doc_id, version.version, Span(0, 11, 0, 1, "PERSON"))


def test_stats_list_every_layer(store: Store, doc_id: int) -> None:
    store.edit_layer = "reviewer:ana"
    store.add_span(doc_id, store.document_version(doc_id), Span(35, 42, 6, 6, "DATE"))
    stats = store.stats()
    assert stats.spans_by_label["reviewer:ana"] == {"DATE": 1}
    assert stats.spans_by_label[Layer.MODEL]["PERSON"] == 2
    assert store.layer_names() == ["gold", "model", "reviewer:ana"]
