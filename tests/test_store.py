from __future__ import annotations

import hashlib
import sqlite3

import pytest
from helpers import whitespace_document
from sqlite_utils import Database

from annotator.model import Label, LabelKind, Layer, Span, Status
from annotator.store import (
    ConflictError,
    InvalidEditError,
    NotADatabaseError,
    NotFoundError,
    SchemaTooNewError,
    Store,
    WriteError,
)
from annotator.store.connection import insert_labels
from annotator.store.schema import known_migration_names

TEXT = "Blinken met Mirzoyan in Armenia on Tuesday"
ENTITIES = {"Blinken": "PERSON", "Mirzoyan": "PERSON", "Armenia": "GPE"}


@pytest.fixture
def doc_id(store: Store) -> int:
    insert_labels(store.db, [Label("MET", LabelKind.RELATION, "#aabbcc")])
    store.db.conn.commit()
    [new_id] = store.add_documents([whitespace_document(TEXT, ENTITIES)])
    assert new_id is not None
    return new_id


def gold(store: Store, doc_id: int) -> list[tuple[str, str]]:
    doc = store.load_document(doc_id)
    return [(TEXT[s.start : s.end], s.label) for s in doc.gold.spans]


def test_new_database_has_schema_pragmas_and_default_labels(store: Store):
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert {"documents", "tokens", "spans", "relations", "audit", "labels"} <= set(
        store.db.table_names()
    )
    names = [label.name for label in store.labels(LabelKind.ENTITY)]
    assert names[:3] == ["PERSON", "ORG", "GPE"]
    assert store.labels(LabelKind.ENTITY)[0].hotkey == "1"


def test_reopening_applies_nothing_twice(db_path):
    Store.open(db_path).close()
    with Store.open(db_path) as store:
        rows = store.db.execute("SELECT COUNT(*) FROM _sqlite_migrations").fetchone()[0]
        assert rows == len(known_migration_names()) >= 7
        assert len(store.labels(LabelKind.ENTITY)) == 18
        assert len(store.labels(LabelKind.RELATION)) == 6


def test_a_database_of_the_first_schema_is_upgraded_in_place(db_path):
    from annotator.store.schema import migrations

    old = Database(db_path)
    migrations.apply(old, stop_before="m002_relation_label_constraints")
    old.execute(
        "INSERT INTO labels (kind, name, color, position) VALUES ('entity', 'PERSON', '#123456', 0)"
    )
    old.conn.commit()
    old.close()
    with Store.open(db_path) as store:
        person = store.labels(LabelKind.ENTITY)[0]
        assert (person.name, person.color) == ("PERSON", "#123456")  # kept as it was
        org_aff = {label.name: label for label in store.labels(LabelKind.RELATION)}["ORG-AFF"]
        assert org_aff.head_types == ("PERSON", "ORG", "GPE")
        assert org_aff.refuses("DATE", "ORG") is not None
        assert org_aff.refuses("PERSON", "ORG") is None


def test_imported_document_has_tokens_and_both_layers(store: Store, doc_id: int):
    doc = store.load_document(doc_id)
    assert doc.text == TEXT
    assert len(doc.tokens) == 7
    assert doc.status is Status.TODO
    assert doc.version == 1
    assert [(s.start, s.end, s.label) for s in doc.model.spans] == [
        (s.start, s.end, s.label) for s in doc.gold.spans
    ]
    assert {s.id for s in doc.model.spans}.isdisjoint({s.id for s in doc.gold.spans})


def test_same_text_is_not_stored_twice(store: Store, doc_id: int):
    assert store.add_documents([whitespace_document(TEXT, ENTITIES)]) == [None]
    assert store.document_ids() == [doc_id]


