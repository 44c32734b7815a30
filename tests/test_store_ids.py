"""Span and relation ids are never reused, so undo can always restore them."""

from __future__ import annotations

import dataclasses
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import whitespace_document
from sqlite_utils import Database

from annotator.model import Label, LabelKind, Layer, Relation, Span
from annotator.store import IdClashError, Store, StoreError
from annotator.store.connection import insert_labels

TEXT_A = "Blinken met Mirzoyan in Armenia on Tuesday"
TEXT_B = "Russia and Azerbaijan signed nothing on Monday"
ENTITIES = {"Blinken": "PERSON", "Mirzoyan": "PERSON", "Armenia": "GPE", "Russia": "GPE"}

# Process B: another window or an import, adding one span to another document.
ADD_SPAN = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from annotator.model import Span
    from annotator.store import Store

    path, doc_id, token = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    with Store.open(path, actor="process-b") as store:
        doc = store.load_document(doc_id)
        start, end = doc.tokens.starts[token], doc.tokens.ends[token]
        change = store.add_span(doc_id, doc.version, Span(start, end, token, token, "ORG"))
        print(change.span.id)
    """
)


def add_span_in_other_process(path: Path, doc_id: int, token: int) -> int:
    done = subprocess.run(
        [sys.executable, "-c", ADD_SPAN, str(path), str(doc_id), str(token)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout.strip())


def assert_healthy(db: Database) -> None:
    assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def table_sql(db: Database, name: str) -> str:
    row = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [name]).fetchone()
    return str(row[0])


def snapshot(db: Database) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the tables an id migration could touch, plus schema details."""
    return {
        "spans": db.execute("SELECT * FROM spans ORDER BY id").fetchall(),
        # the columns of the schema before m007 (which added ``rule``)
        "relations": db.execute(
            "SELECT id, doc_id, layer, head, child, label FROM relations ORDER BY id"
        ).fetchall(),
        "documents": db.execute(
            "SELECT id, content_hash, title, meta, status, version, created_at, updated_at "
            "FROM documents ORDER BY id"
        ).fetchall(),
        "audit": db.execute("SELECT * FROM audit ORDER BY id").fetchall(),
        "indexes": db.execute(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' "
            "AND sql IS NOT NULL AND tbl_name IN ('spans', 'relations', 'documents', 'audit') "
            "ORDER BY name"
        ).fetchall(),
        "spans_fks": db.execute("PRAGMA foreign_key_list(spans)").fetchall(),
        "relations_fks": db.execute("PRAGMA foreign_key_list(relations)").fetchall(),
    }


@pytest.fixture
def two_docs(store: Store) -> tuple[int, int]:
    """Document B first, then document A, so A's gold spans have the highest ids."""
    insert_labels(store.db, [Label("MET", LabelKind.RELATION, "#aabbcc")])
    doc_b, doc_a = store.add_documents(
        [whitespace_document(TEXT_B, ENTITIES), whitespace_document(TEXT_A, ENTITIES)]
    )
    assert doc_a is not None and doc_b is not None
    return doc_a, doc_b


def delete_highest_span(store: Store, doc_id: int) -> tuple[int, Span, tuple[Relation, ...]]:
    """Relate the document's last two gold spans, delete the last (the table's highest id)."""
    *_, head, child = store.annotations(doc_id, Layer.GOLD).spans
    assert head.id is not None and child.id is not None
    (version,) = store.conn.execute(
        "SELECT version FROM documents WHERE id = ?", [doc_id]
    ).fetchone()
    version = store.add_relation(doc_id, version, head.id, child.id, "MET").version
    highest = store.db.execute("SELECT MAX(id) FROM spans").fetchone()[0]
    assert highest == child.id
    change = store.delete_span(doc_id, version, child.id)
    assert [s.id for s in change.removed_spans] == [highest]
    assert change.removed_relations
    return change.version, change.removed_spans[0], change.removed_relations


@pytest.mark.slow
def test_a_span_deleted_here_keeps_its_id_while_another_process_adds_spans(
    store: Store, db_path: Path, two_docs: tuple[int, int]
):
    doc_a, doc_b = two_docs
    version, removed, removed_relations = delete_highest_span(store, doc_a)

    # Process B adds a span to the other document while this window still
    # holds the deleted span on its undo stack.
    new_id = add_span_in_other_process(db_path, doc_b, token=3)  # "signed"
    assert new_id != removed.id
    assert new_id > removed.id  # type: ignore[operator]

    # Undo in this process: the same store call the window's Ctrl+Z makes.
    change = store.replace_spans(doc_a, version, [], [removed], removed_relations)
    assert [s.id for s in change.added_spans] == [removed.id]
    relations = store.load_document(doc_a).gold.relations
    assert [r.id for r in relations] == [r.id for r in removed_relations]
    assert store.load_document(doc_b).gold.spans[-1].id == new_id
    assert_healthy(store.db)


