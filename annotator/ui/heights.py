"""Block heights with their running sums (a Fenwick tree), so that one block's
new height and the question "which block is at y" both cost O(log n) on an
article of 16,000 blocks. No Qt.

Heights are kept in 1/64 px steps: their sums are then exact in floating point,
so every view of the same content puts every block at the same y, whatever
order its blocks were measured in.
"""

from __future__ import annotations

from collections.abc import Sequence

STEP = 64.0


def quantized(height: float) -> float:
    return round(height * STEP) / STEP


class Heights:
    def __init__(self, heights: Sequence[float] = ()) -> None:
        self.reset(heights)

    def reset(self, heights: Sequence[float]) -> None:
        values = [quantized(h) for h in heights]
        n = len(values)
        tree = [0.0, *values]
        for i in range(1, n + 1):
            j = i + (i & -i)
            if j <= n:
                tree[j] += tree[i]
        self._values = values
        self._tree = tree
        self._top_bit = 1 << (n.bit_length() - 1) if n else 0

    def __len__(self) -> int:
        return len(self._values)

    def __getitem__(self, index: int) -> float:
        return self._values[index]

    def set(self, index: int, height: float) -> None:
        height = quantized(height)
        delta = height - self._values[index]
        if not delta:
            return
        self._values[index] = height
        i = index + 1
        tree = self._tree
        while i < len(tree):
            tree[i] += delta
            i += i & -i

    def top(self, index: int) -> float:
        """The sum of the heights before block ``index``."""
        total = 0.0
        i = index
        tree = self._tree
        while i > 0:
            total += tree[i]
            i -= i & -i
        return total

    def total(self) -> float:
        return self.top(len(self._values))

    def index_at(self, y: float) -> int:
        """The block that spans ``y`` (the first or last block beyond the ends)."""
        n = len(self._values)
        if not n:
            return 0
        position, remaining = 0, y
        bit = self._top_bit
        tree = self._tree
        while bit:
            nxt = position + bit
            if nxt <= n and tree[nxt] <= remaining:
                position = nxt
                remaining -= tree[nxt]
            bit >>= 1
        return max(0, min(n - 1, position))