def test_edits_are_versioned_and_audited(store: Store, doc_id: int):
    doc = store.load_document(doc_id)
    blinken = doc.gold.spans[0]
    v = store.relabel_span(doc_id, doc.version, blinken.id, "ORG").version
    assert v == 2
    v = store.move_span(doc_id, v, blinken.id, 0, 1).version  # "Blinken met"
    added = store.add_span(doc_id, v, Span(35, 42, 6, 6, "DATE"))
    assert gold(store, doc_id) == [
        ("Blinken met", "ORG"),
        ("Mirzoyan", "PERSON"),
        ("Armenia", "GPE"),
        ("Tuesday", "DATE"),
    ]
    v = store.delete_span(doc_id, added.version, added.span.id).version
    v = store.set_status(doc_id, v, Status.ACCEPTED).version
    assert store.load_document(doc_id).status is Status.ACCEPTED
    log = store.audit_log(doc_id)
    assert [(e.action, e.target) for e in log] == [
        ("relabel", "span"),
        ("resize", "span"),
        ("add", "span"),
        ("delete", "span"),
        ("status", "document"),
    ]
    assert log[0].before["label"] == "PERSON" and log[0].after["label"] == "ORG"
    assert log[1].after["end"] == 11
    assert log[3].before["label"] == "DATE"
    assert log[4].before == "todo" and log[4].after == "accepted"
    assert [e.version for e in log] == [2, 3, 4, 5, 6]
    assert {e.actor for e in log} == {"tester"}
    # the model layer is never edited
    model = store.load_document(doc_id).model.spans
    assert [(TEXT[s.start : s.end], s.label) for s in model] == list(ENTITIES.items())


def test_stale_version_is_refused_and_nothing_is_written(store: Store, doc_id: int):
    doc = store.load_document(doc_id)
    store.relabel_span(doc_id, doc.version, doc.gold.spans[0].id, "ORG")
    with pytest.raises(ConflictError, match="changed elsewhere"):
        store.delete_span(doc_id, doc.version, doc.gold.spans[1].id)
    assert len(store.load_document(doc_id).gold.spans) == 3
    assert len(store.audit_log(doc_id)) == 1


def test_second_connection_sees_conflict(db_path, store: Store, doc_id: int):
    other = Store.open(db_path, actor="other")
    mine = store.load_document(doc_id)
    theirs = other.load_document(doc_id)
    other.relabel_span(doc_id, theirs.version, theirs.gold.spans[0].id, "ORG")
    with pytest.raises(ConflictError) as info:
        store.relabel_span(doc_id, mine.version, mine.gold.spans[0].id, "GPE")
    assert (info.value.expected, info.value.actual) == (1, 2)
    assert store.load_document(doc_id).gold.spans[0].label == "ORG"
    other.close()


def test_invalid_spans_are_refused(store: Store, doc_id: int):
    v = store.document_version(doc_id)
    with pytest.raises(InvalidEditError, match=r"overlaps PERSON 0\.\.7"):
        store.add_span(doc_id, v, Span(0, 11, 0, 1, "ORG"))
    with pytest.raises(InvalidEditError, match="align"):
        store.add_span(doc_id, v, Span(1, 7, 0, 0, "ORG"))
    with pytest.raises(InvalidEditError, match="outside the text"):
        store.add_span(doc_id, v, Span(40, 60, 6, 6, "ORG"))
    with pytest.raises(InvalidEditError, match="not a known entity label"):
        store.add_span(doc_id, v, Span(35, 42, 6, 6, "NOPE"))
    spans = store.load_document(doc_id).gold.spans
    with pytest.raises(InvalidEditError, match="overlaps"):
        store.move_span(doc_id, v, spans[0].id, 0, 2)  # into "Mirzoyan"
    with pytest.raises(NotFoundError):
        store.delete_span(doc_id, v, 999_999)
    assert store.document_version(doc_id) == v
    assert store.audit_log(doc_id) == []


