"""The database schema, created and upgraded through sqlite-utils Migrations.

Add a new migration function at the end for every schema change; never edit one
that has shipped. A database that has applied a migration this code does not
know was written by a newer annotator and is refused (see connection.py).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable

# isort: off
from annotator.store import _sqlite_utils_lean  # noqa: F401  (sqlite-utils without numpy)
from sqlite_utils import Database, Migrations

# isort: on
from annotator.store.versions import MIGRATION_SET

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


# m003: the spans and relations tables as m001 made them, but with ids that are
# never handed out again once used (AUTOINCREMENT), even by another process.
_AUTOINCREMENT_TABLES = {
    "spans": """
    CREATE TABLE spans_m003 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
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
    "relations": """
    CREATE TABLE relations_m003 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        doc_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        layer TEXT NOT NULL CHECK (layer IN ('model', 'gold')),
        head INTEGER NOT NULL REFERENCES spans (id),
        child INTEGER NOT NULL REFERENCES spans (id),
        label TEXT NOT NULL
    )
    """,
}
_AUTOINCREMENT_COLUMNS = {
    "spans": 'id, doc_id, layer, start, "end", token_start, token_end, label',
    "relations": "id, doc_id, layer, head, child, label",
}


@migrations(transactional=False)
def m003_autoincrement_ids(db: Database) -> None:
    """Span and relation ids are never reused.

    Without AUTOINCREMENT SQLite hands the highest id out again once its row is
    deleted, so a window's undo, which restores a span with its id, could collide
    with a span another process added meanwhile.

    SQLite cannot add AUTOINCREMENT to a table, so both tables are rebuilt,
    following the "Making Other Kinds Of Table Schema Changes" procedure of
    https://www.sqlite.org/lang_altertable.html: foreign keys off (they cannot be
    switched inside a transaction, hence ``transactional=False``), one transaction
    that copies rows, swaps the tables and recreates their indexes, a
    foreign_key_check, commit, foreign keys back on. Dropping ``spans`` with
    foreign keys on would run an implicit DELETE on it and break ``relations``.

    It is idempotent: the sqlite-utils record of it is written after its commit,
    so a process killed in between re-runs it on the next open, and it then finds
    the tables already rebuilt.
    """
    _rebuild_tables(db, "m003_autoincrement_ids", _rebuild_with_autoincrement)


def _rebuild_tables(db: Database, step: str, rebuild: Callable[[Database], None]) -> None:
    """Run ``rebuild`` (tables recreated and refilled) with foreign keys off, in
    one IMMEDIATE transaction: the write lock is taken before the schema is read,
    so two processes upgrading at once do it one after the other."""
    if db.conn.in_transaction:  # PRAGMA foreign_keys would silently do nothing
        raise RuntimeError(f"{step} must run outside a transaction")
    foreign_keys = int(db.execute("PRAGMA foreign_keys").fetchone()[0])
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        if db.execute("PRAGMA foreign_keys").fetchone()[0] != 0:
            raise RuntimeError(f"{step} could not turn foreign keys off")
        db.execute("BEGIN IMMEDIATE")
        try:
            rebuild(db)
        except BaseException:
            db.conn.rollback()
            raise
        db.conn.commit()
    finally:
        db.execute(f"PRAGMA foreign_keys = {foreign_keys}")


def _rebuild_with_autoincrement(db: Database) -> None:
    if all(_has_autoincrement(db, table) for table in _AUTOINCREMENT_TABLES):
        return
    violations_before = _foreign_key_violations(db)
    indexes = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('spans', 'relations') ORDER BY name"
    ).fetchall()
    dependents = db.execute(
        "SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view')"
    ).fetchall()
    if dependents:  # none exist; a later change adding some must extend this step
        raise RuntimeError(f"m003 does not know how to keep {dependents}")
    # The highest id ever used, including deleted spans a window may still restore
    # (the audit log has their ids), so those ids are not handed out again either.
    next_after = {
        table: int(
            db.execute(
                f"SELECT MAX(COALESCE((SELECT MAX(id) FROM {table}), 0), "
                "COALESCE((SELECT MAX(target_id) FROM audit WHERE target = ?), 0))",
                [target],
            ).fetchone()[0]
        )
        for table, target in (("spans", "span"), ("relations", "relation"))
    }
    for table, create in _AUTOINCREMENT_TABLES.items():
        columns = _AUTOINCREMENT_COLUMNS[table]
        db.execute(create)
        db.execute(f"INSERT INTO {table}_m003 ({columns}) SELECT {columns} FROM {table}")
    _swap_in(db, "m003", list(_AUTOINCREMENT_TABLES), indexes, next_after, violations_before)


