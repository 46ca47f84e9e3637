"""Tagging with a crfsuite model without crfsuite's per-call costs.

python-crfsuite's ``Tagger.tag`` spends most of its time turning every attribute string of
every token into a C++ string and looking it up in the model's dictionary; Viterbi itself
is cheap. Here the model file is read once (:func:`read_model`: labels, attributes and the
exact double weights, straight from crfsuite's binary format) and:

* a token's state scores are the sum of its attributes' weight rows. The callers build a
  token's attributes from cached pieces (the word as current, previous, next word…), so
  each piece's summed row is cached too (:class:`RowCache`) and a token costs a few row
  additions, done for a whole sequence at once with numpy;
* Viterbi and the marginals (forward-backward) run over many sequences at once: in C
  (``annotator/nlp/_crfc.c``, an optional extension built by ``pip install``) when it is
  built, else with numpy, one step per position, so the per-step overhead is shared by
  every sequence of a batch of documents (:func:`best_paths`, :func:`flat_marginals`).

The result is crfsuite's: the same best label sequence (ties go to the lowest label id, as in
crfsuite's ``crf1dc_viterbi``) and the same marginals up to floating-point rounding (the
state scores are summed in another order). ``tests/nlp/test_fastcrf.py`` compares the two.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

try:
    from annotator.nlp import _crfc
except ImportError:  # built without a C compiler: numpy does the same
    _crfc = None

COMPILED = _crfc is not None  # Viterbi and marginals run in C
_WORD_ROWS_IN_C = COMPILED and hasattr(_crfc, "word_rows")  # an older build lacks it

_FEATURE = np.dtype([("type", "<u4"), ("src", "<u4"), ("dst", "<u4"), ("weight", "<f8")])


@dataclass
class CrfWeights:
    labels: list[str]  # by label id
    attributes: dict[str, int]  # attribute name -> id
    state: np.ndarray  # (attributes + 1, labels); the last row, all zero, stands for unknown attributes
    transition: np.ndarray  # (labels, labels): from, to


def _cqdb_strings(buf: bytes, off: int) -> list[str]:
    """The strings of a CQDB chunk (crfsuite's string <-> id store), by id."""
    if buf[off:off + 4] != b"CQDB":
        raise ValueError("not a crfsuite model: no CQDB chunk where the header says")
    _size, _flag, _order, bwd_size, bwd_offset = struct.unpack_from("<5I", buf, off + 4)
    offsets = np.frombuffer(buf, dtype="<u4", count=bwd_size, offset=off + bwd_offset).tolist()
    out = []
    for i, o in enumerate(offsets):
        rid, ksize = struct.unpack_from("<2I", buf, off + o)
        if rid != i:
            raise ValueError("not a crfsuite model: CQDB record out of order")
        out.append(buf[off + o + 8:off + o + 7 + ksize].decode("utf-8"))  # ksize counts the NUL
    return out


def read_model(path: str) -> CrfWeights:
    """Labels, attributes and weights of a crfsuite CRF1d model file."""
    with open(path, "rb") as fh:
        buf = fh.read()
    (magic, _size, _type, _version, _nf, n_labels, n_attrs, off_features, off_labels, off_attrs,
     _off_labelrefs, _off_attrrefs) = struct.unpack_from("<4sI4s9I", buf, 0)
    if magic != b"lCRF" or buf[off_features:off_features + 4] != b"FEAT":
        raise ValueError(f"{path}: not a crfsuite model")
    _chunk, count = struct.unpack_from("<2I", buf, off_features + 4)
    feats = np.frombuffer(buf, dtype=_FEATURE, count=count, offset=off_features + 12)
    labels = _cqdb_strings(buf, off_labels)
    attrs = _cqdb_strings(buf, off_attrs)
    if len(labels) != n_labels or len(attrs) != n_attrs:
        raise ValueError(f"{path}: label or attribute count does not match the header")
    state = np.zeros((n_attrs + 1, n_labels))
    s = feats[feats["type"] == 0]
    np.add.at(state, (s["src"].astype(np.intp), s["dst"].astype(np.intp)), s["weight"])
    trans = np.zeros((n_labels, n_labels))
    t = feats[feats["type"] == 1]
    np.add.at(trans, (t["src"].astype(np.intp), t["dst"].astype(np.intp)), t["weight"])
    return CrfWeights(labels, {a: i for i, a in enumerate(attrs)}, state, trans)


# Distinct words whose cached rows a model keeps; then it forgets them all at once and
# starts again. Each word costs ~1 KB in a trained model (its rows, their index, the slots)
# and the vocabulary of a corpus never stops growing: without a bound a pre-annotation
# worker grew by ~100 MB over 14,000 articles. News repeats its common words, so they are
# back within a few hundred articles.
WORDS_KEPT = 30_000


def grown(table: np.ndarray, used: int, wanted: int = 0) -> np.ndarray:
    """``table`` with room for a quarter more rows (at least 1,024), its first ``used`` rows
    copied: the caches of per-word rows grow over a whole corpus (tens of thousands of
    words), so doubling would leave up to half of the memory unused, and a doubling copy
    holds three times the table at its peak. ``wanted``: at least room for that many rows."""
    size = max(used, wanted)
    out = np.zeros((size + size // 4 + 1024, *table.shape[1:]), dtype=table.dtype)
    out[:used] = table[:used]
    return out


class RowCache:
    """Summed weight rows of attribute lists, shared between lists with the same known
    attributes.

    ``row(attributes)`` is the index of the row holding the sum of the weights of
    ``attributes`` (names the model does not know count zero). The table stays as small
    as the model's vocabulary: every unknown word with the same POS and flags shares one
    row. Row 0 is all zero (a missing neighbour).
    """

    def __init__(self, weights: CrfWeights) -> None:
        self._w = weights
        self._unknown = len(weights.attributes)
        self._ids = weights.attributes.get
        self._by_ids: dict[tuple[int, ...], int] = {(): 0}
        self._by_bytes: dict[bytes, int] = {b"": 0}  # the same, for _crfc.word_rows
        self._rows = np.zeros((1024, weights.state.shape[1]))
        self._n = 1

    @property
    def rows(self) -> np.ndarray:
        return self._rows

    def row(self, attributes: Iterable[str]) -> int:
        unknown, ids = self._unknown, self._ids
        return self._row_of(tuple(sorted(i for i in (ids(a, unknown) for a in attributes) if i != unknown)))

    def _row_of(self, key: tuple[int, ...]) -> int:
        """The row of the sorted attribute ids ``key``, summed in that order when new."""
        row = self._by_ids.get(key)
        if row is None:
            if self._n == len(self._rows):
                self._rows = grown(self._rows, self._n)
            row = self._n
            state = self._w.state
            total = self._rows[row]
            for i in key:  # a handful of rows: cheaper than numpy's fancy indexing
                total += state[i]
            self._by_ids[key] = row
            self._n += 1
        return row

    def word_rows(self, lists: tuple[Sequence[str], ...], role_ids: tuple[dict[str, int], ...],
                  slots: np.ndarray, slot: int, compiled: bool | None = None) -> None:
        """Into ``slots[slot]``: for each role r, the row of the attributes ``lists[r]`` as
        ``role_ids[r]`` names their ids (a word's own attributes, then what it gives as each
        neighbour, without the "-1:" prefixes: no strings are made). The rows of
        :meth:`row`, the same doubles; in C (``_crfc.word_rows``) when it is built, which
        keeps its own index of id sets (as bytes), so the two paths do not share rows."""
        if self._n + len(lists) > len(self._rows):
            self._rows = grown(self._rows, self._n, self._n + len(lists))
        if compiled is None:
            compiled = _WORD_ROWS_IN_C
        if compiled:
            self._n = _crfc.word_rows(lists, role_ids, self._by_bytes, self._rows, self._n, self._w.state,
                                      self._rows.shape[1], slots, slot)
            return
        for r, (attributes, ids) in enumerate(zip(lists, role_ids)):
            get = ids.get
            slots[slot, r] = self._row_of(tuple(sorted(i for i in map(get, attributes) if i is not None)))


    def rows_for(self, lists: Sequence[Iterable[str]]) -> list[int]:
        """:meth:`row` of each attribute list, the new rows summed together: the same
        doubles as :meth:`row` makes (each row's weights added in the same order)."""
        unknown, ids, known = self._unknown, self._ids, self._by_ids
        out = []
        new: dict[tuple[int, ...], int] = {}
        for attributes in lists:
            key = tuple(sorted(i for i in (ids(a, unknown) for a in attributes) if i != unknown))
            row = known.get(key)
            if row is None:
                row = new.get(key)
                if row is None:
                    row = new[key] = self._n + len(new)
            out.append(row)
        if new:
            if self._n + len(new) > len(self._rows):
                self._rows = grown(self._rows, self._n, self._n + len(new))
            # the k-th attribute of every new row added at once, k = 0, 1, …: each row is
            # summed in its own order, from zero, as row() sums it
            state, rows = self._w.state, self._rows
            keys = sorted(new, key=len, reverse=True)
            at = np.array([new[key] for key in keys], dtype=np.intp)
            for k in range(len(keys[0])):
                while len(keys[-1]) <= k:
                    keys.pop()
                rows[at[:len(keys)]] += state[[key[k] for key in keys]]
            known.update(new)
            self._n += len(new)
        return out


class Batch:
    """Sequences packed position-major for stepping through them together: longest first,
    and at position t only the ``active[t]`` sequences that reach it, so no padding. Row
    ``offset[t] + b`` of a packed array is position t of the b-th longest sequence.

    ``flat`` holds the sequences' state scores one after another (sequence-major),
    ``lengths`` their lengths.
    """

    def __init__(self, flat: np.ndarray, lengths: Sequence[int]) -> None:
        lengths = np.asarray(lengths, dtype=np.intp)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.intp)
        self.order = np.argsort(-lengths, kind="stable")
        self.lengths = lengths[self.order]
        self.steps = int(self.lengths[0]) if len(lengths) else 0
        ascending = self.lengths[::-1]
        active = len(lengths) - np.searchsorted(ascending, np.arange(self.steps), side="right")
        self.active = active.tolist()
        self.offset = np.concatenate([[0], np.cumsum(active)]).astype(np.intp).tolist()
        # packed row -> flat row
        src = np.empty(self.offset[-1] if self.steps else 0, dtype=np.intp)
        sorted_starts = starts[self.order]
        for t in range(self.steps):
            k = self.active[t]
            src[self.offset[t]:self.offset[t] + k] = sorted_starts[:k] + t
        self.src = src
        self.x = flat[src]

    def block(self, t: int) -> slice:
        return slice(self.offset[t], self.offset[t] + self.active[t])

    def unpack(self, packed: np.ndarray) -> np.ndarray:
        """A packed array back in flat (sequence-major) order."""
        out = np.empty_like(packed)
        out[self.src] = packed
        return out


def viterbi(batch: Batch, transition: np.ndarray) -> np.ndarray:
    """Best label id at each flat position, per sequence as crfsuite's Viterbi finds it
    (ties to the lowest label id)."""
    x = batch.x
    if not batch.steps:
        return np.zeros(0, dtype=np.intp)
    n_labels = transition.shape[0]
    delta = np.empty_like(x)  # best score of a path ending in each label, at each packed row
    delta[batch.block(0)] = x[batch.block(0)]
    # (from, sequence, to): the max over "from" is a running maximum of contiguous rows,
    # which numpy vectorizes well (a max over a short last axis it does not).
    buf = np.empty((n_labels, batch.active[0], n_labels))
    trans = transition[:, None, :]
    for t in range(1, batch.steps):
        k = batch.active[t]
        prev = batch.offset[t - 1]
        cand = np.add(delta[prev:prev + k].T[:, :, None], trans, out=buf[:, :k])
        here = batch.block(t)
        np.maximum.reduce(cand, axis=0, out=delta[here])
        delta[here] += x[here]
    out = np.empty(len(x), dtype=np.intp)
    cur = np.zeros(len(batch.lengths), dtype=np.intp)
    last = batch.lengths - 1
    for t in range(batch.steps - 1, -1, -1):
        k = batch.active[t]
        here = batch.block(t)
        ending = np.flatnonzero(last[:k] == t)
        if len(ending):
            cur[ending] = delta[batch.offset[t] + ending].argmax(axis=1)
        out[here] = cur[:k]
        if t:
            prev = batch.offset[t - 1]
            # the predecessor crfsuite keeps: the first label with the best score into cur
            cur[:k] = (delta[prev:prev + k] + transition[:, cur[:k]].T).argmax(axis=1)
    return batch.unpack(out)


def marginals(batch: Batch, transition: np.ndarray) -> np.ndarray:
    """P(label at position t | sequence) at each flat position: (positions, labels)."""
    if not batch.steps:
        return np.zeros((0, transition.shape[0]))
    e_trans = np.exp(transition)
    e_trans_t = np.ascontiguousarray(e_trans.T)
    x = batch.x
    xe = np.exp(x - x.max(axis=1, keepdims=True))  # a shift per position: same marginals
    alpha = np.empty_like(xe)
    first = batch.block(0)
    alpha[first] = xe[first] / xe[first].sum(axis=1, keepdims=True)
    for t in range(1, batch.steps):
        k = batch.active[t]
        prev = batch.offset[t - 1]
        here = batch.block(t)
        nxt = alpha[prev:prev + k] @ e_trans
        nxt *= xe[here]
        nxt /= nxt.sum(axis=1, keepdims=True)
        alpha[here] = nxt
    beta = np.ones_like(xe)
    for t in range(batch.steps - 2, -1, -1):
        k = batch.active[t + 1]  # the sequences that go on past t
        after = batch.block(t + 1)
        prev = (xe[after] * beta[after]) @ e_trans_t
        prev /= prev.sum(axis=1, keepdims=True)
        start = batch.offset[t]
        beta[start:start + k] = prev
    alpha *= beta
    alpha /= alpha.sum(axis=1, keepdims=True)
    return batch.unpack(alpha)


def best_paths(states: np.ndarray, lengths: Sequence[int], transition: np.ndarray,
               compiled: bool | None = None) -> np.ndarray:
    """:func:`viterbi` of sequences whose state scores are laid end to end in ``states``
    (positions, labels): the best label id at each position. ``compiled``: use the C
    extension (default: when it is built); the two give identical paths."""
    if compiled is None:
        compiled = COMPILED
    if not compiled:
        return viterbi(Batch(states, lengths), transition)
    states = np.ascontiguousarray(states, dtype=np.float64)
    out = np.empty(len(states), dtype=np.intp)
    _crfc.viterbi(states, np.asarray(lengths, dtype=np.intp), np.ascontiguousarray(transition, dtype=np.float64),
                  transition.shape[0], out)
    return out


def flat_marginals(states: np.ndarray, lengths: Sequence[int], transition: np.ndarray,
                   compiled: bool | None = None) -> np.ndarray:
    """:func:`marginals` of sequences laid end to end, as :func:`best_paths`: (positions,
    labels). The C and numpy results differ by float rounding only (~1e-16)."""
    if compiled is None:
        compiled = COMPILED
    if not compiled:
        return marginals(Batch(states, lengths), transition)
    states = np.ascontiguousarray(states, dtype=np.float64)
    out = np.empty(states.shape, dtype=np.float64)
    _crfc.marginals(states, np.asarray(lengths, dtype=np.intp), np.ascontiguousarray(transition, dtype=np.float64),
                    transition.shape[0], out)
    return out
