"""Spans of utterances (first and last position, both included) added one at a time, and the
question an import asks of each new code: does an added span share an utterance with it?

The coding form asks the database for one code (``services.coding._refuse_overlap``); an import
of 100,000 codes asked it 100,000 times. Here the spans of one item (of one rater, actor and
target) sit in a Fenwick tree over their first positions that keeps, for each prefix of
positions, the span reaching furthest: a span [lo, hi] overlaps an added one exactly when, among
the spans that start at or before ``hi``, the one reaching furthest reaches ``lo``. Adding and
asking take O(log n), an import of n codes O(n log n).
"""

from __future__ import annotations

from typing import Any


class SpanIndex:
    """Spans over positions 0 .. ``size`` - 1; each added with a reference to name it by."""

    def __init__(self, size: int):
        self._size = max(size, 1)
        self._tree: dict[
            int, tuple[int, int, Any]
        ] = {}  # node -> (end, start, ref) reaching furthest

    def add(self, lo: int, hi: int, ref: Any) -> None:
        lo, hi = min(lo, hi), max(lo, hi)
        if not 0 <= lo < self._size:
            raise ValueError(f"position {lo} is outside 0..{self._size - 1}")
        i = lo + 1
        while i <= self._size:
            held = self._tree.get(i)
            if held is None or hi > held[0]:
                self._tree[i] = (hi, lo, ref)
            i += i & -i

    def overlapping(self, lo: int, hi: int) -> tuple[int, int, Any] | None:
        """(first, last, ref) of an added span sharing a position with [lo, hi], or None."""
        lo, hi = min(lo, hi), max(lo, hi)
        best: tuple[int, int, Any] | None = None
        i = min(hi + 1, self._size)
        while i > 0:
            held = self._tree.get(i)
            if held is not None and (best is None or held[0] > best[0]):
                best = held
            i -= i & -i
        if best is None or best[0] < lo:
            return None
        return best[1], best[0], best[2]
