"""JSON Lines: one JSON object per line, one document per object.

Sample (what :func:`write` produces, wrapped here; one line in the file)::

    {"id": 7, "text": "ไปเชียงใหม่", "meta": {"title": "ข่าว"}, "tokens": [[0, 2], [2, 11]],
     "spans": [{"start": 2, "end": 11, "label": "LOCATION", "state": "accepted",
                "origin": "human", "confidence": null}]}

Offsets are code points, end-exclusive. :func:`read` also takes the spans of other tools:

* spaCy / Prodigy: ``"spans"`` (or spaCy's ``"ents"``): ``[{"start", "end", "label"}]``,
  optionally ``"state"``, ``"origin"``, ``"confidence"``, ``"author"``, ``"provenance"``. A span's
  ``"text"``, when given, must equal the text at its offsets (catches files whose
  offsets count bytes or UTF-16 units instead of code points);
* doccano: ``"label": [[0, 13, "PERSON"], ...]`` (older exports: ``"labels"``), or
  ``"entities": [{"start_offset", "end_offset", "label"}]``. A ``"label"`` list of
  plain strings is a doccano *classification* label and is kept in ``meta``.

Decisions:

* Top-level keys that are not read as text or spans are kept in ``meta`` under their
  own name (``id``, ``answer``, ``cats``, doccano's metadata columns ...), so nothing
  is lost on import; keys of a ``"meta"`` object win over such top-level keys. Only
  values derived from the text are dropped: ``tokens`` (our own output has them; they
  would be stale once spans change) and Prodigy's ``_input_hash`` / ``_task_hash``.
* A top-level ``"annotator"`` string (``export --with-authors`` writes it on finished
  documents) says whose annotation the record is: the importer merges it as theirs.
* A line is refused (an ``InputProblem``, reading goes on) for bad JSON, a missing /
  non-string / blank text, non-integer offsets, spans outside ``0 <= start < end <=
  len(text)``, a span ``"text"`` that differs from the text at its offsets, unknown
  span state or origin, spans under two keys at once. Overlapping or crossing spans
  are *not* refused here: the importer decides.
* JSON is UTF-8 (RFC 8259): no legacy-encoding guess. Bytes that are not UTF-8 refuse
  the whole file (``InputFileError`` with byte offset and line), like any text file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from typing import Any

from annotator.core.errors import InputFileError, InputProblem
from annotator.core.model import DONE, SPAN_ORIGINS, SPAN_STATES, DocumentData, ExportDocument, SpanData
from annotator.formats import WriteOptions, encoding, limits

# Keys that hold spans, in the order they are looked for.
SPAN_KEYS = ("spans", "ents", "entities", "label", "labels")
# doccano text classification puts a list of category names under these keys.
CATEGORY_KEYS = ("label", "labels")
DERIVED_KEYS = frozenset({"tokens", "_input_hash", "_task_hash"})

# Line breaks that str.splitlines() (and many JSONL readers) split on but that JSON
# leaves unescaped with ensure_ascii=False. Escaped on write so one record stays one line.
_LINE_BREAKS_IN_STRINGS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}


class Refused(ValueError):
    """One record is unusable; the message says why (without file and line)."""


# ---------------------------------------------------------------------------- reading


def read(path: str | os.PathLike[str], max_bytes: int | None = None) -> Iterator[DocumentData | InputProblem]:
    """Yield one document per non-blank line, or an InputProblem for a refused line. A file
    whose first line shows it is another format is refused once, naming that format. The
    file is read a line at a time; a line longer than :func:`limits.max_line` bytes is
    refused unread, a text over ``max_bytes`` characters (the import's --max-size) or more
    than :data:`limits.MAX_SPANS_PER_DOCUMENT` spans refuse their line."""
    first = True
    max_line = limits.max_line(max_bytes)
    max_chars = limits.max_chars(max_bytes)
    for line_no, line in _lines(path, max_line):
        if line is None:
            first = False
            yield InputProblem(str(path), line_no, encoding.too_long(max_line, "bytes"))
            continue
        if first:
            _refuse_other_format(path, line_no, line)
            first = False
        try:
            obj = json.loads(line, parse_constant=_no_constant)
            if isinstance(obj, dict) and isinstance(obj.get("text"), str) and len(obj["text"]) > max_chars:
                raise Refused(f"too large for one article: its text has {len(obj['text']):,} characters, over"
                              f" {max_chars:,} (raise the limit with --max-size)")
            yield record_to_document(obj, source=str(path), line=line_no)
        except json.JSONDecodeError as e:
            yield InputProblem(str(path), line_no, f"not valid JSON: {e.msg} (column {e.colno})")
        except Refused as e:
            yield InputProblem(str(path), line_no, str(e))
        except (ValueError, RecursionError) as e:  # an integer of 5,000 digits, nesting 100,000 deep
            yield InputProblem(str(path), line_no, f"not usable JSON: {_too_much(e)}")


def _refuse_other_format(path, line_no: int, line: str) -> None:
    """InputFileError when the first line is plainly another format's (not one per line)."""
    if line.lstrip().startswith("[") and not _parses(line):  # an array over many lines
        raise InputFileError(path, line_no, "is a JSON array, not JSON Lines (one object a line): a Label"
                                            " Studio export? import it with --format labelstudio")
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):
        return
    if isinstance(obj, dict) and "text" not in obj:
        if "tokens" in obj and ("ner_tags" in obj or "tags" in obj):
            raise InputFileError(path, line_no, 'has "tokens" and "ner_tags" but no "text": Hugging Face token'
                                                " data; import it with --format hf")
        if isinstance(obj.get("data"), dict):
            raise InputFileError(path, line_no, 'has "data" but no "text": Label Studio tasks; import them with'
                                                " --format labelstudio")


