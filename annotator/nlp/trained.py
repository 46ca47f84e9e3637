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

from itertools import compress
from typing import TYPE_CHECKING, Sequence

import numpy as np

from annotator.core.model import SpanData
from annotator.nlp import crf, fastcrf
from annotator.nlp.model_files import ModelSpec
from annotator.nlp.crf import _SUMMED_IN_C, decode_spans, label_spans, sequenced_words, sequences
from annotator.nlp.features import EntityDictionary, FeatureSet, Featurizer
from annotator.nlp.pos import tags_by_word
from annotator.nlp.refine import SplitTable
from annotator.store.ranges import RangeSet

if TYPE_CHECKING:
    from annotator.nlp.crf import CrfModel

MIN_CONSISTENT_CHARS = 3  # shorter strings are too often parts of other words
_TAGGED = "O".__ne__  # a token a tag source marked


class TrainedModel:
    """A project model ready to tag. Build once per process; not thread-safe."""

    def __init__(self, spec: ModelSpec, bundled: "CrfModel | None" = None) -> None:
        """``bundled``: a loaded bundled model to take the ``bundled`` features from (a
        pre-annotation worker shares its fork server's); None: one is loaded if needed."""
        self.spec = spec
        self.path = spec.path
        settings = spec.settings
        self._tagger = None  # python-crfsuite's, for predict_crfsuite only: opened on first use
        weights = fastcrf.read_model(spec.path)
        table = settings.get("split_table")
        self.table = SplitTable.from_json(table) if table is not None else None  # None: newmm tokens as they are
        dictionary = settings.get("dictionary")
        classes = settings.get("clusters")  # word classes learned at training time, if any
        self.featurizer = Featurizer(
            FeatureSet.from_json(settings["features"]),
            dictionary=EntityDictionary(dictionary) if dictionary is not None else None,
            clusters=classes["words"] if classes else None,
            bundled_model=bundled,
        )
        self.consistent = bool(settings.get("consistent", True))
        self._fast = _FastScores(self.featurizer, weights)
        self.labels = frozenset(lab[2:] for lab in weights.labels if lab[:2] in ("B-", "I-"))

    @property
    def version(self) -> str:
        return self.spec.version

    def predict(self, text: str, tokens: Sequence[tuple[int, int]]) -> list[SpanData]:
        """Entity spans in ``text`` (``tokens``: its newmm offsets), origin "model",
        confidence the lowest marginal of the span's tokens."""
        return self.predict_many([(text, tokens)])[0]

    def predict_many(self, items: Sequence[tuple[str, Sequence[tuple[int, int]]]]) -> list[list[SpanData]]:
        """:meth:`predict` of each (text, tokens), decoded together with numpy
        (annotator/nlp/fastcrf.py): the same spans as crfsuite's tagger gives
        (:meth:`predict_crfsuite`), faster."""
        refined = [(text, self.table.apply(text, tokens) if self.table is not None else tokens)
                   for text, tokens in items]
        parts, words = sequenced_words(refined)  # the bundled model's sequences and words too
        bundled = (self.featurizer._bundled.predict_many(refined, sequenced=(parts, words), as_tags=True)
                   if self.featurizer._bundled is not None  # its labels are features
                   else [None] * len(items))
        tags_of = [self.featurizer.document_tags(text, tokens, bundled_tags=found)
                   for (text, tokens), found in zip(refined, bundled)]
        lengths = [hi - lo for _, lo, hi in parts]
        out: list[list[SpanData]] = [[] for _ in items]
        # State scores for at most STATES_TOKENS tokens at a time, as the bundled model's: a
        # task of long articles would otherwise hold them all (~25 MB per 100,000 tokens)
        for start, end, offset, total in crf.token_groups(lengths, crf.STATES_TOKENS):
            scores = self._fast.scores_many(words[offset:offset + total], lengths[start:end],
                                            _joined([(tags_of[k], lo, hi) for k, lo, hi in parts[start:end]]))
            decode_spans(refined, parts[start:end], lengths[start:end], scores, self._fast.weights,
                         self._fast.outside, out=out)
        if self.consistent:
            out = [make_consistent(text, tokens, spans) for (text, tokens), spans in zip(refined, out)]
        return out

    def predict_crfsuite(self, text: str, tokens: Sequence[tuple[int, int]]) -> list[SpanData]:
        """:meth:`predict` through python-crfsuite's tagger: the reference for the fast path."""
        if self.table is not None:
            tokens = self.table.apply(text, tokens)
        tags = self.featurizer.document_tags(text, tokens)
        if self._tagger is None:
            import pycrfsuite

            self._tagger = pycrfsuite.Tagger()
            self._tagger.open(self.path)
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


