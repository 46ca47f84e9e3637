"""Hugging Face token classification data: JSON lines, label names in a file beside them.

Sample ``train.jsonl`` (the text ``"คนไทย ไป\\nกทม."``, LOCATION on ``ไทย``)::

    {"id": 7, "tokens": ["คน", "ไทย", " ", "ไป", "\\n", "กทม."], "ner_tags": [0, 1, 0, 0, 0, 0]}

and ``train.labels.json`` — always ``<data file stem>.labels.json`` in the same folder,
see :func:`labels_path` — holding the tag names in id order::

    ["O", "B-LOCATION", "I-LOCATION", "B-PERSON", "I-PERSON"]

The names are ``O``, then for each label in project order its ``B-``, ``I-`` (and with
the BIOES scheme ``E-``, ``S-``) tags. A span label missing from the project's list is
appended at the end (with a warning), so existing ids never move. Pass the names to
``datasets.ClassLabel(names=...)``.

``id`` is the project's document id, an integer as in every other format.

Whitespace rule: tokens are written verbatim — JSON strings carry spaces, TABs, CR and
LF — so ``"".join(tokens)`` is the document text exactly (``space_token`` must be
``auto`` or ``keep``). Lines are UTF-8
(``ensure_ascii=False``); U+2028, U+2029 and U+0085 are written as ``\\uXXXX`` escapes
because some line readers (``str.splitlines``, JavaScript) break lines at them.

Reading: ``ner_tags`` (or ``tags``) holds integers, looked up in the labels file beside
the data (``<stem>.labels.json``, else the ``labels.json`` of a split export's folder, or
the ``labels`` option), or tag strings. The text is the tokens joined with
``join`` (default ``""``; ``" "`` for a space-separated language). A bad line refuses its
document, named by file and line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Iterator

from annotator.core.errors import FormatError, InputFileError, InputProblem
from annotator.core.model import DocumentData, ExportDocument, SpanData
from annotator.core.spans import parse_tag, scheme_prefixes, tag_names, tags_to_spans
from annotator.formats import WriteOptions, encoding, limits
from annotator.formats.conll import encode_document, spans_of_tags

LABELS_SUFFIX = ".labels.json"
FOLDER_LABELS = "labels.json"  # one list for all splits: no split name, so HF loaders skip it
# Line separators JSON leaves raw but other line readers split at.
_RAW_LINE_BREAKS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}


def labels_path(path) -> Path:
    """Where the label list of the data file ``path`` lives: ``<stem>.labels.json`` beside it."""
    path = Path(path)
    return path.with_name(path.stem + LABELS_SUFFIX)


def _dumps(obj: Any) -> str:
    text = json.dumps(obj, ensure_ascii=False)
    for raw, escaped in _RAW_LINE_BREAKS.items():
        text = text.replace(raw, escaped)  # only ever inside a JSON string: still valid
    return text


# --- writing ---------------------------------------------------------------------


def write(docs: Iterable[ExportDocument], path, options: WriteOptions) -> list[str]:
    """Write ``docs`` to ``path`` and the label list to :func:`labels_path` ``(path)``."""
    prefixes = scheme_prefixes(options.scheme)
    if options.space_token not in ("auto", "keep"):
        raise FormatError(f"space token {options.space_token!r}: Hugging Face tokens are JSON strings and"
                          " keep their spaces (choose auto or keep)")
    names = tag_names(options.labels, options.scheme)
    ids = {name: i for i, name in enumerate(names)}
    warnings: list[str] = []
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for doc in docs:
            words, tags, doc_warnings = encode_document(doc, options.scheme)
            warnings.extend(doc_warnings)
            for tag in tags:
                if tag not in ids:  # a label the project list lacks: add it at the end
                    label = parse_tag(tag)[1]
                    if options.labels:
                        warnings.append(
                            f"document {doc.id}: label {label} is not in the label list; "
                            f"added as ids {len(names)}-{len(names) + len(prefixes) - 1}"
                        )
                    for p in prefixes:
                        ids[f"{p}-{label}"] = len(names)
                        names.append(f"{p}-{label}")
            record = {"id": doc.id, "tokens": words, "ner_tags": [ids[t] for t in tags]}
            out.write(_dumps(record) + "\n")
            options.tally.wrote(doc.id, doc.text, spans_of_tags(words, tags))
    with open(labels_path(path), "w", encoding="utf-8", newline="\n") as out:
        out.write(_dumps(names) + "\n")
    return warnings


# --- reading ---------------------------------------------------------------------


def _load_labels(path: Path) -> list[str] | None:
    if not path.exists():
        return None
    try:
        names = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as e:
        why = "nested too deeply" if isinstance(e, RecursionError) else e
        raise InputFileError(str(path), 0, f"cannot read the label list: {why}") from None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise InputFileError(str(path), 0, "the label list must be a JSON list of tag names")
    for name in names:
        try:
            parse_tag(name)
        except FormatError as e:
            raise InputFileError(str(path), 0, e.args[0]) from e
    return names


def _tag_strings(raw: Any, names: list[str] | None, labels_file: Path) -> list[str]:
    if not isinstance(raw, list):
        raise FormatError("ner_tags must be a list")
    tags = []
    for i, tag in enumerate(raw):
        if isinstance(tag, int) and not isinstance(tag, bool):
            if names is None:
                raise FormatError(
                    f"integer tags need the label list {labels_file.name} beside the file"
                )
            if not 0 <= tag < len(names):
                raise FormatError(f"tag id {tag} at token {i} is not in the label list")
            tag = names[tag]
        elif not isinstance(tag, str):
            raise FormatError(f"tag at token {i} is neither an integer nor a string")
        parse_tag(tag)
        tags.append(tag)
    return tags


def _document(obj: Any, names: list[str] | None, labels_file: Path, join: str):
    """(text, spans, meta) of one JSON record; FormatError if it cannot be used."""
    if not isinstance(obj, dict):
        raise FormatError("a line must hold a JSON object")
    words = obj.get("tokens")
    if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
        raise FormatError("tokens must be a list of non-empty strings")
    key = "ner_tags" if "ner_tags" in obj else "tags"
    if key not in obj:
        raise FormatError("no ner_tags (or tags) list")
    tags = _tag_strings(obj[key], names, labels_file)
    if len(tags) != len(words):
        raise FormatError(f"{len(words)} tokens but {len(tags)} tags")
    tokens = []
    pos = 0
    for i, word in enumerate(words):
        pos += len(join) if i else 0  # a joining gap inside an entity belongs to it
        tokens.append((pos, pos + len(word)))
        pos += len(word)
    spans = [SpanData(s, e, label, origin="import") for s, e, label in tags_to_spans(tokens, tags)]
    meta = {"id": obj["id"]} if "id" in obj else {}
    return join.join(words), spans, meta


def read(
    path, *, labels: list[str] | None = None, join: str = "", max_bytes: int | None = None,
) -> Iterator[DocumentData | InputProblem]:
    """Documents of a Hugging Face JSON-lines file; see the module docstring. Read a line at
    a time: a line over :func:`limits.max_line` bytes is refused unread, a document of more
    than :data:`limits.MAX_TOKENS_PER_DOCUMENT` tokens or ``max_bytes`` characters (the
    import's --max-size) is refused at its line."""
    path = Path(path)
    labels_file = labels_path(path)
    if not labels_file.exists() and (path.parent / FOLDER_LABELS).exists():
        labels_file = path.parent / FOLDER_LABELS
    names = list(labels) if labels is not None else _load_labels(labels_file)
    max_line, max_chars = limits.max_line(max_bytes), limits.max_chars(max_bytes)
    # Split at LF only: a raw U+2028 inside a JSON string is not a line end.
    for number, line in encoding.utf8_lines(path, max_line, "Hugging Face JSON lines"):
        if line is None:
            yield InputProblem(str(path), number, encoding.too_long(max_line, "bytes"))
            continue
        line = line.strip()
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            yield InputProblem(str(path), number, f"not valid JSON: {e.msg} (column {e.colno})")
            continue
        except (ValueError, RecursionError) as e:  # a 5,000-digit integer, nesting 100,000 deep
            why = "nested too deeply" if isinstance(e, RecursionError) else str(e).split(";", 1)[0]
            yield InputProblem(str(path), number, f"not usable JSON: {why}")
            continue
        words = obj.get("tokens") if isinstance(obj, dict) else None
        if isinstance(words, list) and len(words) > limits.MAX_TOKENS_PER_DOCUMENT:
            yield InputProblem(str(path), number, f"{len(words):,} tokens: more than"
                                                  f" {limits.MAX_TOKENS_PER_DOCUMENT:,} is not one article")
            continue
        try:
            text, spans, meta = _document(obj, names, labels_file, join)
        except FormatError as e:
            yield InputProblem(str(path), number, e.args[0])
            continue
        if len(text) > max_chars:
            yield InputProblem(str(path), number, f"too large for one article: {len(text):,} characters, over"
                                                  f" {max_chars:,} (raise the limit with --max-size)")
            continue
        yield DocumentData(text, meta, spans, source=str(path), line=number)
