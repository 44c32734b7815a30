"""Pack integer arrays into BLOBs (little-endian int32) and back."""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable


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
