"""Offline entity suggestions: the ThaiNER CRF, regular-expression rules and word lists.

:class:`Suggester` runs the three and merges their candidates into non-overlapping
spans. Merge policy (measured on the ThaiNER 1.5.1 val split with
``benchmarks/bench_suggestions.py --compare-merge``):

* rules: a rule span replaces the model spans it overlaps when it covers them all
  (``cover``), so ``[10.00] น.`` from the model becomes ``[10.00 น.]``, while a rule
  ``พ.ศ. 2499`` inside a model LAW span leaves the LAW alone; where the model found
  nothing, the rule span is added.
* gazetteer: place names only, by the same ``cover`` rule (``[จังหวัดตรัง]`` over a
  model ``จังหวัด[ตรัง]``). Titled person names from the name lists lowered F1
  slightly on both val and train (the CRF already finds nearly all of them), so
  they are off unless ``Suggester(person_names=True)``.

Exact-match micro F1 on val: CRF alone 0.824, + rules 0.828, + places 0.830.

For a process pool, :func:`suggest_tuples` is a plain function of the text that builds
one Suggester per worker process on first call.
Offsets are code points, end-exclusive.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Sequence

from annotator.core.model import SpanData
from annotator.nlp import gazetteer, person_spans, rules
from annotator.nlp.tokenizer import tokenize

if TYPE_CHECKING:  # imported when a Suggester is made: suggester_version needs no numpy
    from annotator.nlp.crf import CrfModel

MERGE_MODES = ("off", "fill", "cover", "cover-or-same", "override")


@dataclass(frozen=True)
class MergePolicy:
    """How rule and gazetteer candidates treat the model spans they overlap.

    ``off``: source not used. ``fill``: added only where nothing overlaps.
    ``cover``: replaces what it overlaps if it contains all of it, else dropped.
    ``cover-or-same``: as cover, or also when everything it overlaps has its label.
    ``override``: always replaces what it overlaps.
    """

    rules: str = "cover"
    gazetteer: str = "cover"

    def __post_init__(self) -> None:
        for mode in (self.rules, self.gazetteer):
            if mode not in MERGE_MODES:
                raise ValueError(f"unknown merge mode {mode!r}; known: {', '.join(MERGE_MODES)}")


DEFAULT_POLICY = MergePolicy()


def merge(base: Sequence[SpanData], extra: Sequence[SpanData], mode: str) -> list[SpanData]:
    """``base`` (non-overlapping) with ``extra`` candidates merged in by ``mode``.

    ``extra`` must itself be non-overlapping; the result is non-overlapping and sorted.
    """
    out = sorted(base, key=lambda s: s.start)
    if mode == "off" or not extra:
        return out
    starts = [s.start for s in out]  # kept in step with out
    for cand in extra:
        # Spans overlapping cand: those starting before cand.end, from the first whose
        # end is past cand.start (out is sorted and non-overlapping, so ends are sorted).
        lo = bisect_left(starts, cand.start)
        if lo and out[lo - 1].end > cand.start:
            lo -= 1
        hi = bisect_left(starts, cand.end, lo)
        hit = out[lo:hi]
        if not hit:
            out.insert(lo, cand)
            starts.insert(lo, cand.start)
        elif _replaces(cand, hit, mode):
            out[lo:hi] = [cand]
            starts[lo:hi] = [cand.start]
    return out


def _replaces(cand: SpanData, hit: Sequence[SpanData], mode: str) -> bool:
    if mode == "override":
        return True
    if mode == "fill":
        return False
    covers = cand.start <= hit[0].start and hit[-1].end <= cand.end
    if mode == "cover":
        return covers
    return covers or all(h.label == cand.label for h in hit)  # cover-or-same


class Suggester:
    """CRF + rules + gazetteer. Build once per process and reuse; not thread-safe (the
    crfsuite tagger holds the sequence being tagged), so one per thread.

    ``model_path`` None means the bundled ThaiNER 1.5.1 model. ``person_names`` adds
    titled names from pythainlp's name lists to the gazetteer (off: see module doc).
    ``model`` is a ready tagger with ``predict(text, tokens)``, ``labels`` and ``version``
    instead, such as a project's trained model (:class:`annotator.nlp.trained.TrainedModel`).
    """

    def __init__(self, model_path: str | None = None, policy: MergePolicy = DEFAULT_POLICY,
                 person_names: bool = False, model: object | None = None) -> None:
        self.policy = policy
        if model is None:
            from annotator.nlp.crf import CrfModel

            model = CrfModel(model_path)
        self.model = model
        self._gazetteer = None
        if policy.gazetteer != "off":
            self._gazetteer = gazetteer.Gazetteer(places=True, persons=person_names)
        self._version = suggester_version(self.model.version, policy, person_names)

    @property
    def version(self) -> str:
        """What made the suggestions, to store with them: ``thainer-crf-1.5.1+rules-1+person-1+gaz-2``."""
        return self._version

    def suggest(self, text: str, tokens: Sequence[tuple[int, int]] | None = None) -> list[SpanData]:
        """Non-overlapping suggestions sorted by start, state "suggested".

        ``tokens`` are the newmm (start, end) offsets of ``text``; computed when None.
        Every span has origin model/rule/gazetteer and a confidence in [0, 1].
        """
        if tokens is None:
            tokens = tokenize(text)
        return self._merge(text, tokens, self.model.predict(text, tokens))

    def suggest_many(self, items: Sequence[tuple[str, Sequence[tuple[int, int]]]]) -> list[list[SpanData]]:
        """:meth:`suggest` of each (text, tokens), the model tagging them all in one batch
        when it can (:meth:`annotator.nlp.crf.CrfModel.predict_many`): the same spans,
        faster per document."""
        many = getattr(self.model, "predict_many", None)
        found = many(items) if many is not None else [self.model.predict(t, k) for t, k in items]
        return [self._merge(text, tokens, spans) for (text, tokens), spans in zip(items, found)]

    def _merge(self, text: str, tokens: Sequence[tuple[int, int]], spans: list[SpanData]) -> list[SpanData]:
        if self.policy.rules != "off":
            spans = merge(person_spans.trim_positions(text, spans), rules.find(text), self.policy.rules)
        if self._gazetteer is not None:
            spans = merge(spans, self._gazetteer.find(text, tokens), self.policy.gazetteer)
        return spans


def suggester_version(model_version: str, policy: MergePolicy = DEFAULT_POLICY, person_names: bool = False) -> str:
    """The version a :class:`Suggester` with a model of ``model_version`` stores."""
    parts = [model_version]
    if policy.rules != "off":
        parts.append(rules.VERSION)
        parts.append(person_spans.VERSION)
    if policy.gazetteer != "off":
        parts.append(gazetteer.VERSION + ("+names" if person_names else ""))
    return "+".join(parts)


@lru_cache(maxsize=1)
def default_suggester() -> Suggester:
    """The process's Suggester with the bundled model, built on first use."""
    return Suggester()


def suggest_tuples(text: str) -> list[tuple[int, int, str, str, float | None]]:
    """``(start, end, label, origin, confidence)`` of each suggestion for ``text``.

    A module-level pure function of the text, cheap to pickle, for process-pool workers:
    the first call in a worker builds its Suggester, later calls reuse it. The version
    to record with the results is ``default_suggester().version``.
    """
    return [(s.start, s.end, s.label, s.origin, s.confidence)
            for s in default_suggester().suggest(text)]
