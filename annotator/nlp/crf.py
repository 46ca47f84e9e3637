"""ThaiNER CRF: token features and a wrapper around a python-crfsuite model.

The bundled model is pythainlp's ``thainer_crf_1_5_1.model`` (ThaiNER 1.5.1, trained on
newmm tokens with LST20-style POS tags). Its attribute names are those of the ThaiNER
1.5 training notebook, which differ from ``pythainlp/tag/thainer.py`` (``word.isdigit()``
with parentheses, ``word.prepostag`` not ``prevpostag``). :func:`features` reproduces
them, so the same function serves for tagging with the bundled model and for training
new models on project data (``pycrfsuite.Trainer.append(features(words, tags), labels)``).

Offsets everywhere are code points, end-exclusive.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress, repeat
from operator import is_
from typing import Callable, Iterator, Sequence

import numpy as np

from annotator.core.model import SpanData
from annotator.nlp import fastcrf
from annotator.nlp.model_files import BUNDLED_MODEL_FILE, BUNDLED_VERSION

# A CRF sequence is one line; lines longer than this many tokens are cut (at a space
# token when there is one in the last quarter) so one run-on paragraph cannot make a
# single huge sequence. 99% of ThaiNER train lines have at most 202 newmm tokens, the
# longest 324; on val, cutting at 300 scores as well as not cutting, at 100 a little lower.
MAX_SEQUENCE = 300
DECODE_TOKENS = 12_000  # tokens decoded together by the fast path (about 16 median articles)
# Tokens whose state scores are held at once. Four times as many (a whole task of median
# articles) took the same CPU in one process and 8 MB more in each pre-annotation worker.
STATES_TOKENS = DECODE_TOKENS

PosTagger = Callable[[Sequence[str]], list[str]]


def bundled_model_path() -> str:
    """Path of the ThaiNER 1.5.1 CRF model shipped inside the pythainlp package."""
    import pythainlp

    return os.path.join(os.path.dirname(pythainlp.__file__), "corpus", BUNDLED_MODEL_FILE)


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """pythainlp's Thai stop words, loaded once."""
    from pythainlp.corpus import thai_stopwords

    return thai_stopwords()


def is_thai_word(word: str) -> bool:
    """True if every character is in the Thai block (U+0E00-U+0E7F) or is ".".

    The notebook lets "." through so abbreviations such as ``ก.ย.`` count as Thai.
    """
    return _THAI_WORD.fullmatch(word) is not None


_THAI_WORD = re.compile("[.\u0e00-\u0e7f]+")


# Attribute names by role: the word itself, its left neighbour, its right neighbour.
_CUR, _PREV, _NEXT = 0, 1, 2
_WORD_NAMES = ("word.word", "word.prevword", "word.nextword")
_POS_NAMES = ("postag", "word.prepostag", "word.nextpostag")  # sic: "prepostag"
_FLAG_NAMES = (  # in the order of _flags()
    ("word.stopword", "word.prevstopword", "word.nextstopword"),
    ("word.isthai", "word.previsthai", "word.nextisthai"),
    ("word.isspace", "word.previsspace", "word.nextisspace"),
    ("word.isdigit()", "word.prevwordisdigit", "word.nextwordisdigit"),
)


def _flags(word: str) -> tuple[bool, bool, bool, bool]:
    return word in stopwords(), is_thai_word(word), word.isspace(), word.isdigit()


def _word_features(word: str, tag: str | None, role: int) -> dict[str, str | bool]:
    """The features one word contributes to a token in ``role`` (_CUR, _PREV, _NEXT)."""
    flags = _flags(word)
    f: dict[str, str | bool] = {_WORD_NAMES[role]: word}
    for on, names in zip(flags, _FLAG_NAMES):
        if on:
            f[names[role]] = True
    if role == _CUR and flags[3] and len(word) == 5:
        f["word.islen5"] = True  # five digits: a postcode
    if tag is not None:
        f[_POS_NAMES[role]] = tag
    return f


