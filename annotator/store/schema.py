"""The database schema, created and upgraded through sqlite-utils Migrations.

Add a new migration function at the end for every schema change; never edit one
that has shipped. A database that has applied a migration this code does not
know was written by a newer annotator and is refused (see connection.py).
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

MIGRATION_SET = "annotator"
migrations = Migrations(MIGRATION_SET)

_INITIAL = [
    """
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        text TEXT NOT NULL,
        content_hash TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        meta TEXT NOT NULL DEFAULT '{}',
        status TEXT NOT NULL DEFAULT 'todo'
            CHECK (status IN ('todo', 'accepted', 'rejected', 'skipped')),
        version INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX documents_status ON documents (status, id)",
    # Token boundaries and sentence starts, one row per document, each packed as a
    # little-endian int32 array (see codec.py): loading a 1 MB article's 200,000
    # tokens is one row read, not 200,000.
    """
    CREATE TABLE tokens (
        doc_id INTEGER PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
        count INTEGER NOT NULL,
        starts BLOB NOT NULL,
        ends BLOB NOT NULL,
        sentence_starts BLOB NOT NULL
    )
    """,
    """
    CREATE TABLE spans (
        id INTEGER PRIMARY KEY,
        doc_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        layer TEXT NOT NULL CHECK (layer IN ('model', 'gold')),
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        token_start INTEGER NOT NULL,
        token_end INTEGER NOT NULL,
        label TEXT NOT NULL,
        CHECK (start < "end" AND token_start <= token_end)
    )
    """,
    "CREATE INDEX spans_doc_layer ON spans (doc_id, layer, start)",
    "CREATE INDEX spans_label ON spans (layer, label)",
    """
    CREATE TABLE relations (
        id INTEGER PRIMARY KEY,
        doc_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        layer TEXT NOT NULL CHECK (layer IN ('model', 'gold')),
        head INTEGER NOT NULL REFERENCES spans (id),
        child INTEGER NOT NULL REFERENCES spans (id),
        label TEXT NOT NULL
    )
    """,
    "CREATE INDEX relations_doc_layer ON relations (doc_id, layer)",
    "CREATE INDEX relations_head ON relations (head)",
    "CREATE INDEX relations_child ON relations (child)",
    """
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        doc_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        target_id INTEGER,
        before TEXT,
        after TEXT,
        version INTEGER NOT NULL
    )
    """,
    "CREATE INDEX audit_doc ON audit (doc_id, id)",
    """
    CREATE TABLE labels (
        kind TEXT NOT NULL CHECK (kind IN ('entity', 'relation')),
        name TEXT NOT NULL,
        color TEXT NOT NULL,
        hotkey TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        position INTEGER NOT NULL,
        PRIMARY KEY (kind, name)
    )
    """,
]


@migrations()
def m001_initial(db: Database) -> None:
    for statement in _INITIAL:
        db.execute(statement)


@migrations()
def m002_relation_label_constraints(db: Database) -> None:
    """Relation labels carry the entity labels allowed for each argument and a direction."""
    db.execute("ALTER TABLE labels ADD COLUMN head_types TEXT NOT NULL DEFAULT '[]'")
    db.execute("ALTER TABLE labels ADD COLUMN child_types TEXT NOT NULL DEFAULT '[]'")
    db.execute("ALTER TABLE labels ADD COLUMN directed INTEGER NOT NULL DEFAULT 1")


def known_migration_names() -> list[str]:
    return [m.name for m in migrations.pending(Database(memory=True))]
