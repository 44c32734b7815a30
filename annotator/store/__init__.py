"""SQLite storage through sqlite-utils: schema, reads, atomic audited edits."""

from __future__ import annotations

import getpass
from pathlib import Path

from annotator.store.connection import BUSY_TIMEOUT_MS, connect, default_db_path
from annotator.store.edits import Change, DocumentEdit, EditsMixin
from annotator.store.errors import (
    ConflictError,
    IdClashError,
    InvalidEditError,
    NotADatabaseError,
    NotFoundError,
    SchemaTooNewError,
    StoreError,
    WriteError,
)
from annotator.store.ingest import IngestMixin
from annotator.store.reads import AuditEntry, Stats


class Store(EditsMixin, IngestMixin):
    """An open annotator database."""

    @classmethod
    def open(
        cls,
        path: Path | None = None,
        actor: str | None = None,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
    ) -> Store:
        path = (path or default_db_path()).expanduser().resolve()
        return cls(connect(path, busy_timeout_ms), path, actor or _current_user())

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


__all__ = [
    "AuditEntry",
    "Change",
    "ConflictError",
    "DocumentEdit",
    "IdClashError",
    "InvalidEditError",
    "NotADatabaseError",
    "NotFoundError",
    "SchemaTooNewError",
    "Stats",
    "Store",
    "StoreError",
    "WriteError",
    "default_db_path",
]
