"""The ``tokens`` table: each document's word offsets, derived from its text and cached.

A row holds the token lengths (``B`` + one byte each when all fit, the usual case, else
``I`` + 4 bytes each) and the name of the tokenizer that made them
(:data:`annotator.nlp.tokenizer.TOKENIZER`). Rows made by another tokenizer are stale:
they are not used, and are replaced the next time the tokens are needed.
"""

from __future__ import annotations

from array import array
from itertools import accumulate
from typing import Any

Offsets = list[tuple[int, int]]


def encode(offsets: Offsets) -> bytes:
    lengths = [e - s for s, e in offsets]
    if not lengths or max(lengths) < 256:
        return b"B" + bytes(lengths)
    return b"I" + array("I", lengths).tobytes()


def decode(blob: bytes) -> Offsets:
    lengths = array(chr(blob[0]))
    lengths.frombytes(blob[1:])
    ends = list(accumulate(lengths))
    return list(zip([0, *ends[:-1]], ends))


def problem(blob: Any, text: str) -> str | None:
    """What is wrong with a cached row for ``text``, or None: it must decode, cover the
    text exactly, and cut no character cluster (a vowel or tone mark off its consonant,
    which the old length-placed segmenter did)."""
    from annotator.nlp.tokenizer import broken_boundaries

    if not isinstance(blob, bytes) or not blob:
        return "empty or not a blob"
    kind = chr(blob[0])
    if kind not in ("B", "I"):
        return f"unknown encoding {kind!r}"
    lengths = array(kind)
    if (len(blob) - 1) % lengths.itemsize:
        return "truncated"
    lengths.frombytes(blob[1:])
    if any(n == 0 for n in lengths):
        return "an empty token"
    total = sum(lengths)
    if total != len(text):
        return f"cover {total} characters of a text of {len(text)}"
    broken = broken_boundaries(text, decode(blob))
    if broken:
        at = broken[0]
        return (f"{len(broken)} tokens are not words of the text, they start inside a character"
                f" cluster (at {at}: {text[max(0, at - 4):at]}|{text[at:at + 4]}); opening the"
                f" project for work rebuilds them")
    return None