def _parses(line: str) -> bool:
    try:
        json.loads(line)
    except (ValueError, RecursionError):
        return False
    return True


def _too_much(error: Exception) -> str:
    if isinstance(error, RecursionError):
        return "nested too deeply"
    return str(error).split(";", 1)[0]


def record_to_document(obj: Any, source: str = "", line: int = 0) -> DocumentData:
    """One decoded JSON record as a document. Raises Refused."""
    if not isinstance(obj, dict):
        raise Refused(f"expected a JSON object, found {_json_type(obj)}")
    text = _text(obj)
    spans: list[SpanData] = []
    extras: dict[str, Any] = {}
    span_key = None
    annotator = obj.get("annotator") if isinstance(obj.get("annotator"), str) else None
    if annotator is not None and not annotator.strip():
        raise Refused('"annotator" is empty: name whose annotation this is, or leave it out')
    for key, value in obj.items():
        if key in ("text", "meta") or key in DERIVED_KEYS or (key == "annotator" and annotator):
            continue
        if key in SPAN_KEYS and not (key in CATEGORY_KEYS and _is_category_list(value)):
            found = _spans(key, value, text)
            if found and span_key:
                raise Refused(f'spans in both "{span_key}" and "{key}": keep only one')
            if found:
                spans, span_key = found, key
            continue
        extras[key] = value
    meta = obj.get("meta")
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise Refused(f'"meta" must be an object, found {_json_type(meta)}')
    return DocumentData(text, {**extras, **meta}, spans, source=source, line=line,
                        annotator=annotator.strip() if annotator else None)


def _lines(path: str | os.PathLike[str], max_line: int | None = None) -> Iterator[tuple[int, str | None]]:
    """(line number, text) of each non-blank line; None for a line over ``max_line`` bytes.

    Bytes that are not UTF-8 refuse the whole file (InputFileError with byte offset and
    line), like any text file: the encoding is wrong, not one record.
    """
    return encoding.utf8_lines(path, limits.max_line(None) if max_line is None else max_line)


def _no_constant(name: str) -> Any:
    raise Refused(f"{name} is not a JSON number")


def _text(obj: dict[str, Any]) -> str:
    if "text" not in obj:
        raise Refused('no "text"')
    text = obj["text"]
    if not isinstance(text, str):
        raise Refused(f'"text" must be a string, found {_json_type(text)}')
    if not text.strip():
        raise Refused('"text" is empty')
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:  # "\ud800" escapes decode to lone surrogates
        code = ord(text[e.start])
        message = f'"text" has an unpaired surrogate \\u{code:04x} at offset {e.start}'
        raise Refused(message) from None
    return text


def _is_category_list(value: Any) -> bool:
    """doccano text classification: "label": ["positive", ...], not spans."""
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)


def _spans(key: str, value: Any, text: str) -> list[SpanData]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise Refused(f'"{key}" must be a list, found {_json_type(value)}')
    if len(value) > limits.MAX_SPANS_PER_DOCUMENT:
        raise Refused(f'{len(value):,} spans in "{key}": more than {limits.MAX_SPANS_PER_DOCUMENT:,} in one'
                      " document is not an annotation")
    return [_span(f"{key}[{i}]", item, text) for i, item in enumerate(value)]