def test_add_span_can_replace_overlapping_spans_atomically(store: Store, doc_id: int):
    doc = store.load_document(doc_id)
    blinken, mirzoyan, _ = doc.gold.spans
    v = store.add_relation(doc_id, doc.version, blinken.id, mirzoyan.id, "MET").version
    change = store.add_span(doc_id, v, Span(0, 20, 0, 2, "ORG"), replace_overlapping=True)
    assert [s.id for s in change.removed_spans] == [blinken.id, mirzoyan.id]
    assert len(change.removed_relations) == 1
    assert gold(store, doc_id) == [("Blinken met Mirzoyan", "ORG"), ("Armenia", "GPE")]
    assert store.load_document(doc_id).gold.relations == ()


def test_relations_edit_and_cascade_with_their_span(store: Store, doc_id: int):
    doc = store.load_document(doc_id)
    blinken, mirzoyan, armenia = doc.gold.spans
    c = store.add_relation(doc_id, doc.version, blinken.id, mirzoyan.id, "MET")
    with pytest.raises(InvalidEditError, match="already exists"):
        store.add_relation(doc_id, c.version, blinken.id, mirzoyan.id, "MET")
    with pytest.raises(InvalidEditError, match="itself"):
        store.add_relation(doc_id, c.version, blinken.id, blinken.id, "MET")
    with pytest.raises(InvalidEditError, match="not a known relation label"):
        store.add_relation(doc_id, c.version, blinken.id, armenia.id, "PERSON")
    c2 = store.add_relation(doc_id, c.version, armenia.id, blinken.id, "MET")
    v = store.relabel_relation(doc_id, c2.version, c2.relation.id, "MET").version
    deleted = store.delete_span(doc_id, v, blinken.id)
    assert {r.id for r in deleted.removed_relations} == {c.relation.id, c2.relation.id}
    assert store.load_document(doc_id).gold.relations == ()
    # undo: the span and its relations come back under their old ids
    restored = store.replace_spans(
        doc_id, deleted.version, (), deleted.removed_spans, deleted.removed_relations
    )
    doc = store.load_document(doc_id)
    assert doc.gold.spans[0].id == blinken.id
    assert {r.id for r in doc.gold.relations} == {c.relation.id, c2.relation.id}
    assert restored.version == doc.version
    v = store.delete_relation(doc_id, doc.version, c.relation.id).version
    store.replace_spans(doc_id, v, relations=[c.relation])
    assert len(store.load_document(doc_id).gold.relations) == 2
    assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_relation_argument_types_and_reversal(store: Store, doc_id: int):
    doc = store.load_document(doc_id)
    blinken, mirzoyan, armenia = doc.gold.spans
    with pytest.raises(InvalidEditError, match="GEN-AFF needs a head of PERSON, ORG, not GPE"):
        store.add_relation(doc_id, doc.version, armenia.id, blinken.id, "GEN-AFF")
    with pytest.raises(InvalidEditError, match="PHYS needs a child of GPE, LOC, FAC, not PERSON"):
        store.add_relation(doc_id, doc.version, armenia.id, blinken.id, "PHYS")
    added = store.add_relation(doc_id, doc.version, blinken.id, armenia.id, "PHYS")
    with pytest.raises(InvalidEditError, match="PHYS needs a child of GPE, LOC, FAC, not PERSON"):
        store.reverse_relation(doc_id, added.version, added.relation.id)
    social = store.add_relation(doc_id, added.version, blinken.id, mirzoyan.id, "PER-SOC")
    reversed_ = store.reverse_relation(doc_id, social.version, social.relation.id)
    assert (reversed_.relation.head, reversed_.relation.child) == (mirzoyan.id, blinken.id)
    relabeled = store.relabel_relation(doc_id, reversed_.version, social.relation.id, "MET")
    log = store.audit_log(doc_id)
    assert [e.action for e in log] == ["add", "add", "reverse", "relabel"]
    assert log[2].before["head"] == blinken.id and log[2].after["head"] == mirzoyan.id
    assert relabeled.relation.label == "MET"


