"""Pack integer arrays into BLOBs (little-endian int32) and back."""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable, Sequence


def pack_ints(values: Iterable[int]) -> bytes:
    packed = array("i", values)
    if sys.byteorder != "little":
        packed.byteswap()
    return packed.tobytes()


def unpack_ints(blob: bytes) -> tuple[int, ...]:
    values = array("i")
    values.frombytes(blob)
    if sys.byteorder != "little":
        values.byteswap()
    return tuple(values)


# The universal POS tags (https://universaldependencies.org/u/pos/), one byte each;
# 0 stands for none or an unknown tag.
UPOS = (
    "", "ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART",
    "PRON", "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X", "SPACE",
)  # fmt: skip
_UPOS_CODE = {tag: code for code, tag in enumerate(UPOS)}


def pack_pos(tags: Sequence[str]) -> bytes | None:
    """POS tags as one byte per token; None when there are none."""
    if not tags:
        return None
    return bytes(_UPOS_CODE.get(tag, 0) for tag in tags)


def unpack_pos(blob: bytes | None) -> tuple[str, ...]:
    return () if blob is None else tuple(UPOS[b] if b < len(UPOS) else "" for b in blob)
