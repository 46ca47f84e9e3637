"""Character ranges already taken in a document, to drop suggestions that would overlap them,
and the spans standing at a place.

A check against every taken range is linear, and a document's suggestions are checked one
after another: on a 500-span article, propagating a frequent word did tens of thousands of
comparisons per keystroke. Here the union of the ranges is kept as sorted, disjoint
intervals, so a check is two bisections.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import accumulate
from typing import Callable, Iterable, Sequence


class RangeSet:
    """Half-open ranges ``[start, end)``; :meth:`overlaps` is True when a range shares a
    character with any range added. Ranges that overlap or touch are merged: that changes
    no answer, since nothing fits between touching ranges."""

    def __init__(self, ranges: Iterable[tuple[int, int]] = ()) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        for start, end in sorted(ranges):
            if start >= end:
                continue
            if self._ends and start <= self._ends[-1]:
                self._ends[-1] = max(self._ends[-1], end)
            else:
                self._starts.append(start)
                self._ends.append(end)

    def overlaps(self, start: int, end: int) -> bool:
        if start >= end:
            return False
        i = bisect_right(self._starts, start) - 1  # the last interval starting at or before start
        if i >= 0 and self._ends[i] > start:
            return True
        return i + 1 < len(self._starts) and self._starts[i + 1] < end

    def add(self, start: int, end: int) -> None:
        if start >= end:
            return
        lo = bisect_left(self._ends, start)  # the first interval ending at or after start
        hi = bisect_right(self._starts, end)  # past the last interval starting at or before end
        if lo < hi:
            start, end = min(start, self._starts[lo]), max(end, self._ends[hi - 1])
        self._starts[lo:hi] = [start]
        self._ends[lo:hi] = [end]

    def __len__(self) -> int:
        return len(self._starts)


def overlap_finder(spans: Sequence) -> Callable[[int, int], list]:
    """A function giving the spans (objects with ``start`` and ``end``) that share a
    character with [start, end): two bisects over the spans sorted by start, with a
    running maximum of their ends, not a pass over a long article's hundreds of spans
    for each place asked about."""
    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    starts = [s.start for s in ordered]
    reach = list(accumulate((s.end for s in ordered), max))

    def overlapping(start: int, end: int) -> list:
        lo, hi = bisect_right(reach, start), bisect_left(starts, end)
        return [s for s in ordered[lo:hi] if s.end > start]
    return overlapping