def test_reset_gold_copies_the_model_layer_again(store: Store, doc_id: int):
    doc = store.load_document(doc_id)
    v = store.delete_span(doc_id, doc.version, doc.gold.spans[0].id).version
    v = store.relabel_span(doc_id, v, doc.gold.spans[1].id, "ORG").version
    store.reset_gold(doc_id, v)
    assert gold(store, doc_id) == list(ENTITIES.items())
    entry = store.audit_log(doc_id)[-1]
    assert entry.action == "reset"
    assert len(entry.before["spans"]) == 2 and len(entry.after["spans"]) == 3


def test_list_documents_filters_and_counts(store: Store):
    ids = store.add_documents(
        [whitespace_document(f"Armenia number {i}", {"Armenia": "GPE"}) for i in range(5)]
    )
    store.set_status(ids[1], 1, Status.ACCEPTED)
    store.set_status(ids[3], 1, Status.SKIPPED)
    counts = store.count_by_status()
    assert counts[Status.TODO] == 3 and counts[Status.ACCEPTED] == 1
    page = store.list_documents(Status.TODO, offset=1, limit=1)
    assert [d.id for d in page] == [ids[2]]
    assert page[0].gold_spans == 1
    assert page[0].title == "Armenia number 2"
    stats = store.stats()
    assert stats.documents == 5
    assert stats.spans_by_label[Layer.MODEL]["GPE"] == 5
    assert stats.spans_by_label[Layer.GOLD]["GPE"] == 5


def test_unknown_predicted_labels_are_added_with_a_color(store: Store):
    store.add_documents([whitespace_document("Zed is here", {"Zed": "ALIEN"})])
    alien = [label for label in store.labels() if label.name == "ALIEN"]
    assert alien and alien[0].color.startswith("#") and len(alien[0].color) == 7


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_newer_schema_is_refused_and_file_untouched(db_path):
    Store.open(db_path).close()
    db = Database(db_path)
    db["_sqlite_migrations"].insert(
        {"migration_set": "annotator", "name": "m999_future", "applied_at": "2030-01-01"}
    )
    db.conn.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    before = digest(db_path)
    with pytest.raises(SchemaTooNewError, match=r"newer version of annotator.*m999_future"):
        Store.open(db_path)
    assert digest(db_path) == before


def test_other_files_are_refused_clearly(tmp_path):
    junk = tmp_path / "notes.db"
    junk.write_text("hello, this is not sqlite" * 100)
    with pytest.raises(NotADatabaseError, match="not an SQLite database"):
        Store.open(junk)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE photos (id INTEGER)").connection.commit()
    with pytest.raises(NotADatabaseError, match=r"another application.*photos"):
        Store.open(other)
    with pytest.raises(NotADatabaseError, match="folder"):
        Store.open(tmp_path)


def test_read_only_database_refuses_edits_clearly(db_path):
    with Store.open(db_path) as store:
        [doc_id] = store.add_documents([whitespace_document(TEXT, ENTITIES)])
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # query_only is SQLite's read-only switch; it refuses writes even for root,
    # whose file permissions would not.
    store = Store.open(db_path)
    store.db.execute("PRAGMA query_only = ON")
    doc = store.load_document(doc_id)
    with pytest.raises(WriteError, match=r"Could not save \(relabel span\).*read-only"):
        store.relabel_span(doc_id, doc.version, doc.gold.spans[0].id, "ORG")
    assert store.load_document(doc_id).gold.spans[0].label == "PERSON"
    store.close()