def _known_words(ids: dict[str, int]) -> dict[str, tuple[int | None, int | None, int | None]]:
    """Each word the model has a word attribute for -> the ids of "word.word:", of
    "word.prevword:" and of "word.nextword:" with it (None where it lacks one): what a new
    word's three lookups of the prefixed names would find, in one lookup of the word."""
    out: dict[str, list[int | None]] = {}
    for role, name in enumerate(_WORD_NAMES):
        head = name + ":"
        for attr, i in ids.items():
            if attr.startswith(head) and len(attr) > len(head):
                out.setdefault(attr[len(head):], [None, None, None])[role] = i
    return {word: tuple(found) for word, found in out.items()}


def features(words: Sequence[str], tags: Sequence[str] | None = None) -> list[dict[str, str | bool]]:
    """Features of each word, with the bundled model's attribute names and meanings.

    ``tags`` are LST20-style POS tags, one per word, or None to leave the POS features
    out. Booleans that are false are left out: python-crfsuite gives a false value
    weight 0, which is the same as absent. python-crfsuite turns a string value into the
    attribute ``name:value`` and ``True`` into ``name`` with weight 1.
    """
    n = len(words)
    pos: Sequence[str | None] = tags if tags is not None else [None] * n
    out: list[dict[str, str | bool]] = []
    for i, word in enumerate(words):
        f = _word_features(word, pos[i], _CUR)
        if i > 0:
            f.update(_word_features(words[i - 1], pos[i - 1], _PREV))
        else:
            f["BOS"] = True
        if i < n - 1:
            f.update(_word_features(words[i + 1], pos[i + 1], _NEXT))
        else:
            f["EOS"] = True
        out.append(f)
    return out


def _as_strings(f: dict[str, str | bool]) -> list[str]:
    """Attribute strings python-crfsuite would make of a feature dict (weight 1 each)."""
    return [f"{k}:{v}" if isinstance(v, str) else k for k, v in f.items() if v]


class _AttributeCache:
    """Attribute strings per (word, POS tag), computed once per distinct pair.

    The hot path hands crfsuite lists of ``name:value`` strings, the same attributes as
    :func:`features`. Each token's list is three cached pieces joined: its own (as
    the current word), its left neighbour's (as the previous word) and its right
    neighbour's (as the next word). News repeats its vocabulary, so nearly every lookup
    is a hit and a token costs one dict lookup and two list joins.
    """

    def __init__(self, max_entries: int = 300_000) -> None:
        self._pieces: dict[tuple[str, str | None], tuple[list[str], ...]] = {}
        self._max = max_entries

    def _add(self, key: tuple[str, str | None]) -> tuple[list[str], ...]:
        if len(self._pieces) >= self._max:  # bound memory on endless input
            self._pieces.clear()
        word, tag = key
        got = self._pieces[key] = tuple(
            _as_strings(_word_features(word, tag, role)) for role in (_CUR, _PREV, _NEXT)
        )
        return got

    def attributes(self, words: Sequence[str], tags: Sequence[str] | None) -> list[list[str]]:
        """Same attributes as :func:`features`, as crfsuite strings."""
        n = len(words)
        if n == 0:
            return []
        get = self._pieces.get
        keys = zip(words, tags) if tags is not None else ((w, None) for w in words)
        p = [get(k) or self._add(k) for k in keys]
        if n == 1:
            return [p[0][_CUR] + ["BOS", "EOS"]]
        out = [p[0][_CUR] + p[1][_NEXT] + ["BOS"]]
        out += [cur[_CUR] + left[_PREV] + right[_NEXT]
                for left, cur, right in zip(p, p[1:], p[2:])]
        out.append(p[-1][_CUR] + p[-2][_PREV] + ["EOS"])
        return out


def _default_pos() -> PosTagger:
    from annotator.nlp.pos import lst20_tags

    return lst20_tags


