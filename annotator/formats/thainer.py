"""ThaiNER inline markup: one document per line, entities as ``[LABEL]…[/LABEL]``.

Sample::

    ตามที่[PERSON]นางประนอม ทองจันทร์[/PERSON] ป่วย ณ [LOCATION]ลำปาง[/LOCATION]

The text of a document is the line with the tags removed; nothing else changes.

:func:`read` skips blank lines, drops a BOM at the start of the file and a "\\r" at the
end of a line, and refuses a line with broken markup (an ``InputProblem`` naming the
line and column; reading goes on).

:func:`write` writes a document one line per paragraph: its text is cut at each line
break (LF, CRLF or CR), the line breaks themselves and lines of only white space are not
written (the reader skips blank lines), and every entity goes on the line that holds it.
So an article of several paragraphs reads back as one document per paragraph, with every
entity. A document that cannot be written this way — an entity crosses a line break, or
its text holds something that reads as a tag — is not written at all and is refused
(``options.tally.refused``: the export reports it as an error). A span that cannot be
written (it overlaps an earlier one, or its label is not ``[A-Z][A-Z_]*``) is left out
with a warning.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator

from annotator.core.errors import FormatError, InputFileError, InputProblem
from annotator.core.model import DocumentData, ExportDocument, SpanData
from annotator.formats import WriteOptions, encoding, limits

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


def read(path: str | os.PathLike[str], max_bytes: int | None = None) -> Iterator[DocumentData | InputProblem]:
    """Yield one document per non-blank line, or an InputProblem for broken markup. Read a
    line at a time (the encoding settled first, see :func:`encoding.detect`): a line over
    :func:`limits.max_line` characters is refused unread, a text over ``max_bytes``
    characters (the import's --max-size) or with more than
    :data:`limits.MAX_SPANS_PER_DOCUMENT` entities at its line."""
    max_line, max_chars = limits.max_line(max_bytes), limits.max_chars(max_bytes)
    # "\n" only ends a line, like the files; the BOM is dropped, binary files refused
    for line_no, line in encoding.text_lines(path, max_line, newline="\n"):
        if line is None:
            yield InputProblem(str(path), line_no, encoding.too_long(max_line))
            continue
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
        if len(doc_text) > max_chars:
            yield InputProblem(str(path), line_no, f"too large for one article: {len(doc_text):,} characters,"
                                                   f" over {max_chars:,} (raise the limit with --max-size)")
            continue
        if len(spans) > limits.MAX_SPANS_PER_DOCUMENT:
            yield InputProblem(str(path), line_no, f"{len(spans):,} entities: more than"
                                                   f" {limits.MAX_SPANS_PER_DOCUMENT:,} in one document is not an annotation")
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
            doc_warnings: list[str] = []
            spans = _writable_spans(doc, doc_warnings)
            lines = _paragraphs(doc, spans)
            if isinstance(lines, str):
                options.tally.refused.append(f"document {doc.id} not written: {lines}")
                continue
            warnings.extend(doc_warnings)
            if first and doc.text.startswith("\ufeff") and lines:
                f.write("\ufeff")  # read() drops one BOM at the file start: keep the text's
            first = first and not lines
            for text, line_spans in lines:
                f.write(format_line(text, line_spans) + "\n")
            options.tally.wrote(doc.id, doc.text, [s.label for s in spans])
    return warnings


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _paragraphs(doc: ExportDocument, spans: list[SpanData]) -> list[tuple[str, list[SpanData]]] | str:
    """(line text, its spans shifted to the line) per non-blank line, or why the document
    cannot be written."""
    tag = TAG.search(doc.text)
    if tag:
        return f"its text contains {tag.group(0)!r} at offset {tag.start()}, which reads as a tag"
    lines, pos = [], 0
    bounds = [(m.start(), m.end()) for m in _LINE_BREAK.finditer(doc.text)] + [(len(doc.text),) * 2]
    for start, end in bounds:
        lines.append((pos, start))
        pos = end
    out, i = [], 0
    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    for line_start, line_end in lines:
        inside = []
        while i < len(ordered) and ordered[i].start < line_end + (line_end == len(doc.text)):
            s = ordered[i]
            if s.start < line_start or s.end > line_end:
                return (f"span {s.start}..{s.end} {s.label} crosses a line break, and ThaiNER is one"
                        " line per paragraph (export it in another format)")
            inside.append(SpanData(s.start - line_start, s.end - line_start, s.label, s.state, s.origin))
            i += 1
        text = doc.text[line_start:line_end]
        if text.strip():
            out.append((text, inside))
        elif inside:
            return f"span {inside[0].start + line_start} {inside[0].label} is on a line of only white space"
    if i < len(ordered):  # a span that starts inside a line break
        s = ordered[i]
        return f"span {s.start}..{s.end} {s.label} crosses a line break"
    return out


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
