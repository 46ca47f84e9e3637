"""Strings from a project file, shown as text and nothing else.

Qt guesses whether a tooltip or label is HTML; a label description from someone else's
file could then load images (``<img src=/path>``) or restyle the window. Names can also
carry bidirectional overrides (U+202E) that make a header read differently from what is
stored. Everything shown from a file goes through these.
"""

from __future__ import annotations

import html
import re

_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def display_name(text: str) -> str:
    """``text`` without bidirectional controls (for names in headers, lists, buttons)."""
    return _BIDI_CONTROLS.sub("", text)


def plain_tooltip(text: str) -> str:
    """A tooltip that shows ``text`` literally: escaped, inside markup Qt cannot mistake."""
    body = html.escape(display_name(text)).replace("\n", "<br>")
    return f"<qt>{body}</qt>"