_DEFAULT = object()
_SUMMED_IN_C = fastcrf.COMPILED and hasattr(fastcrf._crfc, "state_scores")  # an older build lacks it
_NO_PAIRS = np.zeros(0, dtype=np.intp)  # the bundled model has no bigram attributes
_SEQUENCED_IN_C = fastcrf.COMPILED and hasattr(fastcrf._crfc, "sequenced_words")


def token_groups(lengths: Sequence[int], most: int) -> Iterator[tuple[int, int, int, int]]:
    """(start, end, offset, total) of consecutive groups of sequences of ``lengths`` holding
    at most ``most`` tokens each (or one longer sequence alone): sequences start .. end-1,
    their tokens offset .. offset+total-1."""
    start = offset = 0
    while start < len(lengths):
        end, total = start, 0
        while end < len(lengths) and (end == start or total + lengths[end] <= most):
            total += lengths[end]
            end += 1
        yield start, end, offset, total
        start, offset = end, offset + total


def sequenced_words(items: Sequence[tuple[str, Sequence[tuple[int, int]]]], compiled: bool | None = None
                    ) -> tuple[list[tuple[int, int, int]], list[str]]:
    """The sequences of every (text, tokens) of ``items`` as (item, lo, hi) token ranges,
    and the words of all of them, one sequence after another. In C when it is built
    (``_crfc.sequenced_words``; ``compiled`` False: in Python), the same lists."""
    if compiled is None:
        compiled = _SEQUENCED_IN_C
    if compiled:
        found = fastcrf._crfc.sequenced_words(items if isinstance(items, (list, tuple)) else list(items), MAX_SEQUENCE)
        if found is not NotImplemented:
            return found
    parts: list[tuple[int, int, int]] = []
    words: list[str] = []
    for k, (text, tokens) in enumerate(items):
        for lo, hi in sequences(text, tokens):
            parts.append((k, lo, hi))
            words += [text[s:e] for s, e in tokens[lo:hi]]
    return parts, words


