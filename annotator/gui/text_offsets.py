"""Python code-point offsets <-> Qt positions, for one document text.

The project stores span offsets as Python ``str`` indices (code points, end-exclusive).
Qt counts UTF-16 code units, so every character above U+FFFF (emoji, some rare CJK) is
two positions in a ``QTextDocument`` and one in Python. News text has emoji, so every
conversion between the two goes through :class:`OffsetMap`; nothing else in the window
does this arithmetic.

``QTextDocument`` also turns ``\\r\\n`` into a single block break, which would shift every
later position by one. :func:`display_text` returns a same-length copy of the text that
Qt keeps position for position; show that, never the raw text.
"""

from __future__ import annotations

import re
from bisect import bisect_left

# Characters stored as a surrogate pair in UTF-16.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def display_text(text: str) -> str:
    """The text to give Qt: same length, same positions (code points).

    A ``\\r`` before ``\\n`` becomes a space (invisible at a line end) and a lone ``\\r``
    becomes ``\\n`` (Qt would break the line there anyway).
    """
    if "\r" not in text:
        return text
    return text.replace("\r\n", " \n").replace("\r", "\n")


class OffsetMap:
    """Converts between code-point offsets and UTF-16 positions of one text.

    Costs one regex scan of the text to build; each conversion is a bisect over the
    astral characters only (none in most Thai news), so it is O(1) for plain text.
    """

    __slots__ = ("_astral", "_astral_qt", "length", "qt_length")

    def __init__(self, text: str):
        # Code-point offsets of astral characters, and where each one starts in UTF-16.
        self._astral = [m.start() for m in _ASTRAL.finditer(text)]
        self._astral_qt = [offset + k for k, offset in enumerate(self._astral)]
        self.length = len(text)
        self.qt_length = len(text) + len(self._astral)

    @property
    def identity(self) -> bool:
        """True when both systems count the same (no character above U+FFFF)."""
        return not self._astral

    def to_qt(self, offset: int) -> int:
        """UTF-16 position of code-point ``offset`` (0 <= offset <= length)."""
        if not self._astral:
            return offset
        return offset + bisect_left(self._astral, offset)

    def to_py(self, position: int, round_up: bool = False) -> int:
        """Code-point offset of UTF-16 ``position``.

        A position between the two halves of a surrogate pair is not a character
        boundary; it goes to the start of that character, or past it with ``round_up``
        (use that for the end of a range so the whole character stays in).
        """
        if not self._astral:
            return position
        # Astral characters starting before ``position``: each took one extra unit.
        k = bisect_left(self._astral_qt, position)
        if k and self._astral_qt[k - 1] + 1 == position:  # inside a surrogate pair
            return self._astral[k - 1] + (1 if round_up else 0)
        return position - k

    def range_to_qt(self, start: int, end: int) -> tuple[int, int]:
        return self.to_qt(start), self.to_qt(end)

    def range_to_py(self, start: int, end: int) -> tuple[int, int]:
        """A Qt range as code points; a half-selected emoji is taken whole."""
        return self.to_py(start), self.to_py(end, round_up=True)


def utf16_length(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (what Qt calls its length)."""
    return len(text) + len(_ASTRAL.findall(text))


__all__ = ["OffsetMap", "display_text", "utf16_length"]
