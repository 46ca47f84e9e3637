"""Entity-level P/R/F1, checked against counts worked out by hand."""

from __future__ import annotations

import pytest

from annotator.evaluation.metrics import Counts, exact_scores, format_scores, partial_scores

# Two documents. Doc 1: gold PER 0-5, ORG 10-20, LOC 30-35; predicted PER 0-5 (exact),
# ORG 10-18 (overlap only), LOC 40-45 (wrong place). Doc 2: gold DATE 0-4;
# predicted DATE 0-4 (exact) and PER 6-9 (spurious).
GOLD = [
    [(0, 5, "PER"), (10, 20, "ORG"), (30, 35, "LOC")],
    [(0, 4, "DATE")],
]
PRED = [
    [(0, 5, "PER"), (10, 18, "ORG"), (40, 45, "LOC")],
    [(0, 4, "DATE"), (6, 9, "PER")],
]


def test_exact_counts_per_label_and_micro():
    s = exact_scores(GOLD, PRED)
    assert s.per_label == {
        "DATE": Counts(1, 0, 0),
        "LOC": Counts(0, 1, 1),
        "ORG": Counts(0, 1, 1),
        "PER": Counts(1, 1, 0),
    }
    m = s.micro
    assert (m.tp, m.fp, m.fn) == (2, 3, 2)
    assert m.precision == pytest.approx(2 / 5)
    assert m.recall == pytest.approx(2 / 4)
    assert m.f1 == pytest.approx(2 * 0.4 * 0.5 / 0.9)  # 0.4444
    assert s.per_label["PER"].f1 == pytest.approx(2 * 0.5 * 1.0 / 1.5)
    assert s.macro_f1 == pytest.approx((1.0 + 0 + 0 + 2 / 3) / 4)


def test_partial_counts_overlap_with_same_label():
    s = partial_scores(GOLD, PRED)
    assert s.per_label["ORG"] == Counts(1, 0, 0)  # 10-18 overlaps 10-20
    assert s.per_label["LOC"] == Counts(0, 1, 1)  # 40-45 misses 30-35
    m = s.micro
    assert (m.tp, m.fp, m.fn) == (3, 2, 1)
    assert m.f1 == pytest.approx(2 * 0.6 * 0.75 / 1.35)


def test_partial_needs_the_same_label():
    s = partial_scores([[(0, 10, "ORG")]], [[(0, 10, "LOC")]])
    assert s.micro == Counts(0, 1, 1)


def test_partial_matches_one_to_one():
    # Two predictions inside one gold entity: only one of them is right.
    s = partial_scores([[(0, 10, "ORG")]], [[(0, 3, "ORG"), (5, 9, "ORG")]])
    assert s.micro == Counts(1, 1, 0)
    # A maximum matching, not a greedy first-come one: the long prediction must go to
    # the second gold entity so the short one can take the first.
    s = partial_scores([[(0, 4, "X"), (6, 10, "X")]], [[(2, 8, "X"), (0, 1, "X")]])
    assert s.micro == Counts(2, 0, 0)


def test_duplicates_count_once_each():
    s = exact_scores([[(0, 2, "A")]], [[(0, 2, "A"), (0, 2, "A")]])
    assert s.micro == Counts(1, 1, 0)


def test_empty_inputs_score_zero_not_error():
    s = exact_scores([[]], [[]])
    assert s.micro == Counts() and s.micro.f1 == 0.0 and s.macro_f1 == 0.0


def test_document_counts_must_agree():
    with pytest.raises(ValueError):
        exact_scores([[]], [[], []])


def test_format_scores_lists_labels_and_micro():
    table = format_scores(exact_scores(GOLD, PRED), "exact")
    lines = table.splitlines()
    assert lines[0] == "exact"
    assert [ln.split()[0] for ln in lines[2:]] == ["DATE", "LOC", "ORG", "PER", "micro"]
    assert lines[-1].split()[1:] == ["4", "5", "0.400", "0.500", "0.444"]