class CrfModel:
    """A python-crfsuite model tagging newmm tokens with ThaiNER-style IOB labels.

    ``pos`` maps words to LST20 tags (default: :func:`annotator.nlp.pos.lst20_tags`);
    None leaves POS features out, for models trained without them.
    Build once per process and reuse: opening the model and warming the caches costs
    far more than tagging one article. Not thread-safe: the crfsuite tagger holds the
    sequence being tagged.
    """

    def __init__(self, path: str | None = None, pos: PosTagger | None | object = _DEFAULT) -> None:
        import pycrfsuite

        self.path = path or bundled_model_path()
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(self.path)
        self._pos: PosTagger | None = (
            _default_pos() if pos is _DEFAULT else pos  # type: ignore[assignment]
        )
        self._cache = _AttributeCache()
        # Entity labels the model can produce (without B-/I-), e.g. PERSON, DATE.
        self.labels = frozenset(
            lab[2:] for lab in self._tagger.labels() if lab[:2] in ("B-", "I-")
        )
        # The fast path (annotator/nlp/fastcrf.py): the same attributes, summed as cached
        # weight rows, decoded in batches with numpy. With the default POS lookup a word
        # has one tag, so rows are cached per word and the lookup runs on a miss only.
        self._weights = fastcrf.read_model(self.path)
        self._rows = fastcrf.RowCache(self._weights)
        self._word_keys = pos is _DEFAULT
        self._triples: dict[object, int] = {}  # word (or word, tag) -> row of _table
        self._table = np.zeros((4096, 3), dtype=np.intp)  # its rows as current, previous, next word
        self._n_triples = 1  # 0 is never used: a dict miss is None, never 0
        self._alike: dict[tuple, list[int]] = {}  # what makes a word's rows -> those rows
        self._known_words: dict[str, tuple] | None = None  # word -> its word attributes' ids, made on first use
        ids, w = self._weights.attributes, self._weights.state
        self._bos = w[ids["BOS"]] if "BOS" in ids else np.zeros(w.shape[1])
        self._eos = w[ids["EOS"]] if "EOS" in ids else np.zeros(w.shape[1])
        self._zeros = np.zeros(w.shape[1])  # no bias attribute: _crfc.state_scores adds this
        self._outside = self._weights.labels.index("O") if "O" in self._weights.labels else -1

    @property
    def version(self) -> str:
        if os.path.basename(self.path) == BUNDLED_MODEL_FILE:
            return BUNDLED_VERSION
        return "crf:" + os.path.basename(self.path)

    def tag_words(self, words: Sequence[str]) -> tuple[list[str], list[float]]:
        """IOB labels of one sequence, and the marginal probability of each label."""
        if not words:
            return [], []
        tags = self._pos(words) if self._pos is not None else None
        tagger = self._tagger
        labels = tagger.tag(self._cache.attributes(words, tags))
        marginal = tagger.marginal
        # Only entity tokens need a marginal; the first call runs forward-backward.
        probs = [marginal(y, i) if y != "O" else 0.0 for i, y in enumerate(labels)]
        return labels, probs

    def predict(self, text: str, tokens: Sequence[tuple[int, int]]) -> list[SpanData]:
        """Entity spans found in ``text``; ``tokens`` are its newmm (start, end) offsets.

        Spans carry origin "model" and, as confidence, the lowest marginal probability
        of the labels of their tokens: a span is only as sure as its least sure token,
        and one doubtful edge token is exactly what makes a suggestion wrong. (On the
        ThaiNER val split the minimum separates right from wrong spans better than the
        mean; see benchmarks/bench_suggestions.py --confidence.)
        """
        return self.predict_many([(text, tokens)])[0]

    def predict_many(self, items: Sequence[tuple[str, Sequence[tuple[int, int]]]],
                     confidences: bool = True,
                     sequenced: tuple[list[tuple[int, int, int]], list[str]] | None = None,
                     as_tags: bool = False) -> list[list]:
        """:meth:`predict` of each (text, tokens), decoded together (much faster per
        document than one at a time: numpy's per-step cost is shared). ``confidences``
        False: the same spans with confidence None, without the marginals (forward-backward
        over every label pair: most of the decoding), for a caller that needs only the
        labels, as a trained model's ``bundled`` features do. ``sequenced``: what
        :func:`sequenced_words` gives for ``items``, when the caller has it already.
        ``as_tags``: each item's IOB tag per token instead, those :func:`span_tags` gives of
        its spans (no confidences), without making the spans."""
        parts, words = sequenced if sequenced is not None else sequenced_words(items)
        out: list[list] = [["O"] * len(tokens) for _, tokens in items] if as_tags else [[] for _ in items]
        lengths = [hi - lo for _, lo, hi in parts]
        # State scores are made for at most STATES_TOKENS tokens at a time: a task of long
        # articles (200,000 tokens) otherwise holds ~100 MB of them at once.
        for start, end, offset, total in token_groups(lengths, STATES_TOKENS):
            states = self._states(words[offset:offset + total], lengths[start:end])
            decode_spans(items, parts[start:end], lengths[start:end], states, self._weights, self._outside,
                         confidences and not as_tags, tags=as_tags, out=out)
        return out

    def _states(self, words: list[str], lengths: Sequence[int], compiled: bool | None = None) -> np.ndarray:
        """State scores (tokens, labels) of sequences of ``lengths`` tokens laid end to end:
        what crfsuite computes from :func:`features`' attributes. ``compiled``: summed in C
        (default: when it is built) or with numpy, the same doubles."""
        triples = self._triples
        if self._word_keys:
            keys: Sequence[object] = words
            ids = list(map(triples.get, words))
        else:
            keys = []
            lo = 0
            for n in lengths:
                seq = words[lo:lo + n]
                keys += zip(seq, self._pos(seq) if self._pos is not None else [None] * n)
                lo += n
            ids = list(map(triples.get, keys))
        if None in ids:
            # the new words, once each, in order; then every token looked up again
            new = list(dict.fromkeys(compress(keys, map(is_, ids, repeat(None)))))
            if len(triples) + len(new) > fastcrf.WORDS_KEPT:  # the table is cleared first: all of them are new
                new = list(dict.fromkeys(keys))
            self._add_triples(new)
            ids = list(map(triples.get, keys))
        tri = self._table[np.array(ids, dtype=np.intp)]
        if _SUMMED_IN_C if compiled is None else compiled:  # the same additions, in order, without temporaries
            L = self._rows.rows.shape[1]
            out = np.empty((len(ids), L))
            fastcrf._crfc.state_scores(self._rows.rows, tri, np.asarray(lengths, dtype=np.intp), self._zeros,
                                       self._bos, self._eos, self._weights.state, _NO_PAIRS, L, 1, out)
            return out
        ends = np.cumsum(lengths) - 1
        starts = ends - np.asarray(lengths) + 1
        prev = np.empty(len(ids), dtype=np.intp)
        prev[1:] = tri[:-1, 1]
        prev[starts] = 0  # row 0 is zero: no left neighbour
        nxt = np.empty(len(ids), dtype=np.intp)
        nxt[:-1] = tri[1:, 2]
        nxt[ends] = 0
        rows = self._rows.rows
        out = rows[tri[:, 0]]
        out += rows[prev]
        out += rows[nxt]
        out[starts] += self._bos
        out[ends] += self._eos
        return out

    def _add_triples(self, keys: Sequence[object]) -> list[int]:
        """Indexes in ``_table`` of the rows each of ``keys`` (a word, or a word and POS tag;
        none of them in ``_triples``) gives as current, previous and next word: the
        attributes of :func:`_word_features` in each role, the new summed rows made together."""
        if len(self._triples) + len(keys) > fastcrf.WORDS_KEPT:  # bound memory on endless input
            self._triples.clear()
            self._n_triples = 1
        if self._n_triples + len(keys) > len(self._table):
            self._table = fastcrf.grown(self._table, self._n_triples, self._n_triples + len(keys))
        word_keys, pos = self._word_keys, self._pos
        if self._known_words is None:
            self._known_words = _known_words(self._weights.attributes)
        known_of, unknown = self._known_words.get, (None, None, None)
        alikes = self._alike
        new: dict[tuple, int] = {}  # alike keys first met here -> their place in wanted
        wanted: list[list[str]] = []  # the attributes of each role of each of those
        triples: list[object] = []  # per key: its known triple, or its alike key when new
        # the default tagger gives a word one tag whatever its neighbours: all tagged at once
        tags_of = pos(keys) if word_keys and pos is not None else None
        for n_key, key in enumerate(keys):
            word, tag = (key, None) if word_keys else key  # type: ignore[misc]
            if tags_of is not None:
                tag = tags_of[n_key]
            flags = _flags(word)
            # Most new words are words the model does not know: their rows depend only on
            # the flags and the tag, so words alike share one computation.
            known = known_of(word, unknown)
            alike = (known, flags, len(word) == 5, tag)
            triple = alikes.get(alike)
            if triple is None:
                if alike not in new:
                    new[alike] = len(wanted)
                    for role in (_CUR, _PREV, _NEXT):
                        attrs = [f"{_WORD_NAMES[role]}:{word}"] if word else []
                        attrs += [names[role] for on, names in zip(flags, _FLAG_NAMES) if on]
                        if role == _CUR and flags[3] and len(word) == 5:
                            attrs.append("word.islen5")
                        if tag:
                            attrs.append(f"{_POS_NAMES[role]}:{tag}")
                        wanted.append(attrs)
                triple = alike
            triples.append(triple)
        if new:
            rows = self._rows.rows_for(wanted)
            for alike, at in new.items():
                alikes[alike] = rows[at:at + 3]
            triples = [alikes[t] if isinstance(t, tuple) else t for t in triples]
        n = self._n_triples
        self._table[n:n + len(keys)] = np.array(triples, dtype=np.intp).reshape(-1, 3)
        out = list(range(n, n + len(keys)))
        self._triples.update(zip(keys, out))
        self._n_triples += len(keys)
        return out

    def predict_crfsuite(self, text: str, tokens: Sequence[tuple[int, int]]) -> list[SpanData]:
        """:meth:`predict` through python-crfsuite's own tagger, string attributes and all:
        the reference the fast path is checked against (tests/nlp/test_fastcrf.py)."""
        spans: list[SpanData] = []
        for lo, hi in sequences(text, tokens):
            words = [text[s:e] for s, e in tokens[lo:hi]]
            labels, probs = self.tag_words(words)
            spans += label_spans(text, tokens[lo:hi], labels, probs)
        return spans


