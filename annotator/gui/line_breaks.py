"""Where the text view breaks its lines: at the project's word boundaries.

Qt breaks Thai lines where libthai's dictionary says, which is often inside newmm's
words (ทำเนียบรัฐ|บาล). The view instead fills each line with whole tokens, greedily, and
shows a line break before the first token that does not fit (see ``text_offsets``). A
token wider than the whole line is left to Qt.

Widths are the sum of each character's advance, cached per font: a Thai font does not
kern, so this equals the shaped width (checked on a line of a sample article), and it costs a
dictionary lookup per character instead of a text layout per word.
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

# Never start a line with these: closing marks, repetition and abbreviation signs.
_NO_LINE_START = frozenset(")]}>%,.:;!?\"'”’ๆฯ…")


class CharWidths:
    """Width of text in one font (``advance`` is e.g. QFontMetricsF's, per character).

    Words repeat (a news article is a few hundred distinct ones), so whole strings are
    cached too, up to :attr:`MAX_WORDS`.
    """

    MAX_WORDS = 200_000

    def __init__(self, advance: Callable[[str], float]):
        self._advance = advance
        self._chars: dict[str, float] = {}
        self._words: dict[str, float] = {}

    def of(self, s: str) -> float:
        w = self._words.get(s)
        if w is not None:
            return w
        chars = self._chars
        total = 0.0
        for ch in s:
            c = chars.get(ch)
            if c is None:
                c = chars[ch] = self._advance(ch)
            total += c
        if len(self._words) < self.MAX_WORDS:
            self._words[s] = total
        return total


def wrap_points(
    text: str,
    tokens: Sequence[tuple[int, int]],
    widths: Sequence[float],
    width_of: Callable[[str], float],
    line_width: float,
    extra: Mapping[int, float] | None = None,
) -> list[int]:
    """Offsets before which a line must break so that no line breaks inside a token.

    ``widths`` are the tokens' widths; ``width_of`` measures text between tokens.
    ``extra`` adds width at an offset (the label tag drawn after a span's last
    character). Whitespace may overhang a line's end, as in any editor.
    """
    if line_width <= 0:
        return []
    extra = extra or {}
    extra_at = sorted(extra)
    breaks: list[int] = []
    x = 0.0
    k = 0  # next index into extra_at
    last = 0
    for (start, end), w in zip(tokens, widths):
        if start > last:  # text no token covers
            gap = text[last:start]
            x = width_of(gap[gap.rindex("\n") + 1:]) if "\n" in gap else x + width_of(gap)
        last = end
        piece = text[start:end]
        if "\n" in piece:
            x = width_of(piece[piece.rindex("\n") + 1:])
            continue
        while k < len(extra_at) and extra_at[k] < end:
            if extra_at[k] >= start:
                w += extra[extra_at[k]]
            k += 1
        if x > 0 and x + w > line_width and not piece.isspace() and piece[0] not in _NO_LINE_START:
            breaks.append(start)
            x = 0.0
        x += w
    return breaks


__all__ = ["CharWidths", "wrap_points"]
