"""Pure layout arithmetic for the document view (no Qt): text blocks and label rows."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

# A paragraph longer than this is cut at a sentence start, so that one huge
# paragraph does not become one huge text layout.
MAX_BLOCK_CHARS = 4000


def split_blocks(
    text: str, sentence_starts: Sequence[int], max_chars: int = MAX_BLOCK_CHARS
) -> list[tuple[int, int]]:
    """Cut the text into ``(start, end)`` blocks: one per line of the text (the
    newline excluded), long lines cut further at sentence starts (character
    offsets, sorted) or, failing that, at a space."""
    blocks: list[tuple[int, int]] = []
    start = 0
    length = len(text)
    while start <= length:
        newline = text.find("\n", start)
        end = length if newline < 0 else newline
        blocks.extend(_cut_long(text, start, end, sentence_starts, max_chars))
        if newline < 0:
            break
        start = newline + 1
    return blocks


def _cut_long(
    text: str, start: int, end: int, sentence_starts: Sequence[int], max_chars: int
) -> list[tuple[int, int]]:
    pieces: list[tuple[int, int]] = []
    while end - start > max_chars:
        limit = start + max_chars
        i = bisect.bisect_right(sentence_starts, limit) - 1
        cut = sentence_starts[i] if i >= 0 and sentence_starts[i] > start else -1
        if cut < 0:
            space = text.rfind(" ", start + 1, limit)
            cut = space + 1 if space > start else limit
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


def stack_levels(intervals: Sequence[tuple[float, float]], gap: float = 0.0) -> list[int]:
    """Give each horizontal interval the lowest row where it overlaps nothing.

    Intervals are ``(left, right)``; two intervals clash when they come closer
    than ``gap``. Returns the row of each interval, in input order (displaCy's
    and brat's label stacking work the same way).
    """
    order = sorted(range(len(intervals)), key=lambda i: (intervals[i][0], intervals[i][1]))
    row_ends: list[float] = []
    levels = [0] * len(intervals)
    for i in order:
        left, right = intervals[i]
        for row, end in enumerate(row_ends):
            if end + gap <= left:
                row_ends[row] = right
                levels[i] = row
                break
        else:
            levels[i] = len(row_ends)
            row_ends.append(right)
    return levels