def decode_spans(items: Sequence[tuple[str, Sequence[tuple[int, int]]]], parts: Sequence[tuple[int, int, int]],
                 lengths: Sequence[int], states: np.ndarray, weights: "fastcrf.CrfWeights",
                 outside: int, confidences: bool = True, tags: bool = False,
                 out: list[list] | None = None) -> list[list]:
    """Spans of each item from the state scores of its sequences laid end to end
    (``parts``: item, lo, hi of each): Viterbi labels, then for the confidences the
    marginal of each entity token's label, computed only for sequences with an entity
    (``confidences`` False: not at all, the spans' confidence None). ``tags``: instead of
    spans, each item's IOB tag per token, those :func:`span_tags` gives of its spans
    (never a tag on a whitespace token at an entity's edge), without making the spans.
    ``out``: what earlier calls for other sequences of the same items gave, added to."""
    if out is None:
        out = [["O"] * len(tokens) for _, tokens in items] if tags else [[] for _ in items]
    write = _write_tags if tags else _write_spans
    # At most DECODE_TOKENS tokens decoded at a time: numpy's steps are still shared by
    # many sequences, and the arrays of a batch stay a few MB.
    if len(states) > DECODE_TOKENS:
        first = start = total = 0
        for j, n in enumerate(lengths):
            if total and total + n > DECODE_TOKENS:
                write(out, items, parts[first:j], _runs(lengths[first:j], states[start:start + total], weights,
                                                        outside), states[start:start + total], weights,
                      confidences)
                first, start, total = j, start + total, 0
            total += n
        write(out, items, parts[first:], _runs(lengths[first:], states[start:], weights, outside), states[start:],
              weights, confidences)
        return out
    write(out, items, parts, _runs(lengths, states, weights, outside), states, weights, confidences)
    return out


