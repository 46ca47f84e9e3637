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

import re
from bisect import bisect_right
from typing import Callable, Iterable, Mapping, Sequence

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
    begin: int = 0,
) -> list[int]:
    """Offsets before which a line must break so that no line breaks inside a token.

    ``widths`` are the tokens' widths; ``width_of`` measures text between tokens.
    ``extra`` adds width at an offset (the label tag drawn after a span's last
    character). Whitespace may overhang a line's end, as in any editor.

    ``begin`` is where ``tokens`` start in ``text`` (a run of tokens that starts at a
    paragraph start or a token holding a newline wraps exactly as within the whole text).
    """
    if line_width <= 0:
        return []
    extra = extra or {}
    extra_at = sorted(extra)
    breaks: list[int] = []
    x = 0.0
    k = 0  # next index into extra_at
    last = begin
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


class RunWrapper:
    """The line breaks of one text, worked out run by run and kept.

    A run starts at the text's start, at a token holding a newline or at the token after
    a newline no token holds: whatever precedes it, it wraps the same (the newline sets the
    line back to its start), so the breaks of the whole text are the runs' breaks joined,
    exactly what :func:`wrap_points` gives for the whole text. Each run's breaks are kept by
    (line width, the extra widths inside the run): after an edit only the runs whose tags
    changed are wrapped again, and a text shown again costs a lookup per run.
    """

    def __init__(
        self,
        text: str,
        tokens: Sequence[tuple[int, int]],
        widths: Sequence[float],
        width_of: Callable[[str], float],
    ):
        self.text, self.tokens, self.widths, self.width_of = text, list(tokens), list(widths), width_of
        starts = [s for s, _ in self.tokens]
        runs = {0: 0}  # first token of a run -> where the run begins in the text
        for m in re.finditer("\n", text):
            p = m.start()
            i = bisect_right(starts, p) - 1
            if i < 0:
                continue  # before the first token: the first run holds it
            if p < self.tokens[i][1]:
                runs.setdefault(i, self.tokens[i][0])
            elif i + 1 < len(self.tokens):
                runs.setdefault(i + 1, self.tokens[i][1])
        self.run_tokens = sorted(runs)
        self.run_begins = [runs[i] for i in self.run_tokens]
        self._kept: dict[tuple, list[int]] = {}
        # The last call's (line width, each run's tags, each run's breaks), for ``changed``.
        self._last: tuple[float, list[dict[int, float]], list[list[int]]] | None = None
        self.source: object = None  # the caller's note of whose tags it last wrapped
        self.wrapped_runs = 0  # runs wrapped (not found kept) since made: for tests and benchmarks

    def breaks(self, line_width: float, extra: Mapping[int, float] | None = None,
               changed: Iterable[int] | None = None) -> list[int]:
        """Same as ``wrap_points(text, tokens, widths, width_of, line_width, extra)``.

        ``changed``: the offsets whose extra width differs from the ``extra`` of this
        wrapper's last call (a keystroke changes one or a few tags): then only their runs
        are looked at again, not every tag of the text. None: every run is looked at."""
        if line_width <= 0:
            return []
        extra = extra or {}
        last = self._last
        if changed is None or last is None or last[0] != line_width:
            begins = self.run_begins
            inside: list[dict[int, float]] = [{} for _ in self.run_tokens]
            for offset in sorted(extra):
                inside[bisect_right(begins, offset) - 1][offset] = extra[offset]
            found = [self._run_breaks(k, line_width, tuple(tags.items())) for k, tags in enumerate(inside)]
            last = self._last = (line_width, inside, found)
        else:
            _width, inside, found = last
            again = set()
            for offset in changed:
                k = bisect_right(self.run_begins, offset) - 1
                w = extra.get(offset)
                if w is None:
                    inside[k].pop(offset, None)
                else:
                    inside[k][offset] = w
                again.add(k)
            for k in again:
                found[k] = self._run_breaks(k, line_width, tuple(sorted(inside[k].items())))
        return [b for run in last[2] for b in run]

    def _run_breaks(self, k: int, line_width: float, inside: tuple[tuple[int, float], ...]) -> list[int]:
        """Run ``k``'s breaks with the tags ``inside`` it (sorted by offset), kept."""
        key = (k, line_width, inside)
        found = self._kept.get(key)
        if found is None:
            if len(self._kept) > 4 * len(self.run_tokens) + 64:
                self._kept.clear()  # widths and tags long gone
            firsts = self.run_tokens
            first = firsts[k]
            last = firsts[k + 1] if k + 1 < len(firsts) else len(self.tokens)
            found = self._kept[key] = wrap_points(
                self.text, self.tokens[first:last], self.widths[first:last], self.width_of,
                line_width, dict(inside), begin=self.run_begins[k])
            self.wrapped_runs += 1
        return found


__all__ = ["CharWidths", "RunWrapper", "wrap_points"]
