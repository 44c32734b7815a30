"""Open a database for reading only.

Nothing is created, switched or migrated, so a database in a folder the user cannot
write (a shared drive, a mounted backup) can still be counted, scored and exported.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from annotator.store.connection import BUSY_TIMEOUT_MS, _applied_steps
from annotator.store.errors import NeedsUpgradeError, NotADatabaseError, StoreError, WriteError
from annotator.store.versions import MIGRATION_NAMES

# SQLite's primary result codes that a read-only open of a WAL database meets when
# the folder lets it create neither the -wal nor the -shm file (sqlite.org/wal.html,
# "Read-Only Databases"): SQLITE_READONLY (..._DIRECTORY, ..._CANTINIT) and SQLITE_CANTOPEN.
_SQLITE_READONLY = 8
_SQLITE_CANTOPEN = 14


def connect_read_only(path: Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> sqlite3.Connection:
    """Open an existing database for reading only; every write on it fails.

    It creates no folder and no file that was not there (or tidies the -wal and -shm
    files SQLite made, see ``_ReadOnlyConnection``), keeps the journal mode and does
    not migrate: a database that needs writing first raises ``NeedsUpgradeError``.

    A WAL database can be read without write access to its folder only if its -wal
    and -shm files are there already. When they are not, it is opened as immutable
    (SQLite then reads the database file alone) unless a -wal or -journal file with
    content is there: its committed changes would be silently missed, so that is
    refused with a message that names the file.
    """
    if path.is_dir():
        raise NotADatabaseError(f"{path} is a folder, not an annotator database file.")
    if not path.exists():
        raise StoreError(f"No database at {path}.")
    wal, shm = _beside(path, "-wal"), _beside(path, "-shm")
    had_wal_files = wal.exists() or shm.exists()
    conn = _open_uri(path, "mode=ro", busy_timeout_ms)
    try:
        # SQLite opens the files at the first read, so that is where a folder we
        # cannot write shows itself
        applied = _applied_steps(conn, path)
    except sqlite3.OperationalError as exc:
        conn.close()
        if exc.sqlite_errorcode & 0xFF not in (_SQLITE_READONLY, _SQLITE_CANTOPEN):
            raise WriteError(f"Cannot read database {path}: {exc}.") from exc
        _refuse_unread_changes(path)
        conn = _open_uri(path, "mode=ro&immutable=1", busy_timeout_ms)
        try:
            applied = _applied_steps(conn, path)
        except BaseException as second:
            conn.close()
            if isinstance(second, sqlite3.Error):
                raise WriteError(f"Cannot read database {path}: {second}.") from second
            raise
    except BaseException as exc:
        conn.close()
        if isinstance(exc, sqlite3.DatabaseError) and _not_sqlite(exc):
            raise NotADatabaseError(f"{path} is not an SQLite database.") from exc
        if isinstance(exc, sqlite3.Error):
            raise WriteError(f"Cannot read database {path}: {exc}.") from exc
        raise
    else:
        if not had_wal_files:
            conn.tidy = path
    missing = [name for name in MIGRATION_NAMES if name not in applied]
    if missing:
        conn.close()
        if not applied:
            raise NeedsUpgradeError(
                f"{path} holds no annotator data yet, and it was opened for reading only; "
                "nothing was changed."
            )
        raise NeedsUpgradeError(
            f"Database {path} was made by an older version of annotator: this version "
            f"reads it only after upgrading its schema (step {missing[0]!r}), which writes "
            "to it, and it was opened for reading only. Give it write access to the file "
            "and its folder once (then any annotator command, `annotator stats` too, "
            "upgrades it), or read a copy in a folder you can write; nothing was changed."
        )
    return conn


class _ReadOnlyConnection(sqlite3.Connection):
    """A read-only connection that removes the -wal and -shm files it made.

    A reader of a WAL database in a writable folder creates both (an empty log and
    the shared index) and, being read-only, leaves them behind at close. At close,
    when they were not there before and the log is still empty, a moment's
    read-write connection removes them the way SQLite does: only if no other
    connection has the database open, and with nothing to copy into the file."""

    tidy: Path | None = None

    def close(self) -> None:
        super().close()
        path, self.tidy = self.tidy, None
        if path is None:
            return
        wal = _beside(path, "-wal")
        try:
            if wal.stat().st_size:
                return
            conn = sqlite3.connect(f"{_uri(path)}?mode=rw", uri=True, timeout=0)
        except (OSError, sqlite3.Error):
            return
        try:
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        except sqlite3.Error:
            pass
        finally:
            conn.close()


def _open_uri(path: Path, query: str, busy_timeout_ms: int) -> _ReadOnlyConnection:
    try:
        conn = sqlite3.connect(
            f"{_uri(path)}?{query}",
            uri=True,
            timeout=busy_timeout_ms / 1000,
            check_same_thread=False,
            factory=_ReadOnlyConnection,
        )
    except sqlite3.Error as exc:
        raise WriteError(f"Cannot open database {path} for reading: {exc}.") from exc
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    return conn


def _uri(path: Path) -> str:
    """``file:`` URI of ``path``, with spaces, ``?``, ``#`` and ``%`` escaped."""
    return path.absolute().as_uri()


def _beside(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _refuse_unread_changes(path: Path) -> None:
    """Before reading the database file alone: refuse if a -wal or -journal file
    beside it holds changes that reading it alone would miss."""
    for suffix in ("-wal", "-journal"):
        extra = _beside(path, suffix)
        try:
            size = extra.stat().st_size
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise WriteError(f"Cannot read database {path}: {extra}: {exc.strerror}.") from exc
        if not size:
            continue
        if suffix == "-wal":
            what = (
                f"{extra.name} beside it holds changes that are not in the database file "
                f"yet, and reading them needs a {_beside(path, '-shm').name} file"
            )
        else:
            what = (
                f"{extra.name} beside it is left from a write that did not finish, and "
                "reading the database needs that write rolled back"
            )
        raise WriteError(
            f"Cannot read database {path}: {what}, which this folder does not allow. "
            "Open the database once with write access to its folder (any annotator "
            f"command then completes the database file), or copy it together with "
            f"{extra.name} to a folder you can write and read the copy; nothing was changed."
        )


def _not_sqlite(exc: sqlite3.DatabaseError) -> bool:
    return "file is not a database" in str(exc) or "file is encrypted" in str(exc)
