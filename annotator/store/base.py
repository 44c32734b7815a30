"""State and helpers shared by the store's read, edit and ingest parts."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.identity import check_actor
from annotator.model import Layer, Relation, Span, Tokens, is_layer_name
from annotator.store.connection import writer
from annotator.store.errors import ConflictError, NotFoundError, WriteError

if TYPE_CHECKING:
    from sqlite_utils import Database


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def span_json(span: Span) -> dict[str, Any]:
    return {
        "id": span.id,
        "start": span.start,
        "end": span.end,
        "token_start": span.token_start,
        "token_end": span.token_end,
        "label": span.label,
    }


def relation_json(relation: Relation) -> dict[str, Any]:
    return {
        "id": relation.id,
        "head": relation.head,
        "child": relation.child,
        "label": relation.label,
    }


class StoreBase:
    """An open database plus the identity that edits are audited under (``actor``:
    a reviewer name, checked by ``check_actor``; it may change while the store is
    open, and applies from the next edit on).

    Reads go straight to the sqlite3 connection; writes go through sqlite-utils
    (``db``), which is loaded at the first write or by ``prepare_writes``. A store
    opened ``read_only`` refuses every write with a ``WriteError``.

    Edits change the ``gold`` layer; ``edit_layer`` names another one to edit
    (``final``, when adjudicating a team's reviews), and reads of "the reviewed
    layer" (``load_document``'s ``gold``, the span counts of the document list)
    follow it."""

    def __init__(
        self, conn: sqlite3.Connection, path: Path, actor: str, *, read_only: bool = False
    ) -> None:
        self.conn = conn
        self.path = path
        self._actor = check_actor(actor)
        self.read_only = read_only
        self._token_cache: dict[int, Tokens] = {}  # tokens never change after import
        self._edit_layer: str = Layer.GOLD.value

    @property
    def actor(self) -> str:
        """The reviewer name written on the audit rows of the next edits."""
        return self._actor

    @actor.setter
    def actor(self, name: str) -> None:
        self._actor = check_actor(name)

    @property
    def edit_layer(self) -> str:
        """The layer edits change: ``gold``, or e.g. ``final`` (never ``model``)."""
        return self._edit_layer

    @edit_layer.setter
    def edit_layer(self, layer: str) -> None:
        if layer == Layer.MODEL or not is_layer_name(layer):
            raise ValueError(f"{layer!r} is not a layer that can be edited.")
        self._edit_layer = str(layer)

    @cached_property
    def db(self) -> Database:
        if self.read_only:
            raise WriteError(
                f"Database {self.path} was opened for reading only; nothing can be saved "
                "through it."
            )
        return writer(self.conn)

    def prepare_writes(self) -> None:
        """Load what writes need now (the window calls it after its first paint)."""
        if not self.read_only:
            _ = self.db

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def _snapshot(self) -> Iterator[None]:
        """Several reads that must see one state of the database."""
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            self.conn.execute("COMMIT")  # a read-only transaction: nothing to write

    @contextmanager
    def _transaction(self, what: str) -> Iterator[None]:
        """One atomic write; SQLite failures become a WriteError naming the database.

        It takes the write lock as it begins (``BEGIN IMMEDIATE``), waiting up to the
        busy timeout for another writer: a transaction that read first and wrote
        later would fail at once if another writer committed in between. Nested
        inside another, it is a savepoint."""
        if self.read_only:
            raise WriteError(
                f"Could not save ({what}) to {self.path}: it was opened for reading only. "
                "The change was not saved."
            )
        db, conn = self.db, self.conn
        try:
            if conn.in_transaction:
                with db.atomic():
                    yield
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                _roll_back(conn)
                raise
            try:
                conn.execute("COMMIT")
            except BaseException:
                _roll_back(conn)
                raise
        except sqlite3.OperationalError as exc:
            raise WriteError(_write_failure(self.path, what, exc)) from exc

    @contextmanager
    def _edit(self, doc_id: int, version: int, what: str) -> Iterator[int]:
        """One audited edit of a document: a write transaction that first checks
        and advances the document's version; yields the new version (for the
        audit rows written inside)."""
        with self._transaction(what):
            yield self._bump_version(doc_id, version)

    def _bump_version(self, doc_id: int, expected: int) -> int:
        """Advance the document's version, or raise if another writer got there first."""
        cursor = self.db.execute(
            "UPDATE documents SET version = version + 1, updated_at = ? "
            "WHERE id = ? AND version = ?",
            [utc_now(), doc_id, expected],
        )
        if cursor.rowcount == 1:
            return expected + 1
        row = self.db.execute("SELECT version FROM documents WHERE id = ?", [doc_id]).fetchone()
        if row is None:
            raise NotFoundError(f"Document {doc_id} does not exist in {self.path}.")
        raise ConflictError(doc_id, expected, int(row[0]))

    def _audit(
        self,
        doc_id: int,
        version: int,
        action: str,
        target: str,
        target_id: int | None,
        before: object = None,
        after: object = None,
    ) -> None:
        self.db.execute(
            "INSERT INTO audit (doc_id, at, actor, action, target, target_id, before, after, "
            "version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                doc_id,
                utc_now(),
                self.actor,
                action,
                target,
                target_id,
                None if before is None else json.dumps(before, ensure_ascii=False),
                None if after is None else json.dumps(after, ensure_ascii=False),
                version,
            ],
        )


def insert_span_row(db: Database, doc_id: int, layer: str, span: Span) -> int:
    """The one INSERT of a span (with its id, when it has one); returns the id."""
    cursor = db.execute(
        'INSERT INTO spans (id, doc_id, layer, start, "end", token_start, token_end, label) '
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            span.id,
            doc_id,
            layer,
            span.start,
            span.end,
            span.token_start,
            span.token_end,
            span.label,
        ],
    )
    return int(cursor.lastrowid or 0)


def _roll_back(conn: sqlite3.Connection) -> None:
    """Undo what an open transaction wrote (a failed statement may have ended it)."""
    if conn.in_transaction:
        conn.rollback()


def _write_failure(path: Path, what: str, exc: sqlite3.OperationalError) -> str:
    message = str(exc)
    if "readonly" in message or "read-only" in message:
        reason = "the file is read-only"
    elif "disk is full" in message or "database or disk is full" in message:
        reason = "the disk is full"
    elif "locked" in message or "busy" in message:
        reason = "another program kept the database locked for too long"
    else:
        reason = message
    return f"Could not save ({what}) to {path}: {reason}. The change was not saved."
