"""ThaiNER inline markup: one document per line, entities as ``[LABEL]…[/LABEL]``.

Sample::

    ตามที่[PERSON]นางประนอม ทองจันทร์[/PERSON] ป่วย ณ [LOCATION]ลำปาง[/LOCATION]

The text of a document is the line with the tags removed; nothing else changes.
"""

from __future__ import annotations

import re

from annotator.core.errors import FormatError
from annotator.core.model import SpanData

TAG = re.compile(r"\[(/?)([A-Z][A-Z_]*)\]")


def parse_line(line: str, origin: str = "import") -> tuple[str, list[SpanData]]:
    """Return (text, spans) of one marked-up line. Raises FormatError on broken markup."""
    parts: list[str] = []
    spans: list[SpanData] = []
    pos = 0  # offset in the output text
    last = 0  # offset in the line
    open_label: str | None = None
    open_start = 0
    for m in TAG.finditer(line):
        parts.append(line[last : m.start()])
        pos += m.start() - last
        last = m.end()
        closing, label = m.group(1) == "/", m.group(2)
        if not closing:
            if open_label is not None:
                raise FormatError(f"[{label}] opens inside [{open_label}] (column {m.start() + 1})")
            open_label, open_start = label, pos
        else:
            if open_label is None:
                raise FormatError(f"[/{label}] closes nothing (column {m.start() + 1})")
            if label != open_label:
                raise FormatError(
                    f"[/{label}] closes [{open_label}] (column {m.start() + 1})"
                )
            if pos > open_start:  # an empty entity carries no text; nothing to keep
                spans.append(SpanData(open_start, pos, label, origin=origin))
            open_label = None
    if open_label is not None:
        raise FormatError(f"[{open_label}] is never closed")
    parts.append(line[last:])
    return "".join(parts), spans


def format_line(text: str, spans: list[SpanData]) -> str:
    """Inverse of :func:`parse_line` for non-overlapping spans."""
    out: list[str] = []
    last = 0
    for s in sorted(spans, key=lambda s: (s.start, s.end)):
        if s.start < last:
            raise FormatError(f"overlapping spans cannot be written as ThaiNER markup at {s.start}")
        out.append(text[last : s.start])
        out.append(f"[{s.label}]{text[s.start:s.end]}[/{s.label}]")
        last = s.end
    out.append(text[last:])
    return "".join(out)
