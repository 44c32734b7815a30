"""The root of annotator's own errors: each carries a message for the user that
names the file, line, document or offsets involved. Anything else that escapes
is a bug."""

from __future__ import annotations


class AnnotatorError(Exception):
    """A problem annotator explains to the user (never a traceback)."""
