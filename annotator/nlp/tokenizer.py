"""Word tokens as character offsets (newmm rules, via nlpo3 when available).

Tokens cover the text exactly: the words, joined in order, give the text back, whitespace
included, and every token is a word of the text, never text reassembled by length. The
segmenter's answer is checked by content: nlpo3 1.4.0's ``safe=True`` mode returns, on long
lines, pieces repeated and reordered that still add up to the right length, so it is not
used, and any answer whose words do not join back to the input is replaced by pythainlp's
own newmm (and, should that fail too, by character clusters).

Pathological input is bounded another way: text goes to the segmenter one line at a time,
in chunks of at most ``MAX_CHUNK`` code points cut after a space, or, in a run with no space,
at the last word boundary newmm itself found inside the window (newmm is linear per chunk).

``TOKENIZER`` names this behaviour in the project file's token cache; tokens cached under
another name are rebuilt (schema 3 dropped those of the old, length-placed segmenter).
"""

from __future__ import annotations

import os
import re
import unicodedata
from bisect import bisect_left
from functools import lru_cache
from itertools import accumulate
from operator import itemgetter
from typing import Callable, Iterator, Sequence

TOKENIZER = "newmm-2"  # the cache key of tokens made by this module (schema 3)
MAX_CHUNK = 2000  # code points handed to the segmenter in one call
CHUNK_MARGIN = 200  # words this close to a hard cut are segmented again with what follows

Segment = Callable[[str], list[str]]

# Thai characters that cannot begin a character cluster: following and above/below vowels,
# tone and other marks. A word boundary just before one (after anything but whitespace)
# cuts a syllable in two.
_THAI_FOLLOWERS = frozenset("ะัาำิีึืฺุู็่้๊๋์ํ๎ๅ")
# Leading vowels are written before their consonant: a boundary right after one cuts too.
_THAI_LEADERS = frozenset("เแโใไ")
# With the combining marks of other scripts (accents written as separate code points).
_MARKS = _THAI_FOLLOWERS | frozenset(map(chr, [*range(0x300, 0x370), *range(0x20D0, 0x2100),
                                               *range(0xFE20, 0xFE30)]))
_MARK_RE = re.compile("[" + re.escape("".join(sorted(_MARKS))) + "]")
_LEADER_RE = re.compile("[" + "".join(sorted(_THAI_LEADERS)) + "]")


def _bitmap(chars) -> bytes:
    """A bit per code point of the Basic Multilingual Plane, set for ``chars``."""
    bits = bytearray(8192)
    for ch in chars:
        if ord(ch) < 0x10000:
            bits[ord(ch) >> 3] |= 1 << (ord(ch) & 7)
    return bytes(bits)


try:  # placing the words and checking them in C (annotator/nlp/_crfc.c): the same answers
    from annotator.nlp._crfc import joins_to as _joins_to, place_words as _place_words
except ImportError:  # not built, or built before them
    _joins_to = _place_words = None
COMPILED = _place_words is not None  # False: the Python code below (tests set it to compare)
_MARK_BITS, _LEADER_BITS = _bitmap(_MARKS), _bitmap(_THAI_LEADERS)


@lru_cache(maxsize=1)
def _segmenters() -> tuple[Segment, ...]:
    """The segmenters to try, fastest first, built once per process."""
    import annotator.nlp  # noqa: F401  (sets PYTHAINLP_OFFLINE before pythainlp loads)
    import pythainlp
    from pythainlp.tokenize import word_tokenize

    def python_newmm(s: str) -> list[str]:
        return word_tokenize(s, engine="newmm", keep_whitespace=True)

    dict_path = os.path.join(os.path.dirname(pythainlp.__file__), "corpus", "words_th.txt")
    try:
        import nlpo3
    except ImportError:  # the pure-Python newmm gives the same tokens, slower
        return (python_newmm,)
    nlpo3.load_dict(dict_path, "annotator_th")
    return (lambda s: nlpo3.segment(s, "annotator_th", safe=False), python_newmm)


def _clusters(s: str) -> list[str]:
    """Last resort: one piece per character cluster (never splits before a mark)."""
    out: list[str] = []
    for ch in s:
        if out and cannot_start_token(out[-1][-1], ch):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def segment(s: str) -> list[str]:
    """The words of ``s`` (no newline in it): a segmenter's answer whose words join back to
    ``s`` exactly, empty words dropped. This check is what lets :func:`tokenize` place the
    words by their lengths."""
    for seg in _segmenters():
        words = seg(s)
        if "" in words:
            words = [w for w in words if w]
        if _joins_to(words, s) if COMPILED and type(words) is list else "".join(words) == s:
            return words
    return _clusters(s)


def _checked(seg: Segment) -> Segment:
    """``seg`` made to fail loudly when its words are not its input (never placed by length)."""

    def checked(s: str) -> list[str]:
        words = [w for w in seg(s) if w]
        if "".join(words) != s:
            raise AssertionError(f"the segmenter's words are not the text: {s[:40]!r}")
        return words

    return checked


