"""Errors the store raises. Each message is a sentence a reviewer can act on."""

from __future__ import annotations

from annotator.errors import AnnotatorError


class StoreError(AnnotatorError):
    """Base class for store errors."""


class NotADatabaseError(StoreError):
    """The file exists but is not an annotator database."""


class SchemaTooNewError(StoreError):
    """The database was written by a newer annotator; nothing was changed."""


class WriteError(StoreError):
    """The database could not be written (read-only, disk full, locked too long)."""


class NotFoundError(StoreError, LookupError):
    """A document, span or relation id that does not exist."""


class ConflictError(StoreError):
    """The document changed since it was loaded (another window or process)."""

    def __init__(self, doc_id: int, expected: int, actual: int) -> None:
        super().__init__(
            f"Document {doc_id} was changed elsewhere (version {actual}, this window had "
            f"version {expected}); reload it before editing."
        )
        self.doc_id = doc_id
        self.expected = expected
        self.actual = actual


class IdClashError(StoreError):
    """Undo or redo would restore a span or relation under an id that another one now has.

    New databases never reuse ids, so this means a database edited by an old
    annotator; the edit is refused and nothing is written.
    """


class InvalidEditError(StoreError, ValueError):
    """An edit that would break the data model (misaligned or overlapping span, bad label)."""


class NeedsUpgradeError(WriteError):
    """Opened for reading only, the database first needs writing: it is empty, or it
    was made by an older annotator and needs its schema upgraded. Nothing was changed."""
