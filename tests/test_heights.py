"""Block heights and their running sums agree with plain sums after any updates."""

from __future__ import annotations

import bisect
import itertools

from hypothesis import given
from hypothesis import strategies as st

from annotator.ui.heights import Heights, quantized

heights = st.lists(st.floats(0, 500, allow_nan=False), min_size=1, max_size=60)


@given(heights, st.lists(st.tuples(st.integers(0, 59), st.floats(0, 500)), max_size=30))
def test_sums_and_lookup_match_plain_arithmetic(initial, updates):
    tree = Heights(initial)
    plain = [quantized(h) for h in initial]
    for index, height in updates:
        index %= len(plain)
        tree.set(index, height)
        plain[index] = quantized(height)
    tops = [0.0, *itertools.accumulate(plain)]
    assert [tree.top(i) for i in range(len(plain) + 1)] == tops
    assert tree.total() == tops[-1]
    for y in [*tops, *(t + 0.3 for t in tops), -5.0, tops[-1] + 100]:
        expected = max(0, min(len(plain) - 1, bisect.bisect_right(tops, y) - 1))
        # a block of height 0 has no y of its own: the lookup may pick the next one
        found = tree.index_at(y)
        assert tops[found] <= max(y, 0.0) or found == 0
        assert found >= expected or plain[found] == 0
        assert tops[found] == tops[expected] or plain[expected] == 0


def test_same_heights_give_the_same_tops_whatever_the_order_of_updates():
    a = Heights([10.1] * 100)
    b = Heights([0.0] * 100)
    for i in reversed(range(100)):
        b.set(i, 10.1)
    assert [a.top(i) for i in range(101)] == [b.top(i) for i in range(101)]