def _swap_in(
    db: Database,
    step: str,
    tables: list[str],
    indexes: list[tuple[str]],
    sequences: dict[str, int],
    violations_before: list[tuple[object, ...]],
) -> None:
    """Put the rebuilt ``{table}_{step}`` tables (parent first in ``tables``) in
    place of the old ones, with their ``indexes`` and id ``sequences``; refuse
    (the caller rolls back) if that changed which foreign keys are broken."""
    # Child first; with foreign keys off neither DROP deletes or cascades anything.
    for table in reversed(tables):
        db.execute(f"DROP TABLE {table}")
    for table in tables:
        db.execute(f"ALTER TABLE {table}_{step} RENAME TO {table}")
    for (sql,) in indexes:
        db.execute(sql)
    for table, seq in sequences.items():
        db.execute("DELETE FROM sqlite_sequence WHERE name = ?", [table])
        db.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", [table, seq])
    violations_after = _foreign_key_violations(db)
    if violations_after != violations_before:
        raise sqlite3.IntegrityError(
            f"{step} would break foreign keys: {violations_after[:5]}; nothing was changed"
        )


@migrations()
def m004_text_apart(db: Database) -> None:
    """Texts move to a table of their own; a document keeps its text's length.

    A document's row is rewritten at every edit (its version). With the text in
    it, SQLite read a 1 MB text back to rewrite the row: 8-12 ms for the first
    edit after opening another long document. The length is stored as Python
    counts characters, so no SQL ``length()`` reads the text (or stops at a NUL).
    """
    db.execute(
        "CREATE TABLE document_texts (doc_id INTEGER PRIMARY KEY "
        "REFERENCES documents (id) ON DELETE CASCADE, text TEXT NOT NULL)"
    )
    db.execute("INSERT INTO document_texts (doc_id, text) SELECT id, text FROM documents")
    db.execute("ALTER TABLE documents ADD COLUMN text_length INTEGER NOT NULL DEFAULT 0")
    db.execute("UPDATE documents SET text_length = length(text)")
    # SQL's length() stops at a NUL character; Python's does not
    with_nul = db.execute("SELECT id FROM documents WHERE instr(text, char(0)) > 0").fetchall()
    for (doc_id,) in with_nul:
        (text,) = db.execute("SELECT text FROM documents WHERE id = ?", [doc_id]).fetchone()
        db.execute("UPDATE documents SET text_length = ? WHERE id = ?", [len(text), doc_id])
    db.execute("ALTER TABLE documents DROP COLUMN text")


@migrations()
def m005_pos_tags(db: Database) -> None:
    """Universal POS tags per token (one byte each, see codec.py), stored at import
    when the pipeline tags, so the window finds likely missing spans (runs of
    proper nouns) without spaCy. Older documents have none (NULL)."""
    db.execute("ALTER TABLE tokens ADD COLUMN pos BLOB")


@migrations()
def m006_models(db: Database) -> None:
    """The pipelines ``annotator train`` made from this database's reviews: where
    each was written, what it was trained from and on, and how it scored on its
    dev documents (``scores``: JSON, ``labels``: a JSON list)."""
    db.execute(
        """
        CREATE TABLE models (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            path TEXT NOT NULL,
            name TEXT NOT NULL,
            base TEXT NOT NULL,
            created_at TEXT NOT NULL,
            actor TEXT NOT NULL,
            documents INTEGER NOT NULL,
            train_documents INTEGER NOT NULL,
            dev_documents INTEGER NOT NULL,
            statuses TEXT NOT NULL,
            labels TEXT NOT NULL DEFAULT '[]',
            scores TEXT NOT NULL DEFAULT '{}',
            steps INTEGER NOT NULL,
            interrupted INTEGER NOT NULL DEFAULT 0
        )
        """
    )


@migrations()
def m007_relation_rules(db: Database) -> None:
    """The id of the relation rule (resources/relation_patterns.json) that proposed
    a model-layer relation, so ``annotator eval --relations-by-rule`` can score each
    rule on the reviews. NULL for every other relation: gold ones, ones read from
    a file, and those imported before this step."""
    db.execute("ALTER TABLE relations ADD COLUMN rule TEXT")


# m008: the layer names a team database needs beside model and gold
_OLD_LAYER_CHECK = re.compile(
    r"CHECK\s*\(\s*layer\s+IN\s*\(\s*'model'\s*,\s*'gold'\s*\)\s*\)", re.IGNORECASE
)
_NEW_LAYER_CHECK = (
    "CHECK (layer IN ('model', 'gold', 'final') "
    "OR (substr(layer, 1, 9) = 'reviewer:' AND length(layer) > 9))"
)
_CREATE_TABLE = re.compile(r'^\s*CREATE\s+TABLE\s+("?)(\w+)\1', re.IGNORECASE)


@migrations(transactional=False)
def m008_reviewer_layers(db: Database) -> None:
    """Spans and relations may belong to the ``final`` layer (the adjudicated result
    of a team's reviews) and to one ``reviewer:NAME`` layer per reviewer (in a
    database ``annotator merge`` made), not only to ``model`` and ``gold``.

    SQLite cannot change a CHECK constraint in place, so both tables are rebuilt as
    m003 rebuilt them (foreign keys off, one transaction, indexes and id sequences
    kept). Each is rebuilt from its own CREATE statement in sqlite_master with only
    the layer CHECK replaced, so columns added by other steps (whichever ran before
    this one) are kept as they are. Idempotent like m003: a table whose CHECK was
    already replaced is left alone."""
    _rebuild_tables(db, "m008_reviewer_layers", _rebuild_layer_checks)