@dataclass
class _Runs:
    """Viterbi's entity runs in sequences laid end to end (decode_iob's, found with numpy
    among the entity tokens only)."""

    tagged: list[int]  # the sequences with an entity token, by index
    rows: np.ndarray  # their rows in the state scores, one sequence after another
    lengths: list[int]  # their lengths
    best: np.ndarray  # the best label of each of those rows
    at: np.ndarray  # the entity tokens, as positions in rows
    first: list[int]  # per run: the position in ``at`` of its first token
    begin: list[int]  # per run: its first and end token, counted from its sequence's start
    end: list[int]
    sequence: list[int]  # per run: its sequence, as an index into ``tagged``
    kind: list[int]  # per run: its entity kind, an index into ``names``
    names: list[str]


def _runs(lengths, states, weights, outside) -> _Runs | None:
    best = fastcrf.best_paths(states, lengths, weights.transition)
    ends = np.cumsum(lengths)
    starts = ends - np.asarray(lengths)
    entity = best != outside
    has = np.add.reduceat(entity, starts) > 0 if len(best) else np.zeros(0, dtype=bool)
    tagged = np.flatnonzero(has)
    if not len(tagged):
        return None
    rows = np.concatenate([np.arange(starts[j], ends[j]) for j in tagged])
    tagged_lengths = [lengths[j] for j in tagged]
    best = best[rows]
    kinds, begins, kind_names = _iob_tables(weights.labels)
    kind = kinds[best]  # -1: outside an entity
    first = np.zeros(len(rows), dtype=bool)
    first[np.cumsum(tagged_lengths) - tagged_lengths] = True  # each sequence's first token
    # decode_iob's runs: an entity token starts one at B-, after a token of another kind
    # (or none), and at a sequence's start; an entity token that does not start one continues it
    prev_kind = np.empty_like(kind)
    prev_kind[0] = -1
    prev_kind[1:] = kind[:-1]
    at = np.flatnonzero(kind >= 0)
    opens = begins[best[at]] | first[at] | (prev_kind[at] != kind[at])
    run_first = np.flatnonzero(opens)
    if not len(run_first):
        return None
    run_last = np.append(run_first[1:], len(at)) - 1
    seq = np.searchsorted(np.cumsum(tagged_lengths), at[run_first], side="right")  # tagged sequence of each run
    offset = (np.cumsum(tagged_lengths) - tagged_lengths)[seq]
    return _Runs(tagged.tolist(), rows, tagged_lengths, best, at, run_first.tolist(),
                 (at[run_first] - offset).tolist(), (at[run_last] + 1 - offset).tolist(), seq.tolist(),
                 kind[at[run_first]].tolist(), kind_names)


