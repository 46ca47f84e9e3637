"""Span helpers and the IOB2 / BIOES tag codecs.

Character offsets are the truth (code points, end-exclusive); per-token tags are
only an encoding of them. Encoding refuses to guess: a span edge that does not
fall on a token boundary raises :class:`AlignmentError` (split the tokens at
:func:`token_cuts` first, with ``tokenizer.split_at``). Tags cannot express
overlapping spans, so the encoder keeps one and reports every span it leaves out.

Tag names are ``O`` or ``<prefix>-<label>``. Decoding accepts IOB2 (``B``/``I``),
IOB1-style files (an ``I-X`` after ``O`` or after another label starts an entity),
BIOES (``S`` single, ``E`` end) and its BILOU spelling (``U`` = ``S``, ``L`` = ``E``).
"""

from __future__ import annotations

from bisect import bisect_left

from typing import Any, Iterable, Sequence

from .errors import AlignmentError, FormatError

Offsets = Sequence[tuple[int, int]]
Triple = tuple[int, int, str]

SCHEMES = ("iob2", "bioes")
_PREFIXES = {"B": "B", "I": "I", "E": "E", "S": "S", "L": "E", "U": "S"}


def as_triple(span: Any) -> Triple:
    """(start, end, label) of a SpanData-like object or of a tuple."""
    if type(span) is tuple and len(span) == 3:
        return span
    if hasattr(span, "start"):
        return span.start, span.end, span.label
    start, end, label = tuple(span)[:3]
    return start, end, label


def parse_tag(tag: str) -> tuple[str, str | None]:
    """Return (prefix, label) with prefix one of O B I E S; raise FormatError if unknown."""
    if tag == "O":
        return "O", None
    prefix, dash, label = tag.partition("-")
    if not dash or prefix not in _PREFIXES or not label:
        raise FormatError(f"unknown tag {tag!r} (expected O, or B-/I-/E-/S- and a label)")
    return _PREFIXES[prefix], label


def tag_names(labels: Iterable[str], scheme: str = "iob2") -> list[str]:
    """All tag names of ``scheme`` in id order: ``O``, then each label's B, I (, E, S)."""
    prefixes = scheme_prefixes(scheme)
    return ["O"] + [f"{p}-{label}" for label in labels for p in prefixes]


def scheme_prefixes(scheme: str) -> tuple[str, ...]:
    """Tag prefixes of ``scheme`` in id order; FormatError for an unknown scheme."""
    if scheme == "iob2":
        return ("B", "I")
    if scheme == "bioes":
        return ("B", "I", "E", "S")
    raise FormatError(f"unknown tag scheme {scheme!r} (expected one of {', '.join(SCHEMES)})")


def check_spans(text_len: int, spans: Iterable[Any]) -> list[str]:
    """Problems of spans that cannot belong to a text of ``text_len`` code points."""
    problems = []
    for span in spans:
        start, end, label = as_triple(span)
        if not (0 <= start < end <= text_len):
            problems.append(
                f"span {start}-{end} {label} is outside the text (0-{text_len}) or empty"
            )
    return problems


def overlaps(spans: Iterable[Any]) -> list[tuple[Triple, Triple]]:
    """Pairs of overlapping spans, each pair in (start, end, label) order."""
    ordered = sorted(as_triple(s) for s in spans)
    pairs = []
    active: list[Triple] = []  # spans that may still overlap a later one
    for span in ordered:
        active = [a for a in active if a[1] > span[0]]
        pairs.extend((a, span) for a in active)
        active.append(span)
    return pairs


def token_cuts(spans: Iterable[Any]) -> set[int]:
    """Every span edge: the offsets tokens must be split at before encoding."""
    cuts: set[int] = set()
    for span in spans:
        start, end, _ = as_triple(span)
        cuts.add(start)
        cuts.add(end)
    return cuts


def _keep_non_overlapping(spans: Iterable[Any]) -> tuple[list[Triple], list[str]]:
    """Keep the earlier span, and of two starting together the longer one.

    Ties (same start and end) keep the label that sorts first, so the choice does not
    depend on the order spans arrive in.
    """
    ordered = sorted((as_triple(s) for s in spans), key=lambda t: (t[0], -t[1], t[2]))
    kept: list[Triple] = []
    problems = []
    for span in ordered:
        if kept and span[0] < kept[-1][1]:
            k = kept[-1]
            problems.append(
                f"span {span[0]}-{span[1]} {span[2]} overlaps {k[0]}-{k[1]} {k[2]}; left out"
            )
        else:
            kept.append(span)
    return kept, problems


def spans_to_tags(
    tokens: Offsets, spans: Iterable[Any], scheme: str = "iob2"
) -> tuple[list[str], list[str]]:
    """Tags for ``tokens`` from ``spans``; returns (tags, problems).

    Raises AlignmentError when a span edge is not a token edge. Overlapping spans:
    the earlier (then longer) one is kept; each one left out is named in ``problems``.
    """
    prefixes = scheme_prefixes(scheme)
    bioes = "S" in prefixes
    spans = [as_triple(s) for s in spans]
    # Token edges are looked up by bisection on the (start, end) pairs themselves: a
    # document has hundreds of tokens and only a few spans, so no per-token index is built.
    def first_token(offset: int) -> int | None:
        i = bisect_left(tokens, (offset,))
        return i if i < len(tokens) and tokens[i][0] == offset else None

    def last_token(offset: int) -> int | None:
        i = bisect_left(tokens, (offset,)) - 1
        return i if i >= 0 and tokens[i][1] == offset else None

    index_of_start: dict[int, int] = {}
    index_of_end: dict[int, int] = {}
    placed = []
    for start, end, label in spans:
        if start >= end:
            raise AlignmentError(f"span {start}-{end} {label} is empty")
        first, last = first_token(start), last_token(end)
        if first is None or last is None or last < first:
            raise AlignmentError(
                f"span {start}-{end} {label} does not start and end on token boundaries"
            )
        index_of_start[start], index_of_end[end] = first, last
        placed.append((start, end, label))
    kept, problems = _keep_non_overlapping(placed)
    tags = ["O"] * len(tokens)
    for start, end, label in kept:
        first, last = index_of_start[start], index_of_end[end]
        if bioes and first == last:
            tags[first] = f"S-{label}"
            continue
        tags[first] = f"B-{label}"
        for i in range(first + 1, last + 1):
            tags[i] = f"I-{label}"
        if bioes:
            tags[last] = f"E-{label}"
    return tags, problems


def tags_to_spans(tokens: Offsets, tags: Sequence[str]) -> list[Triple]:
    """Spans (start, end, label) encoded by ``tags`` over ``tokens``.

    A span runs from its first token's start to its last token's end, so gaps between
    tokens inside an entity (a joining space) belong to it. Raises FormatError on an
    unknown tag, or when tokens and tags differ in number.
    """
    if len(tokens) != len(tags):
        raise FormatError(f"{len(tokens)} tokens but {len(tags)} tags")
    out: list[Triple] = []
    open_label: str | None = None
    open_start = open_end = 0

    def close() -> None:
        nonlocal open_label
        if open_label is not None:
            out.append((open_start, open_end, open_label))
        open_label = None

    for (start, end), tag in zip(tokens, tags):
        prefix, label = parse_tag(tag)
        continues = open_label is not None and label == open_label and prefix in ("I", "E")
        if continues:
            open_end = end
        else:
            close()
            if prefix != "O":
                open_label, open_start, open_end = label, start, end
        if prefix in ("E", "S"):  # these end the entity on this token
            close()
    close()
    return out
