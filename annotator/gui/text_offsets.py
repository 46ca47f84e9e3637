"""Python code-point offsets <-> Qt positions, for one document text.

The project stores span offsets as Python ``str`` indices (code points, end-exclusive).
Qt counts UTF-16 code units, so every character above U+FFFF (emoji, some rare CJK) is
two positions in a ``QTextDocument`` and one in Python. News text has emoji, so every
conversion between the two goes through :class:`OffsetMap`; nothing else in the window
does this arithmetic.

``QTextDocument`` also turns ``\\r\\n`` into a single block break, which would shift every
later position by one. :func:`display_text` returns a copy of the text that Qt keeps
position for position; show that, never the raw text.

The view wraps lines itself, at the project's word boundaries (Qt would break Thai where
libthai's dictionary says, inside newmm's words): it shows a LINE SEPARATOR (U+2028)
before each code-point offset in ``breaks``. Those characters exist only on screen; the
map skips them, so no offset outside the view ever counts one.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import Sequence

# Characters stored as a surrogate pair in UTF-16.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


LINE_BREAK = "\u2028"  # Qt: a line break inside the paragraph (block)


def display_text(text: str, breaks: Sequence[int] = ()) -> str:
    """The text to give Qt: same positions (code points), plus a line break before each
    offset in ``breaks`` (sorted, each inside the text).

    A ``\\r`` before ``\\n`` becomes a space (invisible at a line end) and a lone ``\\r``
    becomes ``\\n`` (Qt would break the line there anyway).
    """
    if "\r" in text:
        text = text.replace("\r\n", " \n").replace("\r", "\n")
    if not breaks:
        return text
    parts, last = [], 0
    for b in breaks:
        parts.append(text[last:b])
        last = b
    parts.append(text[last:])
    return LINE_BREAK.join(parts)


class OffsetMap:
    """Converts between code-point offsets and UTF-16 positions of one text.

    Costs one regex scan of the text to build; each conversion is a bisect over the
    astral characters only (none in most Thai news), so it is O(1) for plain text.
    """

    __slots__ = ("_astral", "_astral_qt", "breaks", "_breaks_qt", "length", "qt_length")

    def __init__(self, text: str, breaks: Sequence[int] = ()):
        # Code-point offsets of astral characters, and where each one starts in UTF-16.
        self._astral = [m.start() for m in _ASTRAL.finditer(text)]
        self._astral_qt = [offset + k for k, offset in enumerate(self._astral)]
        self.length = len(text)
        self.breaks = list(breaks)
        # Where each shown line break sits in the document Qt holds.
        if self._astral:
            self._breaks_qt = [self._utf16(b) + k for k, b in enumerate(self.breaks)]
        else:  # most texts: no call per break
            self._breaks_qt = [b + k for k, b in enumerate(self.breaks)]
        self.qt_length = len(text) + len(self._astral) + len(self.breaks)

    @property
    def breaks_qt(self) -> list[int]:
        """Qt positions of the shown line breaks, sorted."""
        return self._breaks_qt

    @property
    def no_astral(self) -> bool:
        """True when no character is above U+FFFF: then ``to_qt(x)`` is ``x`` plus the
        shown breaks before it (bisect_right of ``breaks``; bisect_left for an end)."""
        return not self._astral

    @property
    def identity(self) -> bool:
        """True when both systems count the same (no character above U+FFFF, no break)."""
        return not self._astral and not self.breaks

    def _utf16(self, offset: int) -> int:
        if not self._astral:
            return offset
        return offset + bisect_left(self._astral, offset)

    def to_qt(self, offset: int, end: bool = False) -> int:
        """Qt position of code-point ``offset`` (0 <= offset <= length). At a shown line
        break the start of a range is after it (on the new line) and an ``end`` before it."""
        q = self._utf16(offset)
        if self.breaks:
            q += (bisect_left if end else bisect_right)(self.breaks, offset)
        return q

    def to_py(self, position: int, round_up: bool = False) -> int:
        """Code-point offset of Qt ``position``; both sides of a shown line break are the
        same offset.

        A position between the two halves of a surrogate pair is not a character
        boundary; it goes to the start of that character, or past it with ``round_up``
        (use that for the end of a range so the whole character stays in).
        """
        if self.breaks:
            position -= bisect_left(self._breaks_qt, position)
        if not self._astral:
            return position
        # Astral characters starting before ``position``: each took one extra unit.
        k = bisect_left(self._astral_qt, position)
        if k and self._astral_qt[k - 1] + 1 == position:  # inside a surrogate pair
            return self._astral[k - 1] + (1 if round_up else 0)
        return position - k

    def range_to_qt(self, start: int, end: int) -> tuple[int, int]:
        return self.to_qt(start), self.to_qt(end, end=True)

    def range_to_py(self, start: int, end: int) -> tuple[int, int]:
        """A Qt range as code points; a half-selected emoji is taken whole."""
        return self.to_py(start), self.to_py(end, round_up=True)


def utf16_length(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (what Qt calls its length)."""
    return len(text) + len(_ASTRAL.findall(text))


__all__ = ["LINE_BREAK", "OffsetMap", "display_text", "utf16_length"]