def _write_spans(out, items, parts, runs: _Runs | None, states, weights, confidences: bool) -> None:
    if runs is None:
        return
    if confidences:  # the marginal of each entity token's label
        at = runs.at
        chosen = fastcrf.flat_marginals(states[runs.rows], runs.lengths, weights.transition)[at, runs.best[at]].tolist()
    else:
        chosen = None
    names, tagged = runs.names, runs.tagged
    for c, a, b, j, label in zip(runs.first, runs.begin, runs.end, runs.sequence, runs.kind):
        k, lo, _hi = parts[tagged[j]]
        text, tokens = items[k]
        span = _span(text, tokens, lo + a, lo + b, names[label], chosen, c)
        if span is not None:
            out[k].append(span)


def _write_tags(out, items, parts, runs: _Runs | None, states, weights, confidences: bool) -> None:
    """Each run's tokens tagged B-, I-…, as span_tags tags the span _span makes of them."""
    if runs is None:
        return
    begin_tags = ["B-" + name for name in runs.names]
    inside_tags = ["I-" + name for name in runs.names]
    tagged = runs.tagged
    for a, b, j, label in zip(runs.begin, runs.end, runs.sequence, runs.kind):
        k, lo, _hi = parts[tagged[j]]
        text, tokens = items[k]
        a, b = _without_space_edges(text, tokens, lo + a, lo + b)  # as _span trims them
        if a == b:
            continue
        seq = out[k]
        seq[a] = begin_tags[label]
        if b - a > 1:
            seq[a + 1:b] = [inside_tags[label]] * (b - a - 1)


