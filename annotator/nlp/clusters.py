"""Word classes learned from unlabelled text, for the ``clusters`` feature group.

Why: most names in new text were never in the gold, but the words around them were. A
word's class sums up the contexts it stands in across all the project's documents
(labelled or not), so a rare word shares what the CRF learned about words used like it.

How (numpy, a few seconds on a few million tokens): every word seen at least
``MIN_COUNT`` times (the ``MAX_WORDS`` commonest) is described by how often each of the
``CONTEXT`` commonest words stands just left and just right of it; square-rooted counts
with unit-length rows, reduced to ``DIMS`` dimensions by a randomised SVD, are grouped
by k-means into the finest number of classes, and those classes' centres by k-means
again into each coarser number, so the classes nest like a hierarchy.

The result maps a word to one class per granularity (coarse to fine); it is stored in the
model's settings, so a trained model rebuilds the same features.
"""

from __future__ import annotations

from typing import Iterable, Sequence

VERSION = 1
SIZES = (64, 256, 1024)  # classes per granularity, coarse to fine
MIN_COUNT = 5
MAX_WORDS = 20_000
CONTEXT = 300
DIMS = 64
ITERATIONS = 12  # of k-means; the assignment barely moves after that


def learn(documents: Iterable[Sequence[str]], sizes: Sequence[int] = SIZES, min_count: int = MIN_COUNT,
          max_words: int = MAX_WORDS, context: int = CONTEXT, dims: int = DIMS, seed: int = 0
          ) -> dict[str, list[int]]:
    """word -> [class at each of ``sizes``] from documents given as word sequences.

    Whitespace tokens are context, never clustered. Empty when too few words qualify."""
    import numpy as np

    ids, vocab = _encode(documents)
    if not vocab:
        return {}
    freq = np.bincount(ids[ids >= 0], minlength=len(vocab))
    order = np.argsort(-freq, kind="stable")
    words = [i for i in order[:max_words * 2] if freq[i] >= min_count and not vocab[i].isspace()][:max_words]
    finest = max(sizes)
    if len(words) < finest * 2:  # too little text to learn that many classes from
        return {}
    row = np.full(len(vocab), -1, dtype=np.int64)
    row[words] = np.arange(len(words))
    col = np.full(len(vocab), -1, dtype=np.int64)
    col[order[:context]] = np.arange(min(context, len(vocab)))
    matrix = _context_counts(ids, row, col, len(words), context)
    vectors = _reduce(np.sqrt(matrix), dims, np.random.default_rng(seed))
    rng = np.random.default_rng(seed)
    fine = _kmeans(vectors, finest, rng)
    levels = {finest: fine}
    centres, current = _centres(vectors, fine, finest), finest
    for size in sorted(sizes, reverse=True)[1:]:  # each coarser level groups the finer one's centres
        parent = _kmeans(centres, size, rng)
        levels[size] = parent[levels[current]]
        centres, current = _centres(centres, parent, size), size
    table = np.stack([levels[s] for s in sizes], axis=1)
    return {vocab[w]: [int(c) for c in table[k]] for k, w in enumerate(words)}


def _encode(documents: Iterable[Sequence[str]]):
    """All words as one id array, -1 between documents (no context across them)."""
    import numpy as np

    index: dict[str, int] = {}
    out: list[int] = []
    for words in documents:
        for w in words:
            if w.isspace():
                w = " "  # every run of whitespace is one context word
            i = index.get(w)
            if i is None:
                i = index[w] = len(index)
            out.append(i)
        out.append(-1)
    return np.asarray(out, dtype=np.int64), list(index)


def _context_counts(ids, row, col, n_rows: int, context: int):
    """Counts of the context words left (first half of the columns) and right."""
    import numpy as np

    width = 2 * context
    total = np.zeros(n_rows * width, dtype=np.float32)
    word, left, right = ids[1:-1], ids[:-2], ids[2:]
    for neighbour, offset in ((left, 0), (right, context)):
        ok = (word >= 0) & (neighbour >= 0)
        r, c = row[word[ok]], col[neighbour[ok]]
        keep = (r >= 0) & (c >= 0)
        flat = r[keep] * width + c[keep] + offset
        total += np.bincount(flat, minlength=n_rows * width).astype(np.float32)
    return total.reshape(n_rows, width)


def _reduce(matrix, dims: int, rng):
    """Rows of unit length, projected on the top ``dims`` singular directions."""
    import numpy as np

    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-9)
    dims = min(dims, min(matrix.shape) - 1)
    probe = matrix @ rng.standard_normal((matrix.shape[1], dims + 10)).astype(np.float32)
    q, _ = np.linalg.qr(matrix @ (matrix.T @ probe))  # one power iteration
    u, s, _ = np.linalg.svd(q.T @ matrix, full_matrices=False)
    vectors = (q @ u[:, :dims]) * s[:dims]
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


def _kmeans(points, k: int, rng, iterations: int = ITERATIONS):
    """Class of each point (Lloyd's algorithm from distinct random points)."""
    import numpy as np

    k = min(k, len(points))
    centres = points[rng.choice(len(points), k, replace=False)].copy()
    labels = np.zeros(len(points), dtype=np.int64)
    for _ in range(iterations):
        labels = _nearest(points, centres)
        centres = _centres(points, labels, k)
        empty = np.bincount(labels, minlength=k) == 0
        if empty.any():  # restart empty classes on random points
            centres[empty] = points[rng.choice(len(points), int(empty.sum()), replace=False)]
    return _nearest(points, centres)


def _nearest(points, centres, chunk: int = 4096):
    import numpy as np

    norms = (centres * centres).sum(axis=1)
    out = np.empty(len(points), dtype=np.int64)
    for lo in range(0, len(points), chunk):
        block = points[lo:lo + chunk]
        out[lo:lo + chunk] = np.argmin(norms[None, :] - 2 * block @ centres.T, axis=1)
    return out


def _centres(points, labels, k: int):
    import numpy as np

    sums = np.stack([np.bincount(labels, weights=points[:, d], minlength=k) for d in range(points.shape[1])], axis=1)
    return (sums / np.maximum(np.bincount(labels, minlength=k), 1)[:, None]).astype(points.dtype)