def _chunks(line: str, seg: Segment) -> Iterator[list[str]]:
    """Words of ``line``, segmented in pieces of at most MAX_CHUNK code points."""
    while len(line) > MAX_CHUNK:
        cut = line.rfind(" ", MAX_CHUNK // 2, MAX_CHUNK)
        if cut >= 0:
            yield seg(line[: cut + 1])
            line = line[cut + 1:]
            continue
        # No space: keep newmm's words of the window up to CHUNK_MARGIN before its end
        # (the window may have changed how the words near the cut were chosen), and go on
        # from there.
        words = seg(line[:MAX_CHUNK])
        kept, taken = [], 0
        for word in words:
            if kept and taken + len(word) > MAX_CHUNK - CHUNK_MARGIN:
                break
            kept.append(word)
            taken += len(word)
        yield kept
        line = line[taken:]
    if line:
        yield seg(line)


def tokenize(text: str, seg: Segment | None = None) -> list[tuple[int, int]]:
    """Return (start, end) offsets of the words of ``text`` (code points, end-exclusive).

    ``seg`` replaces :func:`segment` (tests use it to feed a broken segmenter)."""
    seg = segment if seg is None else _checked(seg)
    words: list[str] = []  # every token's text, the newlines included
    lines = text.split("\n")
    last = len(lines) - 1
    for k, body in enumerate(lines):
        if len(body) > MAX_CHUNK:
            for piece in _chunks(body, seg):
                words += piece
        elif body:
            words += seg(body)
        if k < last:
            words.append("\n")
    placed = _place_words(words, _MARK_BITS, _LEADER_BITS) if COMPILED else NotImplemented
    if placed is not NotImplemented:
        offsets, total, cuts = placed
    else:
        ends = list(accumulate(map(len, words)))
        total = ends[-1] if ends else 0
        offsets = list(zip([0, *ends[:-1]], ends))
        cuts = _cuts_a_cluster(words)
    if total != len(text):
        raise AssertionError("the segmenter lost characters")
    return mend_clusters(text, offsets) if cuts else offsets


def _cuts_a_cluster(words: Sequence[str]) -> bool:
    """Whether :func:`broken_boundaries` finds any of the tokens that are ``words`` (none
    empty) laid end to end: a boundary between a word's last character and the next one's
    first that :func:`cannot_start_token` forbids. Looked for with regular expressions over
    the first and last characters, as there."""
    if len(words) < 2:
        return False
    firsts = "".join(map(itemgetter(0), words))
    lasts = "".join(map(itemgetter(-1), words))
    for m in _MARK_RE.finditer(firsts, 1):
        if cannot_start_token(lasts[m.start() - 1], firsts[m.start()]):
            return True
    for m in _LEADER_RE.finditer(lasts, 0, len(lasts) - 1):
        if cannot_start_token(lasts[m.start()], firsts[m.start() + 1]):
            return True
    return False


def mend_clusters(text: str, offsets: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Move each boundary that cuts a character cluster back to the cluster's start.

    newmm cuts before a mark it does not know to be part of a cluster, as in text that
    writes SARA AM as NIKHAHIT + SARA AA (``ท|ํางาน``); the token then begins with a mark.
    """
    out: list[tuple[int, int]] = []
    for s, e in offsets:
        if not out or not cannot_start_token(text[s - 1], text[s]):
            out.append((s, e))
            continue
        ps, _ = out[-1]
        b = s - 1  # the character the mark belongs to, and a leading vowel before it
        while b > ps and cannot_start_token(text[b - 1], text[b]):
            b -= 1
        if b > ps:
            out[-1] = (ps, b)
            out.append((b, e))
        else:
            out[-1] = (ps, e)
    return out


def cannot_start_token(before: str, ch: str) -> bool:
    """Would a token boundary between ``before`` and ``ch`` cut a character cluster?"""
    if before.isspace():
        return False
    if ch in _MARKS:
        return True
    return before in _THAI_LEADERS and "\u0e01" <= ch <= "\u0e2e"


# What extends an emoji: skin tones, variation selectors, and the joiner of a sequence.
_EMOJI_EXTENDERS = frozenset(map(chr, [*range(0x1F3FB, 0x1F400), *range(0xFE00, 0xFE10), 0x200D, 0x20E3]))


def cuts_cluster(text: str, p: int) -> bool:
    """Does a boundary at ``p`` cut a character cluster (ท|ี่, ก|ำ, an emoji and its skin
    tone)? Only marks that belong to the character before them count: a leading vowel
    (เ แ โ ใ ไ) is a character of its own, as Qt's caret treats it."""
    if not 0 < p < len(text):
        return False
    before, ch = text[p - 1], text[p]
    if before.isspace():
        return False
    mark = ch == "\u0e33" or unicodedata.category(ch) in ("Mn", "Mc", "Me")  # SARA AM spaces, yet belongs
    return mark or ch in _EMOJI_EXTENDERS or before == "\u200d"


def snap_to_clusters(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) grown to whole character clusters: the start back, the end on."""
    while start > 0 and cuts_cluster(text, start):
        start -= 1
    while end < len(text) and cuts_cluster(text, end):
        end += 1
    return start, end


def broken_boundaries(text: str, offsets: Sequence[tuple[int, int]]) -> list[int]:
    """Token starts that fall inside a character cluster (a vowel or tone mark cut off its
    consonant): none for tokens this module makes, unless the text itself is so."""
    # Regular expressions over the tokens' first characters, not a loop over tokens: this
    # runs over every cached token of a project in `annotator check`.
    starts = list(map(itemgetter(0), offsets))
    if starts and starts[0] == 0:
        del starts[0]
    firsts = "".join(map(text.__getitem__, starts))  # each token's first character
    befores = "".join(map(text.__getitem__, map((-1).__add__, starts)))  # the one before it
    suspects = {starts[m.start()] for m in _MARK_RE.finditer(firsts)}
    suspects.update(starts[m.start()] for m in _LEADER_RE.finditer(befores))
    return sorted(s for s in suspects if cannot_start_token(text[s - 1], text[s]))


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