def _span(where: str, item: Any, text: str) -> SpanData:
    """One span, from [start, end, label] or an object. Raises Refused naming ``where``."""
    if isinstance(item, list):
        if len(item) != 3:
            raise Refused(f"{where}: expected [start, end, label], found {len(item)} items")
        start, end, label = item
        extra: dict[str, Any] = {}
    elif isinstance(item, dict):
        start = _first(item, where, "start", "start_offset")
        end = _first(item, where, "end", "end_offset")
        label = item.get("label")
        extra = item
    else:
        raise Refused(
            f"{where}: expected an object or [start, end, label], found {_json_type(item)}"
        )
    for name, offset in (("start", start), ("end", end)):
        if not isinstance(offset, int) or isinstance(offset, bool):
            raise Refused(f"{where}: {name} is {json.dumps(offset)}, not an integer")
    if start >= end:
        raise Refused(f"{where}: {start}..{end} is empty or reversed (start must be < end)")
    if start < 0 or end > len(text):
        raise Refused(f"{where}: {start}..{end} is outside the text (length {len(text)})")
    if not isinstance(label, str) or not label.strip():
        raise Refused(f"{where}: label must be a non-empty string, found {json.dumps(label)}")
    if "text" in extra and extra["text"] != text[start:end]:
        given = json.dumps(extra["text"], ensure_ascii=False)
        actual = json.dumps(text[start:end], ensure_ascii=False)
        raise Refused(
            f"{where}: span text {given} is not the text at {start}..{end} ({actual}); "
            "offsets must count code points"
        )
    return SpanData(start, end, label, **_span_extras(where, extra))


def _first(item: dict[str, Any], where: str, *names: str) -> Any:
    for name in names:
        if name in item:
            return item[name]
    raise Refused(f'{where}: no "{names[0]}"')


def _span_extras(where: str, item: dict[str, Any]) -> dict[str, Any]:
    """state / origin / confidence / author of a span object, checked."""
    out: dict[str, Any] = {}
    state, origin = item.get("state"), item.get("origin")
    if state is not None:
        if state not in SPAN_STATES:
            raise Refused(
                f"{where}: unknown state {json.dumps(state)} (one of {', '.join(SPAN_STATES)})"
            )
        out["state"] = state
    if origin is not None:
        if origin not in SPAN_ORIGINS:
            raise Refused(
                f"{where}: unknown origin {json.dumps(origin)} "
                f"(one of {', '.join(SPAN_ORIGINS)})"
            )
        out["origin"] = origin
    confidence = item.get("confidence")
    if confidence is not None:
        if not _is_number(confidence) or not 0 <= confidence <= 1:
            raise Refused(
                f"{where}: confidence must be a number from 0 to 1, "
                f"found {json.dumps(confidence)}"
            )
        out["confidence"] = float(confidence)
    author = item.get("author")
    if author is not None:
        if not isinstance(author, str):
            raise Refused(f"{where}: author must be a string, found {json.dumps(author)}")
        out["author"] = author
    provenance = item.get("provenance")
    if provenance is not None:
        if not isinstance(provenance, dict):
            raise Refused(f"{where}: provenance must be an object, found {_json_type(provenance)}")
        out["provenance"] = json.dumps(provenance, ensure_ascii=False, sort_keys=True)
    return out


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _json_type(value: Any) -> str:
    """How a JSON value reads in a message: "a string", "a list", "null" ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if _is_number(value):
        return "a number"
    return {str: "a string", list: "a list", dict: "an object"}.get(type(value), "a value")


# ---------------------------------------------------------------------------- writing


def write(
    docs: Iterable[ExportDocument], path: str | os.PathLike[str], options: WriteOptions
) -> list[str]:
    """Write one JSON object per document. Everything is representable: no warnings."""
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for doc in docs:
            f.write(dumps(document_record(doc, options)) + "\n")
            options.tally.wrote(doc.id, doc.text, [s.label for s in doc.spans])
    return []


def document_record(doc: ExportDocument, options: WriteOptions) -> dict[str, Any]:
    record = {
        "id": doc.id,
        "text": doc.text,
        "meta": doc.meta,
        "tokens": [[start, end] for start, end in doc.tokens],
        "spans": [_span_record(s, options.with_authors) for s in doc.spans],
    }
    if options.with_authors and options.annotator and doc.status == DONE:
        # Whose finished annotation this is: importing the file into another project merges
        # it as theirs (an empty "spans" then says "no entity here", which counts).
        record["annotator"] = options.annotator
    return record


def dumps(record: dict[str, Any]) -> str:
    """One record as one line of JSON, UTF-8 text left readable (ensure_ascii=False)."""
    line = json.dumps(record, ensure_ascii=False, allow_nan=False)
    for char, escaped in _LINE_BREAKS_IN_STRINGS.items():
        if char in line:  # only possible inside strings, where the escape means the same
            line = line.replace(char, escaped)
    return line


def _span_record(span: SpanData, with_author: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "start": span.start,
        "end": span.end,
        "label": span.label,
        "state": span.state,
        "origin": span.origin,
        "confidence": span.confidence,
    }
    if with_author:
        out["author"] = span.author
        if span.provenance:
            out["provenance"] = json.loads(span.provenance)
    return out