class _FastScores:
    """State scores of a :class:`Featurizer`'s attributes under one model, without the
    attribute strings: each word's pieces (itself, and what it gives as each neighbour)
    are cached as summed weight rows; bigrams and source tags are looked up directly.
    The same sums as the attributes :meth:`Featurizer.attributes` lists.

    A token costs a dict lookup for its word and one for its bigram; the row additions
    run in C (``annotator/nlp/_crfc.c``, ``state_scores``) when it is built, else with numpy,
    the same doubles either way."""

    def __init__(self, featurizer: Featurizer, weights: "fastcrf.CrfWeights") -> None:
        self.featurizer = featurizer
        self.weights = weights
        self.outside = weights.labels.index("O") if "O" in weights.labels else -1
        self._rows = fastcrf.RowCache(weights)
        self._ids = weights.attributes
        self._zero = len(weights.attributes)  # the all-zero row of weights.state
        window = self._window = featurizer.features.window
        self._bigram = "bigram" in featurizer._g
        # word (or word and POS, when a word's tag depends on its neighbours) -> its row in
        # _slot_rows: the cache rows of its pieces (row 0 unused, so that a lookup's 0 never
        # stands for a word)
        self._by_word = featurizer._pos is None or tags_by_word(featurizer._pos)
        self._slots: dict[str, int] = {}
        self._slot_rows = np.zeros((1024, 1 + 2 * window), dtype=np.intp)
        # neighbours the model has a bigram attribute for -> their row in _pair_ids: the
        # attribute ids (b-, b+); any other pair is row 0, which adds nothing
        self._pairs, self._pair_ids = _known_pairs(self._ids, self._zero) if self._bigram else ({}, None)
        self._tag_ids: dict[str, dict[str, tuple[int, int, int]]] = {}  # source -> tag -> attribute ids
        self._role_ids = _role_ids(self._ids, window)
        w = weights.state

        def row(name: str) -> np.ndarray:
            return w[self._ids.get(name, self._zero)]

        self._bias = np.ascontiguousarray(row("bias"))
        self._bos = np.array([row(f"-{k}:BOS") for k in range(1, window + 1)]).reshape(window, w.shape[1])
        self._eos = np.array([row(f"+{k}:EOS") for k in range(1, window + 1)]).reshape(window, w.shape[1])

    def _add(self, key: str, word: str, tag: str | None) -> int:
        n = len(self._slots) + 1
        if n >= len(self._slot_rows):
            self._slot_rows = fastcrf.grown(self._slot_rows, n)
        own, near, far = self.featurizer.roles(word, tag)
        self._rows.word_rows((own, near, near, *(far, far) * (self._window - 1)) if self._window else (own,),
                             self._role_ids, self._slot_rows, n)
        self._slots[key] = n
        return n

    def scores(self, words: Sequence[str], tags: dict[str, Sequence[str]]) -> np.ndarray:
        """State scores (tokens, labels) of one sequence."""
        return self.scores_many(words, [len(words)], tags)

    def scores_many(self, words: Sequence[str], lengths: Sequence[int], tags: dict[str, Sequence[str]],
                    compiled: bool | None = None) -> np.ndarray:
        """State scores of sequences of ``lengths`` tokens laid end to end (``words`` and
        each source's ``tags`` too): what :meth:`scores` gives each, made together, as
        numpy's per-call cost is shared; every element is summed in the same order, so
        the scores are the same doubles. ``compiled``: sum the rows in C (default: when it
        is built) or with numpy; the two give the same doubles."""
        f = self.featurizer
        total = len(words)
        if self._by_word:  # a word's tag is its own: tagged only when first met
            keys, pos = words, None
        else:
            pos = []
            at = 0
            for n in lengths:  # tagged sequence by sequence, as when tagged alone
                pos += f._pos(words[at:at + n])
                at += n
            keys = [w + "\x00" + t for w, t in zip(words, pos)]
        slots = list(map(self._slots.get, keys))
        if None in slots:  # the words met for the first time (a repeat is found by get)
            new = [i for i, slot in enumerate(slots) if slot is None]
            if len(self._slots) + len(new) > fastcrf.WORDS_KEPT:  # bound memory: forget every word, and its rows
                self._slots.clear()
                self._rows = fastcrf.RowCache(self.weights)
                new = range(total)
            get, add, pos_of = self._slots.get, self._add, f._pos
            for i in new:
                key, w = keys[i], words[i]
                slots[i] = get(key) or add(key, w, pos[i] if pos is not None
                                           else pos_of([w])[0] if pos_of is not None else None)
        idx = self._slot_rows[np.array(slots, dtype=np.intp)]
        if self._bigram and total > 1:
            pget = self._pairs.get
            both = self._pair_ids[np.array([pget(p, 0) for p in zip(words, words[1:])], dtype=np.intp)]
        else:
            both = None
        lens = np.asarray(lengths, dtype=np.intp)
        ends = np.cumsum(lens)
        starts = ends - lens
        place = np.arange(total) - np.repeat(starts, lens)  # each token's index in its sequence
        size = np.repeat(lens, lens)
        w = self.weights.state
        if compiled is None:
            compiled = _SUMMED_IN_C
        if compiled:
            out = np.empty((total, w.shape[1]))
            fastcrf._crfc.state_scores(self._rows.rows, idx, lens, self._bias, self._bos, self._eos, w,
                                       both if both is not None else np.zeros(0, dtype=np.intp),
                                       w.shape[1], self._window, out)
        else:
            out = self._summed(idx, both, lens, starts, ends, place, size)
        for source, seq in tags.items():
            at = list(compress(range(len(seq)), map(_TAGGED, seq)))  # mostly "O": only the few tagged cost
            if not at:
                continue
            known = self._tag_ids.setdefault(source, {})
            got = [known.get(seq[i]) or self._tag_attributes(source, seq[i]) for i in at]
            own, before, after = np.array(got, dtype=np.intp).T
            at = np.array(at, dtype=np.intp)
            # Each token gets, in this order, what its left neighbour's tag gives as "-1",
            # its own tag, and its right neighbour's as "+1": the order of the attributes
            # of Featurizer.attributes, so the sums are those of scores() alone.
            ok = place[at] + 1 < size[at]
            out[at[ok] + 1] += w[before[ok]]
            out[at] += w[own]
            ok = place[at] > 0
            out[at[ok] - 1] += w[after[ok]]
        return out

    def _summed(self, idx: np.ndarray, both: np.ndarray | None, lens, starts, ends, place, size) -> np.ndarray:
        """The numpy twin of ``_crfc.state_scores``: the pieces' rows, bias, neighbours,
        sequence edges and bigrams of every token."""
        total = len(idx)
        rows = self._rows.rows
        out = rows[idx[:, 0]]
        out += self._bias
        for k in range(1, self._window + 1):
            if total > k:
                # row 0 of the cache is zero: a neighbour in another sequence adds nothing
                prev = np.where(place[k:] >= k, idx[:-k, 2 * k - 1], 0)
                out[k:] += rows[prev]
                nxt = np.where(place[:-k] + k < size[:-k], idx[k:, 2 * k], 0)
                out[:-k] += rows[nxt]
            long_enough = lens >= k
            out[(starts + k - 1)[long_enough]] += self._bos[k - 1]
            out[(ends - k)[long_enough]] += self._eos[k - 1]
        if both is not None:
            w, zero = self.weights.state, self._zero
            inside = place[1:] > 0  # the pair of a sequence's last and the next one's first is no pair
            out[1:] += w[np.where(inside, both[:, 0], zero)]
            out[:-1] += w[np.where(inside, both[:, 1], zero)]
        return out

    def _tag_attributes(self, source: str, tag: str) -> tuple[int, int, int]:
        """Attribute ids of a token-tag source's ``tag``: on the token itself, as the left
        neighbour's tag ("-1") and as the right neighbour's ("+1")."""
        ids, zero = self._ids, self._zero
        got = self._tag_ids[source][tag] = (ids.get(f"{source}={tag}", zero), ids.get(f"{source}-1={tag}", zero),
                                            ids.get(f"{source}+1={tag}", zero))
        return got


