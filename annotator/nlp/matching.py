"""Dictionary matching on word tokens: the longest entry starting at each word."""

from __future__ import annotations

from typing import Container, Iterator, Sequence


def longest_matches(
    text: str,
    tokens: Sequence[tuple[int, int]],
    prefixes: Container[str],
    entries: Container[str],
) -> Iterator[tuple[int, int]]:
    """(start, end) of the longest run of whole tokens that is in ``entries``, left to right,
    never overlapping. ``prefixes`` holds every token-aligned prefix of every entry, so a
    run stops growing as soon as no entry can start with it."""
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
