"""Word tokens as character offsets (newmm rules, via nlpo3 when available).

Tokens cover the text exactly: joined in order they give it back, whitespace
included. Text is tokenized one line at a time (newmm slows down badly on one
huge string), and over-long lines are cut at spaces first.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_left
from functools import lru_cache
from typing import Callable, Iterator

MAX_CHUNK = 2000  # code points handed to the segmenter in one call
_LINE = re.compile(r"[^\n]*\n|[^\n]+")


@lru_cache(maxsize=1)
def _segmenter() -> Callable[[str], list[str]]:
    """Build the newmm segmenter once per process."""
    import annotator.nlp  # noqa: F401  (sets PYTHAINLP_OFFLINE before pythainlp loads)
    import pythainlp

    dict_path = os.path.join(os.path.dirname(pythainlp.__file__), "corpus", "words_th.txt")
    try:
        import nlpo3

        nlpo3.load_dict(dict_path, "annotator_th")
        return lambda s: nlpo3.segment(s, "annotator_th", safe=True)
    except ImportError:  # the pure-Python newmm gives near-identical tokens, slower
        from pythainlp.tokenize import word_tokenize

        return lambda s: word_tokenize(s, engine="newmm", keep_whitespace=True)


def _chunks(line: str) -> Iterator[str]:
    """Cut a long line at spaces (or hard, if it has none) into pieces <= MAX_CHUNK."""
    while len(line) > MAX_CHUNK:
        cut = line.rfind(" ", MAX_CHUNK // 2, MAX_CHUNK)
        cut = MAX_CHUNK if cut < 0 else cut + 1
        yield line[:cut]
        line = line[cut:]
    if line:
        yield line


def tokenize(text: str) -> list[tuple[int, int]]:
    """Return (start, end) offsets of the words of ``text`` (code points, end-exclusive)."""
    segment = _segmenter()
    out: list[tuple[int, int]] = []
    pos = 0
    for match in _LINE.finditer(text):
        line = match.group()
        body = line[:-1] if line.endswith("\n") else line
        for chunk in _chunks(body):
            for word in segment(chunk):
                if not word:
                    continue
                out.append((pos, pos + len(word)))
                pos += len(word)
            # Guard against a segmenter that drops characters: resync on the chunk.
            if out and out[-1][1] != pos:
                pos = out[-1][1]
        if len(body) != len(line):
            out.append((pos, pos + 1))
            pos += 1
    if pos != len(text):  # never lose text: cover anything the segmenter skipped
        raise AssertionError("tokenizer lost characters")
    return out


def token_words(text: str, offsets: list[tuple[int, int]]) -> list[str]:
    return [text[s:e] for s, e in offsets]


def split_at(offsets: list[tuple[int, int]], cuts: set[int]) -> list[tuple[int, int]]:
    """Split tokens so that every offset in ``cuts`` falls on a token boundary.

    Used by token exports so an entity edge inside a newmm word (``คน[ไทย]``) is kept.
    """
    if not cuts:
        return list(offsets)
    inside: dict[int, list[int]] = {}  # token index -> cuts strictly inside it
    for cut in sorted(cuts):
        i = bisect_left(offsets, (cut,)) - 1  # the last token starting before the cut
        if i >= 0 and cut < offsets[i][1]:
            inside.setdefault(i, []).append(cut)
    if not inside:
        return list(offsets)
    out: list[tuple[int, int]] = []
    last = 0
    for i in sorted(inside):
        out.extend(offsets[last:i])
        prev = offsets[i][0]
        for cut in inside[i]:
            out.append((prev, cut))
            prev = cut
        out.append((prev, offsets[i][1]))
        last = i + 1
    out.extend(offsets[last:])
    return out