def test_new_databases_never_reuse_span_or_relation_ids(store: Store):
    assert "AUTOINCREMENT" in table_sql(store.db, "spans").upper()
    assert "AUTOINCREMENT" in table_sql(store.db, "relations").upper()
    assert_healthy(store.db)


def add_documents_the_old_way(store: Store, docs: list) -> list[int]:
    """Documents as the schema before m004 held them: the text in the documents row."""
    ids = []
    with store.db.atomic():
        for doc in docs:
            cursor = store.db.execute(
                "INSERT INTO documents (text, content_hash, title, meta, status, version, "
                "created_at, updated_at) VALUES (?, ?, ?, '{}', 'todo', 1, 'then', 'then')",
                [doc.text, doc.content_hash, doc.title],
            )
            ids.append(int(cursor.lastrowid or 0))
            insert_layers_the_old_way(store, ids[-1], doc)
    return ids


def insert_layers_the_old_way(store: Store, doc_id: int, doc) -> None:
    """Tokens and both layers, in the columns every schema since m001 has (the
    relations without m007's ``rule``)."""
    from annotator.store.base import insert_span_row
    from annotator.store.codec import pack_ints

    store.db.execute(
        "INSERT INTO tokens (doc_id, count, starts, ends, sentence_starts) VALUES (?, ?, ?, ?, ?)",
        [
            doc_id,
            len(doc.tokens),
            pack_ints(doc.tokens.starts),
            pack_ints(doc.tokens.ends),
            pack_ints(doc.sentence_starts),
        ],
    )
    for layer in ("model", "gold"):
        ids = [insert_span_row(store.db, doc_id, layer, span) for span in doc.spans]
        for r in doc.relations:
            store.db.execute(
                "INSERT INTO relations (doc_id, layer, head, child, label) VALUES (?, ?, ?, ?, ?)",
                [doc_id, layer, ids[r.head], ids[r.child], r.label],
            )


def test_a_database_of_the_previous_schema_is_upgraded_keeping_every_row(db_path: Path):
    from annotator.store.schema import migrations

    old = Database(db_path)
    migrations.apply(old, stop_before="m003_autoincrement_ids")
    assert "AUTOINCREMENT" not in table_sql(old, "spans").upper()
    old.execute("PRAGMA foreign_keys = ON")
    insert_labels(old, [Label("PERSON", LabelKind.ENTITY, "#123456")])
    insert_labels(old, [Label("GPE", LabelKind.ENTITY, "#654321")])
    insert_labels(old, [Label("MET", LabelKind.RELATION, "#aabbcc")])
    old_store = Store(old.conn, db_path, "old-version")
    docs = []
    for text in (TEXT_B, TEXT_A):
        doc = whitespace_document(text, ENTITIES)
        n = len(doc.spans)
        relations = (Relation(0, n - 1, "MET"),) if n > 1 else ()
        docs.append(dataclasses.replace(doc, relations=relations))
    doc_b, doc_a = add_documents_the_old_way(old_store, docs)
    # The old schema hands a deleted highest id out again; the audit remembers it.
    # (Today's store, which makes these edits, reads relations.rule: the column is
    # there for them only, and gone again before the upgrade.)
    old.execute("ALTER TABLE relations ADD COLUMN rule TEXT")
    _, removed, _ = delete_highest_span(old_store, doc_a)
    old.execute("ALTER TABLE relations DROP COLUMN rule")
    before = snapshot(old)
    assert before["relations"]
    old.close()

    with Store.open(db_path, actor="new-version") as store:
        db = store.db
        assert "AUTOINCREMENT" in table_sql(db, "spans").upper()
        assert "AUTOINCREMENT" in table_sql(db, "relations").upper()
        assert snapshot(db) == before
        # m004: the texts moved to their own table, each with its length kept
        assert [store.load_document(d).text for d in (doc_b, doc_a)] == [TEXT_B, TEXT_A]
        lengths = db.execute("SELECT text_length FROM documents ORDER BY id").fetchall()
        assert lengths == [(len(TEXT_B),), (len(TEXT_A),)]
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert_healthy(db)
        # Ids are not reused from now on, not even the one deleted before the upgrade.
        doc = store.load_document(doc_b)
        change = store.add_span(doc_b, doc.version, Span(22, 28, 3, 3, "PERSON"))
        assert change.span is not None and change.span.id is not None
        assert change.span.id > removed.id  # type: ignore[operator]
        # Foreign keys still hold: a relation to a missing span is refused, and
        # deleting a document still cascades to its spans and relations.
        with pytest.raises(sqlite3.IntegrityError), db.atomic():
            db.execute(
                "INSERT INTO relations (doc_id, layer, head, child, label) "
                "VALUES (?, 'gold', 999999, 999998, 'MET')",
                [doc_a],
            )
        with db.atomic():
            db.execute("DELETE FROM documents WHERE id = ?", [doc_a])
        left = db.execute("SELECT COUNT(*) FROM spans WHERE doc_id = ?", [doc_a]).fetchone()[0]
        assert left == 0
        assert_healthy(db)

    with Store.open(db_path) as store:  # reopening migrates nothing again
        names = [r[0] for r in store.db.execute("SELECT name FROM _sqlite_migrations")]
        assert names.count("m003_autoincrement_ids") == 1


