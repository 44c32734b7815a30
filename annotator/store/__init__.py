"""SQLite storage through sqlite-utils: schema, reads, atomic audited edits."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

# who is reviewing (annotator/identity.py), here too for the store's users
from annotator.identity import (
    MAX_ACTOR_LENGTH,
    REVIEWER_ENV,
    InvalidActorError,
    Reviewer,
    SettingsError,
    check_actor,
    os_user,
    resolve_reviewer,
    save_reviewer,
    saved_reviewer,
    settings_path,
)
from annotator.store.adjudication import AdjudicationMixin
from annotator.store.connection import BUSY_TIMEOUT_MS, connect, default_db_path
from annotator.store.edits import Change, DocumentEdit
from annotator.store.errors import (
    ConflictError,
    IdClashError,
    InvalidEditError,
    NeedsUpgradeError,
    NotADatabaseError,
    NotFoundError,
    SchemaTooNewError,
    StoreError,
    WriteError,
)
from annotator.store.reannotation import ReannotationMixin
from annotator.store.team import TeamMixin

if TYPE_CHECKING:
    from annotator.store.records import AuditEntry, Stats


def __getattr__(name: str) -> object:
    """``AuditEntry`` and ``Stats`` (annotator/store/records.py), loaded when
    asked for: opening a database for the window needs neither."""
    if name in ("AuditEntry", "Stats"):
        from annotator.store import records

        return getattr(records, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Store(AdjudicationMixin, ReannotationMixin, TeamMixin):
    """An open annotator database."""

    @classmethod
    def open(
        cls,
        path: Path | None = None,
        actor: str | None = None,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
        *,
        read_only: bool = False,
    ) -> Store:
        """Open the database at ``path``, creating or upgrading it as needed; with
        ``read_only``, open an existing one for reading only: nothing in its folder is
        created or changed, and every write raises ``WriteError``. Edits are audited
        under ``actor``, by default the reviewer ``resolve_reviewer`` finds."""
        path = (path or default_db_path()).expanduser().resolve()
        # the reviewer first: a bad name is refused before the database is touched
        name = resolve_reviewer(actor).name
        conn = connect(path, busy_timeout_ms, read_only=read_only)
        return cls(conn, path, name, read_only=read_only)

    @classmethod
    def open_to_read(cls, path: Path | None = None, actor: str | None = None) -> Store:
        """Open for a command that only reads (stats, eval, export): read-only, so it
        works where the database cannot be written. A database that must be upgraded
        first is upgraded, as every open used to, where it can be written; where it
        cannot, ``NeedsUpgradeError`` says what to do."""
        try:
            return cls.open(path, actor, read_only=True)
        except NeedsUpgradeError as needs_writing:
            try:
                return cls.open(path, actor)
            except WriteError:
                raise needs_writing from None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = [
    "MAX_ACTOR_LENGTH",
    "REVIEWER_ENV",
    "AuditEntry",
    "Change",
    "ConflictError",
    "DocumentEdit",
    "IdClashError",
    "InvalidActorError",
    "InvalidEditError",
    "NeedsUpgradeError",
    "NotADatabaseError",
    "NotFoundError",
    "Reviewer",
    "SchemaTooNewError",
    "SettingsError",
    "Stats",
    "Store",
    "StoreError",
    "WriteError",
    "check_actor",
    "default_db_path",
    "os_user",
    "resolve_reviewer",
    "save_reviewer",
    "saved_reviewer",
    "settings_path",
]