def _rebuild_layer_checks(db: Database) -> None:
    tables = ("spans", "relations")  # parent first
    creates = {
        table: str(
            db.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]
            ).fetchone()[0]
        )
        for table in tables
    }
    todo = [table for table in tables if _OLD_LAYER_CHECK.search(creates[table])]
    if not todo:
        return
    violations_before = _foreign_key_violations(db)
    marks = ",".join("?" * len(todo))
    indexes = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks}) ORDER BY name",
        todo,
    ).fetchall()
    dependents = db.execute(
        "SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view')"
    ).fetchall()
    if dependents:  # none exist; a later change adding some must extend this step
        raise RuntimeError(f"m008 does not know how to keep {dependents}")
    sequences = dict(
        db.execute(
            f"SELECT name, seq FROM sqlite_sequence WHERE name IN ({marks})", todo
        ).fetchall()
    )
    for table in todo:
        create, count = _OLD_LAYER_CHECK.subn(_NEW_LAYER_CHECK, creates[table])
        create, renamed = _CREATE_TABLE.subn(f"CREATE TABLE {table}_m008", create, count=1)
        if count != 1 or renamed != 1:
            raise RuntimeError(f"m008 does not recognise the table {table}: {creates[table]}")
        db.execute(create)
        columns = ", ".join(
            f'"{row[1]}"' for row in db.execute(f"PRAGMA table_info({table})").fetchall()
        )
        db.execute(f"INSERT INTO {table}_m008 ({columns}) SELECT {columns} FROM {table}")
    _swap_in(db, "m008", todo, indexes, sequences, violations_before)


@migrations()
def m009_reviewer_status(db: Database) -> None:
    """Each reviewer's review of each document in a team database (``annotator
    merge``): the status they gave it and when, the file it was merged from, and a
    fingerprint of their layer and status that makes merging again idempotent.
    Empty in a reviewer's own database."""
    db.execute(
        """
        CREATE TABLE reviewer_status (
            doc_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            reviewer TEXT NOT NULL,
            status TEXT NOT NULL
                CHECK (status IN ('todo', 'accepted', 'rejected', 'skipped')),
            reviewed_at TEXT NOT NULL,
            source TEXT NOT NULL,
            source_doc_id INTEGER NOT NULL,
            fingerprint TEXT NOT NULL,
            merged_at TEXT NOT NULL,
            PRIMARY KEY (doc_id, reviewer)
        )
        """
    )
    db.execute("CREATE INDEX reviewer_status_reviewer ON reviewer_status (reviewer, status)")


@migrations()
def m010_adjudication(db: Database) -> None:
    """The choices an adjudicator made in a team database: which version of the
    disagreement at characters start..end went into the final layer (a reviewer's
    name, or ``both``), so a choice that added no span (a reviewer who had none
    there) still settles it. Each choice also has its audit row."""
    db.execute(
        """
        CREATE TABLE adjudication (
            doc_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            choice TEXT NOT NULL,
            actor TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (doc_id, start, "end")
        )
        """
    )


@migrations()
def m011_model_silver(db: Database) -> None:
    """How many documents nobody reviewed a trained model rehearsed with its base's
    predictions (``annotator train --rehearse``); 0 for the models before."""
    db.execute("ALTER TABLE models ADD COLUMN silver_documents INTEGER NOT NULL DEFAULT 0")


@migrations()
def m012_relation_choices(db: Database) -> None:
    """The adjudicator's choices for relation disagreements, keyed by the two
    spans' characters (in text order), beside the span choices of
    ``adjudication``. Choices an earlier build packed into ``adjudication``
    (negative ``start``) move here."""
    db.execute(
        """
        CREATE TABLE adjudication_relations (
            doc_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            first_start INTEGER NOT NULL,
            first_end INTEGER NOT NULL,
            second_start INTEGER NOT NULL,
            second_end INTEGER NOT NULL,
            choice TEXT NOT NULL,
            actor TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (doc_id, first_start, first_end, second_start, second_end),
            CHECK (first_start < first_end AND second_start < second_end)
        )
        """
    )
    packed = 1_000_000_000  # how that build packed two ranges into start and end
    db.execute(
        "INSERT OR REPLACE INTO adjudication_relations "
        'SELECT doc_id, (-start) / ?, (-start) % ?, "end" / ?, "end" % ?, choice, actor, at '
        "FROM adjudication WHERE start < 0",
        [packed, packed, packed, packed],
    )
    db.execute("DELETE FROM adjudication WHERE start < 0")


def _has_autoincrement(db: Database, table: str) -> bool:
    row = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]
    ).fetchone()
    return row is not None and "AUTOINCREMENT" in str(row[0]).upper()


def _foreign_key_violations(db: Database) -> list[tuple[object, ...]]:
    return sorted(db.execute("PRAGMA foreign_key_check").fetchall(), key=repr)


def known_migration_names() -> list[str]:
    """The steps defined here (versions.MIGRATION_NAMES must list the same)."""
    return [m.name for m in migrations.pending(Database(memory=True, execute_plugins=False))]
