"""ThaiNER inline markup: one document per line, entities as ``[LABEL]…[/LABEL]``.

Sample::

    ตามที่[PERSON]นางประนอม ทองจันทร์[/PERSON] ป่วย ณ [LOCATION]ลำปาง[/LOCATION]

The text of a document is the line with the tags removed; nothing else changes.

:func:`read` skips blank lines, drops a BOM at the start of the file and a "\\r" at the
end of a line, and refuses a line with broken markup (an ``InputProblem`` naming the
line and column; reading goes on). :func:`write` never changes a text to fit the
format: a document that cannot be one line of markup (it contains a line break, or
something that reads as a tag) is left out with a warning; a span that cannot be
written (it overlaps an earlier one, or its label is not ``[A-Z][A-Z_]*``) is left
out with a warning.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator

from annotator.core.errors import FormatError, InputFileError, InputProblem
from annotator.core.model import DocumentData, ExportDocument, SpanData
from annotator.formats import WriteOptions, encoding

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


def read(path: str | os.PathLike[str]) -> Iterator[DocumentData | InputProblem]:
    """Yield one document per non-blank line, or an InputProblem for broken markup."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise InputFileError(path, 0, f"cannot read: {e.strerror or e}") from None
    text = encoding.decode(data, path)  # drops the BOM, refuses binary files
    for line_no, line in enumerate(text.split("\n"), start=1):  # "\n" only, like the files
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        try:
            doc_text, spans = parse_line(line)
        except FormatError as e:
            yield InputProblem(str(path), line_no, f"broken ThaiNER markup: {_located(e, line)}")
            continue
        if not doc_text.strip():
            yield InputProblem(str(path), line_no, "no text once the tags are removed")
            continue
        yield DocumentData(doc_text, {}, spans, source=str(path), line=line_no)


def write(
    docs: Iterable[ExportDocument], path: str | os.PathLike[str], options: WriteOptions
) -> list[str]:
    """Write one line of markup per document; returns what was left out, and why."""
    warnings: list[str] = []
    first = True
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for doc in docs:
            refusal = _unwritable(doc.text)
            if refusal:
                warnings.append(f"document {doc.id} not written: {refusal}")
                continue
            if first and doc.text.startswith("\ufeff"):
                f.write("\ufeff")  # read() drops one BOM at the file start: keep the text's
            first = False
            spans = _writable_spans(doc, warnings)
            f.write(format_line(doc.text, spans) + "\n")
    return warnings


def _located(error: FormatError, line: str) -> str:
    """The parse error's message, with the column of an unclosed tag added."""
    message = error.args[0]
    if "column" not in message:
        column = _unclosed_column(line)
        if column:
            message += f" (column {column})"
    return message


def _unclosed_column(line: str) -> int | None:
    """1-based column of the opening tag left open at the end of ``line``."""
    open_at = None
    for m in TAG.finditer(line):
        open_at = None if m.group(1) else m.start() + 1
    return open_at


def _unwritable(text: str) -> str | None:
    """Why ``text`` cannot be one line of ThaiNER markup, or None."""
    if "\n" in text or "\r" in text:
        return "its text has line breaks, and ThaiNER is one document per line"
    if not text.strip():
        return "its text is blank, and read() skips blank lines"
    tag = TAG.search(text)
    if tag:
        return f"its text contains {tag.group(0)!r} at offset {tag.start()}, which reads as a tag"
    return None


def _writable_spans(doc: ExportDocument, warnings: list[str]) -> list[SpanData]:
    """Spans in order, without those markup cannot hold (each one warned about)."""
    kept: list[SpanData] = []
    for s in sorted(doc.spans, key=lambda s: (s.start, s.end)):
        if not TAG.fullmatch(f"[{s.label}]"):
            warnings.append(
                f"document {doc.id}: span {s.start}..{s.end} {s.label!r} not written: "
                "ThaiNER labels are upper-case letters and '_'"
            )
        elif kept and s.start < kept[-1].end:
            last = kept[-1]
            warnings.append(
                f"document {doc.id}: span {s.start}..{s.end} {s.label} not written: it "
                f"overlaps {last.start}..{last.end} {last.label}, and markup cannot nest"
            )
        else:
            kept.append(s)
    return kept
