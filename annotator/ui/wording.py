"""Short phrases for the status bar."""

from __future__ import annotations


def quote(text: str) -> str:
    """Words in typographic quotes, shortened to 40 characters."""
    short = text if len(text) <= 40 else text[:39] + "\u2026"
    return f"\u201c{short}\u201d"


def count(n: int, thing: str) -> str:
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"