def test_locked_database_refuses_edits_clearly(db_path):
    with Store.open(db_path) as store:
        [doc_id] = store.add_documents([whitespace_document(TEXT, ENTITIES)])
    blocker = sqlite3.connect(db_path)
    blocker.execute("BEGIN IMMEDIATE")
    store = Store.open(db_path, busy_timeout_ms=50)
    doc = store.load_document(doc_id)
    with pytest.raises(WriteError, match="kept the database locked"):
        store.relabel_span(doc_id, doc.version, doc.gold.spans[0].id, "ORG")
    blocker.rollback()
    store.relabel_span(doc_id, doc.version, doc.gold.spans[0].id, "ORG")
    store.close()


def test_schema_step_names_match_the_migrations():
    """Opening compares stored steps with versions.MIGRATION_NAMES (no sqlite-utils)."""
    from annotator.store.versions import MIGRATION_NAMES

    assert list(MIGRATION_NAMES) == known_migration_names()


def test_opening_and_reading_do_not_load_sqlite_utils(db_path):
    """Start-up time: sqlite-utils is loaded for writes only (checked in a fresh process)."""
    import subprocess
    import sys

    Store.open(db_path).close()
    code = (
        "import sys; from pathlib import Path; from annotator.store import Store\n"
        f"store = Store.open(Path({str(db_path)!r}))\n"
        "store.labels(); store.document_ids(); store.count_by_status()\n"
        "assert 'sqlite_utils' not in sys.modules, 'loaded by a read'\n"
        "store.prepare_writes()\n"
        "assert 'sqlite_utils' in sys.modules and 'numpy' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_a_refused_database_is_not_switched_to_wal(tmp_path, db_path):
    """Refusing another application's file, or a newer annotator's, changes nothing
    in it, not even its journal mode."""
    other = tmp_path / "photos.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE photos (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(NotADatabaseError):
        Store.open(other)
    assert sqlite3.connect(other).execute("PRAGMA journal_mode").fetchone()[0] == "delete"

    Store.open(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('annotator', 'm999_future', '2030-01-01')"
    )
    conn.commit()
    conn.close()
    before = digest(db_path)
    with pytest.raises(SchemaTooNewError):
        Store.open(db_path)
    assert digest(db_path) == before
    assert sqlite3.connect(db_path).execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_search_ignores_case_beyond_ascii(store):
    """``--search münchen`` finds "MÜNCHEN" (SQLite's lower() knows ASCII only)."""
    from helpers import whitespace_document

    ids = store.add_documents(
        [whitespace_document("Talks in MÜNCHEN today"), whitespace_document("Talks in Paris")]
    )
    assert store.ids_containing(ids, "münchen") == [ids[0]]
    assert store.ids_containing(ids, "STRASSE") == []
    assert store.ids_containing(ids, "talks IN") == ids


def test_a_refused_relabel_names_the_words_after_wide_characters(store: Store) -> None:
    """The refusal quotes the spans' words, read from the database by offset: the
    offsets count characters, as Python's do, however many bytes they take."""
    text = "Zoë\u2019s 🙂 friend Blinken met Mirzoyan"
    entities = {"Zoë\u2019s": "PERSON", "Blinken": "PERSON", "Mirzoyan": "PERSON"}
    rule = Label("MET", LabelKind.RELATION, "#aabbcc", child_types=("PERSON",))
    insert_labels(store.db, [rule])
    store.db.conn.commit()
    [doc_id] = store.add_documents([whitespace_document(text, entities)])
    assert doc_id is not None
    spans = {text[s.start : s.end]: s for s in store.load_document(doc_id).gold.spans}
    version = store.document_version(doc_id)
    version = store.add_relation(
        doc_id, version, spans["Blinken"].id, spans["Mirzoyan"].id, "MET"
    ).version
    with pytest.raises(InvalidEditError) as refused:
        store.relabel_span(doc_id, version, spans["Mirzoyan"].id, "GPE")
    assert str(refused.value).startswith(
        "Not allowed: as GPE, 'Mirzoyan' would break its relation MET "
        "('Blinken' \N{RIGHTWARDS ARROW} 'Mirzoyan'): MET needs a child of PERSON, not GPE."
    )