def _role_ids(ids: dict[str, int], window: int) -> tuple[dict[str, int], ...]:
    """The model's attribute ids as each role names them, in the order of a word's pieces
    (:meth:`Featurizer._pieces`): its own attributes (``ids`` itself), then what a word
    gives as neighbour -1, +1, -2, +2 …, each keyed without its prefix ("-1:w=x" -> "w=x"),
    so a new word's rows need no prefixed strings."""
    prefixes = [f"{side}{k}:" for k in range(1, window + 1) for side in "-+"]
    by_prefix: dict[str, dict[str, int]] = {p: {} for p in prefixes}
    for name, i in ids.items():
        if name[:1] in "-+":
            head, colon, rest = name.partition(":")
            found = by_prefix.get(head + colon)
            if found is not None:
                found[rest] = i
    return (ids, *(by_prefix[p] for p in prefixes))


def _known_pairs(ids: dict[str, int], zero: int) -> tuple[dict[tuple[str, str], int], np.ndarray]:
    """Every pair of neighbouring words a bigram attribute of the model names (``b-=x|y``,
    ``b+=x|y``) -> its row in the table returned, of the two attributes' ids (``zero``, the
    all-zero row of the weights, for one it lacks); row 0 is neither. A name is split at
    each "|": a word may hold one, and each split is the pair whose joined name it is."""
    index: dict[tuple[str, str], int] = {}
    rows = [[zero, zero]]
    for name, i in ids.items():
        side = 0 if name.startswith("b-=") else 1 if name.startswith("b+=") else -1
        if side < 0:
            continue
        joined = name[3:]
        at = joined.find("|")
        while at >= 0:
            pair = (joined[:at], joined[at + 1:])
            n = index.get(pair)
            if n is None:
                n = index[pair] = len(rows)
                rows.append([zero, zero])
            rows[n][side] = i
            at = joined.find("|", at + 1)
    return index, np.array(rows, dtype=np.intp).reshape(-1, 2)


