"""Entity-level precision, recall and F1.

Entities are ``(start, end, label)`` tuples: code-point offsets, end-exclusive. Every
function takes one sequence of entities per document, gold and predicted in the same
document order, and counts per label; the micro average sums the counts over labels.

* exact: a prediction is right when a gold entity has the same start, end and label.
* partial: a prediction is right when it overlaps a gold entity of the same label; each
  gold entity can make at most one prediction right (a maximum one-to-one matching).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Sequence

Entity = tuple[int, int, str]


@dataclass(frozen=True)
class Counts:
    """True positives, false positives and false negatives of one label (or all)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """tp / predicted; 0.0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """tp / gold; 0.0 when there is no gold entity."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def gold(self) -> int:
        return self.tp + self.fn

    @property
    def predicted(self) -> int:
        return self.tp + self.fp

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)


@dataclass(frozen=True)
class Scores:
    """Counts per label and their micro average."""

    per_label: dict[str, Counts] = field(default_factory=dict)

    @property
    def micro(self) -> Counts:
        return sum(self.per_label.values(), Counts())

    @property
    def macro_f1(self) -> float:
        """Unweighted mean of the per-label F1 (labels seen in gold or predictions)."""
        if not self.per_label:
            return 0.0
        return sum(c.f1 for c in self.per_label.values()) / len(self.per_label)


def exact_scores(gold: Sequence[Iterable[Entity]], pred: Sequence[Iterable[Entity]]) -> Scores:
    """Scores where only identical (start, end, label) counts as a match."""
    _check(gold, pred)
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for g_doc, p_doc in zip(gold, pred):
        g, p = Counter(g_doc), Counter(p_doc)
        for ent, n in (g & p).items():
            tp[ent[2]] += n
        for ent, n in (p - g).items():
            fp[ent[2]] += n
        for ent, n in (g - p).items():
            fn[ent[2]] += n
    return _scores(tp, fp, fn)


def partial_scores(gold: Sequence[Iterable[Entity]], pred: Sequence[Iterable[Entity]]) -> Scores:
    """Scores where any overlap with a same-label gold entity counts as a match."""
    _check(gold, pred)
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for g_doc, p_doc in zip(gold, pred):
        g_by: dict[str, list[Entity]] = defaultdict(list)
        p_by: dict[str, list[Entity]] = defaultdict(list)
        for e in g_doc:
            g_by[e[2]].append(e)
        for e in p_doc:
            p_by[e[2]].append(e)
        for label in g_by.keys() | p_by.keys():
            g_list, p_list = g_by.get(label, []), p_by.get(label, [])
            matched = _overlap_matching(g_list, p_list)
            tp[label] += matched
            fp[label] += len(p_list) - matched
            fn[label] += len(g_list) - matched
    return _scores(tp, fp, fn)


def _overlap_matching(gold: list[Entity], pred: list[Entity]) -> int:
    """Size of a maximum one-to-one matching of overlapping intervals.

    Greedy is optimal for intervals: take predictions by increasing end and give each
    the overlapping, still free gold entity that ends first.
    """
    free = sorted(gold, key=lambda e: (e[1], e[0]))
    used = [False] * len(free)
    matched = 0
    for ps, pe, _ in sorted(pred, key=lambda e: (e[1], e[0])):
        for k, (gs, ge, _) in enumerate(free):
            if not used[k] and gs < pe and ps < ge:
                used[k] = True
                matched += 1
                break
    return matched


def _scores(tp: Counter[str], fp: Counter[str], fn: Counter[str]) -> Scores:
    labels = sorted(set(tp) | set(fp) | set(fn))
    return Scores({lab: Counts(tp[lab], fp[lab], fn[lab]) for lab in labels})


def _check(gold: Sequence[object], pred: Sequence[object]) -> None:
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold documents but {len(pred)} predicted")


def format_scores(scores: Scores, title: str = "") -> str:
    """A plain-text table: one row per label, then the micro average."""
    rows = [f"{title}" if title else ""]
    rows.append(f"{'label':<14}{'gold':>6}{'pred':>6}{'P':>8}{'R':>8}{'F1':>8}")
    items = list(scores.per_label.items()) + [("micro", scores.micro)]
    for label, c in items:
        rows.append(f"{label:<14}{c.gold:>6}{c.predicted:>6}"
                    f"{c.precision:>8.3f}{c.recall:>8.3f}{c.f1:>8.3f}")
    return "\n".join(r for r in rows if r)
