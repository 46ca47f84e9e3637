"""RangeSet answers as a check against every range would, on random ranges (spans are
never empty, so neither are the ranges)."""

from __future__ import annotations

import random

from annotator.store.ranges import RangeSet


def _naive(start, end, ranges):
    return start < end and any(s < end and start < e for s, e in ranges)


def test_overlaps_as_a_check_against_every_range():
    rng = random.Random(7)
    for _ in range(300):
        ranges = [(a, a + rng.randint(1, 6)) for a in (rng.randint(0, 60) for _ in range(rng.randint(0, 12)))]
        taken = RangeSet(ranges)
        added = list(ranges)
        for _ in range(30):
            s = rng.randint(0, 70)
            e = s + rng.randint(1, 8)
            assert taken.overlaps(s, e) == _naive(s, e, added), (ranges, added, s, e)
            if rng.random() < 0.4:
                taken.add(s, e)
                added.append((s, e))


def test_touching_ranges_do_not_overlap():
    taken = RangeSet([(0, 5), (10, 12)])
    assert not taken.overlaps(5, 10) and taken.overlaps(4, 6) and taken.overlaps(11, 20)
    taken.add(5, 10)
    assert len(taken) == 1 and not taken.overlaps(12, 13) and taken.overlaps(9, 10)
