"""Dictionary matching on word tokens: the longest entry starting at each word."""

from __future__ import annotations

from typing import Container, Iterable, Iterator, Sequence

try:  # the same loop in C (annotator/nlp/_crfc.c): a slice and a set lookup per token,
    from annotator.nlp._crfc import longest_matches as _compiled  # without the interpreter's steps
except ImportError:  # not built: the Python loop below
    _compiled = None

COMPILED = _compiled is not None


def longest_matches(
    text: str,
    tokens: Sequence[tuple[int, int]],
    prefixes: Container[str],
    entries: Container[str],
    compiled: bool | None = None,
) -> Iterable[tuple[int, int]]:
    """(start, end) of the longest run of whole tokens that is in ``entries``, left to right,
    never overlapping. ``prefixes`` holds every prefix of every entry, so a run stops
    growing as soon as no entry can start with it. ``compiled``: in C (default: when it is
    built) or in Python; the same matches either way."""
    if (COMPILED if compiled is None else compiled) and type(text) is str:
        found = _compiled(text, tokens if isinstance(tokens, (list, tuple)) else list(tokens), prefixes, entries)
        if found is not NotImplemented:
            return found
    return _longest_matches(text, tokens, prefixes, entries)


def _longest_matches(
    text: str,
    tokens: Sequence[tuple[int, int]],
    prefixes: Container[str],
    entries: Container[str],
) -> Iterator[tuple[int, int]]:
    n = len(tokens)
    i = 0
    while i < n:
        s = tokens[i][0]
        j, best = i, -1
        while j < n:
            piece = text[s : tokens[j][1]]
            if piece not in prefixes:
                break
            if piece in entries:
                best = j
            j += 1
        if best < 0:
            i += 1
            continue
        yield s, tokens[best][1]
        i = best + 1
