"""Tagging with a CRF trained inside a project.

A project model is the crfsuite file plus the settings that rebuild its input: the
feature set (:mod:`annotator.nlp.features`), the token split table
(:mod:`annotator.nlp.refine`), the entity dictionary learned from the gold and the word
classes learned from the project's text (:mod:`annotator.nlp.clusters`). A
:class:`ModelSpec` carries the file's path and those settings to worker processes;
:class:`TrainedModel` tags with it, with the same ``predict(text, tokens)`` as the
bundled :class:`annotator.nlp.crf.CrfModel`, so :class:`annotator.nlp.suggest.Suggester`
uses either.

After tagging, a string the model labelled once in a document is labelled the same
wherever else it stands in that document on token boundaries and nothing else was found
(``consistent``): news repeats names, and the second mention often has less context.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator, Sequence

from annotator.core.model import SpanData
from annotator.nlp.crf import label_spans, sequences
from annotator.nlp.features import EntityDictionary, FeatureSet, Featurizer
from annotator.nlp.refine import SplitTable

MIN_CONSISTENT_CHARS = 3  # shorter strings are too often parts of other words


@dataclass(frozen=True)
class ModelSpec:
    """What a process needs to load a project model. Picklable."""

    path: str
    version: str
    settings: dict[str, Any] = field(hash=False, compare=False)


class TrainedModel:
    """A project model ready to tag. Build once per process; not thread-safe."""

    def __init__(self, spec: ModelSpec) -> None:
        import pycrfsuite

        self.spec = spec
        self.path = spec.path
        settings = spec.settings
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(spec.path)
        table = settings.get("split_table")
        self.table = SplitTable.from_json(table) if table is not None else None  # None: newmm tokens as they are
        dictionary = settings.get("dictionary")
        classes = settings.get("clusters")  # word classes learned at training time, if any
        self.featurizer = Featurizer(
            FeatureSet.from_json(settings["features"]),
            dictionary=EntityDictionary(dictionary) if dictionary is not None else None,
            clusters=classes["words"] if classes else None,
        )
        self.consistent = bool(settings.get("consistent", True))
        self.labels = frozenset(lab[2:] for lab in self._tagger.labels() if lab[:2] in ("B-", "I-"))

    @property
    def version(self) -> str:
        return self.spec.version

    def predict(self, text: str, tokens: Sequence[tuple[int, int]]) -> list[SpanData]:
        """Entity spans in ``text`` (``tokens``: its newmm offsets), origin "model",
        confidence the lowest marginal of the span's tokens."""
        if self.table is not None:
            tokens = self.table.apply(text, tokens)
        tags = self.featurizer.document_tags(text, tokens)
        tagger = self._tagger
        spans: list[SpanData] = []
        for lo, hi in sequences(text, tokens):
            words = [text[s:e] for s, e in tokens[lo:hi]]
            attrs = self.featurizer.attributes(words, {k: v[lo:hi] for k, v in tags.items()})
            labels = tagger.tag(attrs)
            marginal = tagger.marginal
            probs = [marginal(y, i) if y != "O" else 0.0 for i, y in enumerate(labels)]
            spans += label_spans(text, tokens[lo:hi], labels, probs)
        if self.consistent:
            spans = make_consistent(text, tokens, spans)
        return spans


def make_consistent(text: str, tokens: Sequence[tuple[int, int]], spans: list[SpanData]) -> list[SpanData]:
    """``spans`` plus, for each labelled string, its other token-aligned occurrences that
    overlap nothing already found (same label; confidence of the first mention)."""
    if not spans:
        return spans
    starts = {s for s, _ in tokens}
    ends = {e for _, e in tokens}
    first: dict[str, SpanData] = {}
    for span in spans:
        first.setdefault(text[span.start:span.end], span)
    taken = [(s.start, s.end) for s in spans]
    out = list(spans)
    for string, span in first.items():
        if len(string) < MIN_CONSISTENT_CHARS:
            continue
        pos = text.find(string)
        while pos != -1:
            end = pos + len(string)
            if pos in starts and end in ends and not any(a < end and pos < b for a, b in taken):
                out.append(SpanData(pos, end, span.label, origin="model", confidence=span.confidence))
                taken.append((pos, end))
            pos = text.find(string, pos + 1)
    out.sort(key=lambda s: (s.start, s.end))
    return out


@contextmanager
def materialize(project, which: str | int | None = "suggesting") -> Iterator[ModelSpec | None]:
    """The project's model ``which`` (``suggesting``, ``latest``, an id, or ``bundled``) as a
    :class:`ModelSpec` whose file lives in a temporary folder for as long as the block
    runs (worker processes open it by path). None: the bundled model."""
    from annotator.store import models

    record = models.resolve(project, which)
    if record is None:
        yield None
        return
    folder = tempfile.mkdtemp(prefix="annotator-model-")
    try:
        path = os.path.join(folder, f"{record.version}.crfsuite")
        with open(path, "wb") as fh:
            fh.write(models.model_data(project, record.id))
        yield ModelSpec(path, record.version, record.settings)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