@lru_cache(maxsize=8)
def _iob_label_tables(labels: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    names: list[str] = []
    kinds = np.full(len(labels), -1, dtype=np.intp)
    begins = np.zeros(len(labels), dtype=bool)
    for i, lab in enumerate(labels):
        if lab == "O" or len(lab) < 3 or lab[1] != "-":  # as decode_iob
            continue
        if lab[2:] not in names:
            names.append(lab[2:])
        kinds[i] = names.index(lab[2:])
        begins[i] = lab[0] == "B"
    return kinds, begins, names


def _iob_tables(labels: Sequence[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Per label id: its entity kind's number (-1 for none), whether it is a B- label, and
    the kinds' names."""
    return _iob_label_tables(tuple(labels))


def _without_space_edges(text: str, tokens: Sequence[tuple[int, int]], a: int, b: int) -> tuple[int, int]:
    """Tokens [a, b) without the whitespace tokens at either edge."""
    while a < b and text[tokens[a][0]:tokens[a][1]].isspace():
        a += 1
    while b > a and text[tokens[b - 1][0]:tokens[b - 1][1]].isspace():
        b -= 1
    return a, b


def _span(text: str, tokens: Sequence[tuple[int, int]], a: int, b: int, label: str,
          chosen: list[float] | None, c: int) -> SpanData | None:
    """:func:`label_spans`' span of tokens [a, b) of ``label`` (None if they are all
    whitespace); ``chosen[c:]`` holds the marginals of tokens a, a+1, … (None: no
    confidence). Never starts or ends a suggestion on whitespace."""
    trimmed, b = _without_space_edges(text, tokens, a, b)
    a, c = trimmed, c + trimmed - a
    if a == b:
        return None
    start, end = tokens[a][0], tokens[b - 1][1]
    # A token can carry whitespace at an edge (newmm keeps "x\r" whole).
    while text[start].isspace():
        start += 1
    while text[end - 1].isspace():
        end -= 1
    confidence = round(min(chosen[c:c + b - a]), 4) if chosen is not None else None
    return SpanData(start, end, label, origin="model", confidence=confidence)


def label_spans(text: str, tokens: Sequence[tuple[int, int]], labels: Sequence[str],
                probs: Sequence[float]) -> list[SpanData]:
    """Spans (origin "model") of one tagged sequence: ``tokens`` are its offsets,
    ``labels`` its IOB labels and ``probs`` their marginals. The confidence of a span is
    the lowest marginal of its tokens (see :meth:`CrfModel.predict`)."""
    found = (_span(text, tokens, a, b, label, probs, a) for a, b, label in decode_iob(labels))
    return [span for span in found if span is not None]


def decode_iob(labels: Sequence[str]) -> list[tuple[int, int, str]]:
    """(first, end, label) token ranges of IOB ``labels``, end-exclusive.

    An ``I-X`` that does not continue an ``X`` (after ``O`` or another label) starts an
    entity rather than being dropped: the CRF does this at edges it is unsure of, and a
    suggestion a reviewer can fix beats a silent miss.
    """
    out: list[tuple[int, int, str]] = []
    cur: str | None = None
    start = 0
    for i, lab in enumerate(labels):
        if lab == "O" or len(lab) < 3 or lab[1] != "-":
            if cur is not None:
                out.append((start, i, cur))
                cur = None
            continue
        kind = lab[2:]
        if lab[0] == "B" or kind != cur:
            if cur is not None:
                out.append((start, i, cur))
            cur, start = kind, i
    if cur is not None:
        out.append((start, len(labels), cur))
    return out


def sequences(text: str, tokens: Sequence[tuple[int, int]],
              max_len: int = MAX_SEQUENCE) -> list[tuple[int, int]]:
    """Token index ranges [lo, hi) to tag as separate CRF sequences.

    A sequence is a line: tokens containing "\\n" are separators and belong to none.
    Lines longer than ``max_len`` tokens are cut after a whitespace token when one is
    in the last quarter before the limit, else hard at the limit.
    """
    starts = [s for s, _ in tokens]
    breaks: list[int] = []  # indices of tokens holding a newline, ascending
    nl = text.find("\n")
    while nl != -1:
        i = bisect_right(starts, nl) - 1
        if i >= 0 and tokens[i][1] > nl and (not breaks or breaks[-1] != i):
            breaks.append(i)
        nl = text.find("\n", nl + 1)
    breaks.append(len(tokens))
    out: list[tuple[int, int]] = []
    lo = 0
    for stop in breaks:
        while stop - lo > max_len:
            cut = lo + max_len
            for j in range(cut - 1, lo + (3 * max_len) // 4, -1):
                s, e = tokens[j]
                if text[s:e].isspace():
                    cut = j + 1
                    break
            out.append((lo, cut))
            lo = cut
        if stop > lo:
            out.append((lo, stop))
        lo = stop + 1
    return out