def test_restoring_a_span_whose_id_is_taken_raises_a_store_error_and_writes_nothing(
    store: Store, two_docs: tuple[int, int]
):
    doc_a, doc_b = two_docs
    version, removed, removed_relations = delete_highest_span(store, doc_a)
    # A writer that ignores AUTOINCREMENT (an old annotator) takes the id.
    with store.db.atomic():
        store.db.execute(
            'INSERT INTO spans (id, doc_id, layer, start, "end", token_start, token_end, label) '
            "VALUES (?, ?, 'gold', 22, 28, 3, 3, 'ORG')",
            [removed.id, doc_b],
        )
    before = snapshot(store.db)

    with pytest.raises(IdClashError) as caught:
        store.replace_spans(doc_a, version, [], [removed], removed_relations)
    assert isinstance(caught.value, StoreError)
    assert not isinstance(caught.value, sqlite3.Error)
    message = str(caught.value)
    assert f"Document {doc_a}" in message and f"span {removed.id}" in message
    assert snapshot(store.db) == before
    assert store.load_document(doc_a).version == version
    assert_healthy(store.db)


def test_restoring_a_relation_whose_id_is_taken_raises_a_store_error_and_writes_nothing(
    store: Store, two_docs: tuple[int, int]
):
    doc_a, doc_b = two_docs
    version, removed, removed_relations = delete_highest_span(store, doc_a)
    relation = removed_relations[-1]
    spans_b = store.load_document(doc_b).gold.spans
    assert len(spans_b) == 1  # "Russia"; relate it to a new span to take the relation id
    with store.db.atomic():
        cursor = store.db.execute(
            'INSERT INTO spans (doc_id, layer, start, "end", token_start, token_end, label) '
            "VALUES (?, 'gold', 22, 28, 3, 3, 'ORG')",
            [doc_b],
        )
        store.db.execute(
            "INSERT INTO relations (id, doc_id, layer, head, child, label) "
            "VALUES (?, ?, 'gold', ?, ?, 'MET')",
            [relation.id, doc_b, spans_b[0].id, cursor.lastrowid],
        )
    before = snapshot(store.db)

    with pytest.raises(IdClashError) as caught:
        store.replace_spans(doc_a, version, [], [removed], removed_relations)
    assert f"relation {relation.id}" in str(caught.value)
    assert snapshot(store.db) == before  # the span restored first was rolled back too
    assert store.load_document(doc_a).version == version
    assert_healthy(store.db)


def test_texts_move_to_their_own_table_with_their_length(db_path: Path):
    """m004: a document's row no longer holds its text; the length is Python's,
    also for a text with a NUL character (where SQL's length() stops)."""
    from annotator.store.schema import migrations

    old = Database(db_path)
    migrations.apply(old, stop_before="m004_text_apart")
    insert_labels(old, [Label("PERSON", LabelKind.ENTITY, "#123456")])
    texts = ["Blinken met\x00 Mirzoyan", TEXT_A]
    ids = add_documents_the_old_way(
        Store(old.conn, db_path, "old"), [whitespace_document(t, ENTITIES) for t in texts]
    )
    old.close()
    with Store.open(db_path) as store:
        assert [store.load_document(i).text for i in ids] == texts
        lengths = [r[0] for r in store.conn.execute("SELECT text_length FROM documents")]
        assert lengths == [len(t) for t in texts]
        columns = [r[1] for r in store.conn.execute("PRAGMA table_info(documents)")]
        assert "text" not in columns
        doc = store.load_document(ids[0])
        span = Span(13, 21, 2, 2, "PERSON")
        change = store.add_span(doc.id, doc.version, span, replace_overlapping=True)
        assert change.span is not None  # an edit past the NUL is accepted
        assert_healthy(store.db)
