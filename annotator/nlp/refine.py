"""Finer tokens for trained models: entity edges that newmm hides inside a word.

A CRF labels whole tokens, so an entity that starts or ends inside a newmm word cannot
be found exactly: ``ใน|[ประเทศไทย]`` is one token ``ในประเทศ``, ``คน[ไทย]`` one token
``คนไทย``, ``([สพฐ.])`` one token ``(สพฐ.)``. On ThaiNER 1.5.1 train, 521 entity edges
(3.6% of entities) fall inside a token. Two fixes, applied the same way when training and
when tagging:

* punctuation: brackets, quotes and the invisible U+FEFF are cut off the edges of a
  token that also holds letters or digits;
* a split table learned from the gold: a token in which reviewers put an entity edge at
  the same place often enough (``min_count`` times, and in at least ``min_share`` of
  the token's occurrences) is cut there whenever it appears.

Offsets are code points, end-exclusive; tokens still cover the text exactly.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable, Sequence

Token = tuple[int, int]

# Cut off a token's edges when it has other characters too.
EDGE_PUNCT = frozenset("()[]{}\"'“”‘’«»\ufeff")
_EDGE_PUNCT_TEXT = "".join(sorted(EDGE_PUNCT))

try:  # both steps in one pass in C (annotator/nlp/_crfc.c): the same tokens, without a
    from annotator.nlp._crfc import refine_tokens as _compiled  # Python step per token
except ImportError:  # not built: the Python loops below
    _compiled = None

COMPILED = _compiled is not None


def split_punctuation(text: str, tokens: Sequence[Token]) -> list[Token]:
    """Tokens with leading and trailing brackets/quotes made tokens of their own."""
    out: list[Token] = []
    for s, e in tokens:
        if e - s < 2 or (text[s] not in EDGE_PUNCT and text[e - 1] not in EDGE_PUNCT):
            out.append((s, e))
            continue
        a, b = s, e
        while a < b and text[a] in EDGE_PUNCT:
            a += 1
        while b > a and text[b - 1] in EDGE_PUNCT:
            b -= 1
        if a == b:  # nothing but punctuation: keep as it was
            out.append((s, e))
            continue
        out.extend((i, i + 1) for i in range(s, a))
        out.append((a, b))
        out.extend((i, i + 1) for i in range(b, e))
    return out


class SplitTable:
    """Where to cut which token strings: ``{"ในประเทศ": (2,), "คนไทย": (2,)}``."""

    def __init__(self, cuts: dict[str, tuple[int, ...]] | None = None) -> None:
        self.cuts = dict(cuts or {})

    @classmethod
    def learn(
        cls,
        documents: Iterable[tuple[str, Sequence[Token], Sequence[tuple[int, int]]]],
        min_count: int = 2,
        min_share: float = 0.05,
    ) -> "SplitTable":
        """``documents``: (text, tokens, entity (start, end) ranges) of gold documents."""
        seen: Counter[str] = Counter()
        inside: Counter[tuple[str, int]] = Counter()
        for text, tokens, ranges in documents:
            tokens = split_punctuation(text, tokens)
            edges = sorted({s for s, _ in ranges} | {e for _, e in ranges})
            starts = [s for s, _ in tokens]
            for s, e in tokens:
                seen[text[s:e]] += 1
            from bisect import bisect_right

            for edge in edges:
                i = bisect_right(starts, edge) - 1
                if i >= 0 and tokens[i][0] < edge < tokens[i][1]:
                    s, e = tokens[i]
                    inside[(text[s:e], edge - s)] += 1
        cuts: dict[str, list[int]] = {}
        for (word, at), n in inside.items():
            if n >= min_count and n >= min_share * seen[word]:
                cuts.setdefault(word, []).append(at)
        return cls({w: tuple(sorted(c)) for w, c in cuts.items()})

    def apply(self, text: str, tokens: Sequence[Token], compiled: bool | None = None) -> list[Token]:
        """Punctuation split, then the learned cuts. ``compiled``: in C (default: when it
        is built) or in Python; the same tokens either way."""
        if (COMPILED if compiled is None else compiled) and type(text) is str and type(self.cuts) is dict:
            found = _compiled(text, tokens if isinstance(tokens, (list, tuple)) else list(tokens),
                              _EDGE_PUNCT_TEXT, self.cuts or None)
            if found is not NotImplemented:
                return found
        tokens = split_punctuation(text, tokens)
        if not self.cuts:
            return tokens
        out: list[Token] = []
        get = self.cuts.get
        for s, e in tokens:
            cuts = get(text[s:e])
            if not cuts:
                out.append((s, e))
                continue
            prev = s
            for at in cuts:
                out.append((prev, s + at))
                prev = s + at
            out.append((prev, e))
        return out

    def to_json(self) -> dict[str, list[int]]:
        return {w: list(c) for w, c in sorted(self.cuts.items())}

    @classmethod
    def from_json(cls, data: dict[str, list[int]]) -> "SplitTable":
        return cls({w: tuple(int(x) for x in c) for w, c in data.items()})