def _joined(parts: Sequence[tuple[dict[str, list[str]], int, int]]) -> dict[str, list[str]]:
    """Each source's tags of the sequences ``(document's tags, lo, hi)``, one after another."""
    sources = list(dict.fromkeys(source for tags, _, _ in parts for source in tags))
    out: dict[str, list[str]] = {source: [] for source in sources}
    for tags, lo, hi in parts:
        for source in sources:
            seq = tags.get(source)
            out[source] += seq[lo:hi] if seq is not None else ["O"] * (hi - lo)
    return out


def make_consistent(text: str, tokens: Sequence[tuple[int, int]], spans: list[SpanData]) -> list[SpanData]:
    """``spans`` plus, for each labelled string, its other token-aligned occurrences that
    overlap nothing already found (same label; confidence of the first mention)."""
    if not spans:
        return spans
    starts = ends = None  # the token boundaries: made only if an occurrence is still free
    first: dict[str, SpanData] = {}
    for span in spans:
        first.setdefault(text[span.start:span.end], span)
    taken = RangeSet((s.start, s.end) for s in spans)
    out = list(spans)
    for string, span in first.items():
        if len(string) < MIN_CONSISTENT_CHARS:
            continue
        pos = text.find(string)
        while pos != -1:
            end = pos + len(string)
            if not taken.overlaps(pos, end):
                if starts is None:
                    starts, ends = {s for s, _ in tokens}, {e for _, e in tokens}
                if pos in starts and end in ends:
                    out.append(SpanData(pos, end, span.label, origin="model", confidence=span.confidence))
                    taken.add(pos, end)
            pos = text.find(string, pos + 1)
    out.sort(key=lambda s: (s.start, s.end))
    return out
