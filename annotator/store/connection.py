"""Open an annotator database: pragmas, schema migrations, refusal of newer schemas.

Commands that only read open the database read-only (``connect(..., read_only=True)``,
see annotator/store/read_only.py)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from annotator.model import Label
from annotator.store.errors import NotADatabaseError, SchemaTooNewError, WriteError
from annotator.store.versions import MIGRATION_NAMES, MIGRATION_SET, MIGRATIONS_TABLE

if TYPE_CHECKING:
    from sqlite_utils import Database

BUSY_TIMEOUT_MS = 5000


def default_db_path() -> Path:
    """The per-user database, e.g. ~/.local/share/annotator/annotator.db on Linux."""
    return Path(platformdirs.user_data_dir("annotator", appauthor=False)) / "annotator.db"


def connect(
    path: Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS, *, read_only: bool = False
) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the database at ``path``; with
    ``read_only``, open an existing one for reading only (see ``connect_read_only``)."""
    if read_only:
        from annotator.store.read_only import connect_read_only

        return connect_read_only(path, busy_timeout_ms)
    if path.exists() and path.is_dir():
        raise NotADatabaseError(f"{path} is a folder, not an annotator database file.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"Cannot create the folder for database {path}: {exc.strerror}.") from exc
    try:
        conn = sqlite3.connect(str(path), timeout=busy_timeout_ms / 1000, check_same_thread=False)
    except sqlite3.Error as exc:
        raise WriteError(f"Cannot open database {path}: {exc}.") from exc
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        # refuse a foreign or newer database before anything in it is changed
        applied = _applied_steps(conn, path)
        _configure(conn)
        if set(MIGRATION_NAMES) - set(applied):
            _migrate(conn, path)
    except sqlite3.DatabaseError as exc:
        conn.close()
        if "file is not a database" in str(exc) or "file is encrypted" in str(exc):
            raise NotADatabaseError(f"{path} is not an SQLite database.") from exc
        raise WriteError(f"Cannot prepare database {path}: {exc}.") from exc
    except Exception:
        conn.close()
        raise
    return conn


def writer(conn: sqlite3.Connection) -> Database:
    """sqlite-utils over ``conn``, for writes (imported on first use: start-up time)."""
    # isort: off
    from annotator.store import _sqlite_utils_lean  # noqa: F401  (sqlite-utils without numpy)
    from sqlite_utils import Database

    # isort: on
    # no sqlite-utils plugins: scanning installed packages for them costs start-up
    # time, and a plugin's SQL functions are nothing annotator relies on
    return Database(conn, execute_plugins=False)


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA recursive_triggers = ON")  # as sqlite-utils sets it
    # WAL lets the review window read while an import writes. A read-only file
    # cannot switch journal mode; it stays readable and every edit is refused.
    try:
        conn.execute("PRAGMA journal_mode = WAL")
    except sqlite3.OperationalError as exc:
        if "readonly" not in str(exc) and "read-only" not in str(exc):
            raise
    # FULL fsyncs the WAL at every commit: an edit shown as saved survives a
    # power cut, not only a killed process. It costs well under a millisecond
    # per commit at human edit rates (benchmarks/store_bench.py measures it).
    conn.execute("PRAGMA synchronous = FULL")


def _applied_steps(conn: sqlite3.Connection, path: Path) -> list[str]:
    """The schema steps the database has applied; refuses a newer or foreign database."""
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not names:
        return []
    if MIGRATIONS_TABLE not in names:
        raise NotADatabaseError(
            f"{path} is an SQLite database of another application (tables: "
            f"{', '.join(sorted(names)[:5])}); choose another file."
        )
    applied = [
        str(r[0])
        for r in conn.execute(
            f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY rowid",
            [MIGRATION_SET],
        )
    ]
    unknown = [name for name in applied if name not in MIGRATION_NAMES]
    if unknown:
        raise SchemaTooNewError(
            f"Database {path} was written by a newer version of annotator (schema step "
            f"{unknown[-1]!r} is unknown to this version). Upgrade annotator to open it; "
            "nothing was changed."
        )
    return applied


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    from annotator.store.schema import migrations

    db = writer(conn)
    try:
        migrations.apply(db)
        # Default labels this database lacks (all of them when it is new; the
        # relation labels for one made before they existed). Existing ones stay.
        with db.atomic():
            from annotator.labels import load_labels  # only here: start-up time

            insert_labels(conn, load_labels())
    except sqlite3.OperationalError as exc:
        raise WriteError(f"Cannot create or upgrade database {path}: {exc}.") from exc


def insert_labels(db: Database | sqlite3.Connection, labels: list[Label]) -> None:
    """Add labels that are not there yet, after the existing ones; keep existing ones."""
    row = db.execute("SELECT COALESCE(MAX(position), -1) FROM labels").fetchone()
    position = int(row[0]) + 1
    for label in labels:
        cursor = db.execute(
            "INSERT OR IGNORE INTO labels (kind, name, color, hotkey, description, position, "
            "head_types, child_types, directed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                label.kind.value,
                label.name,
                label.color,
                label.hotkey,
                label.description,
                position,
                json.dumps(list(label.head_types)),
                json.dumps(list(label.child_types)),
                int(label.directed),
            ],
        )
        position += cursor.rowcount
