"""Label Studio: its JSON export (tasks) and JSON-MIN, read and written in its NER shape.

Sample of :func:`write` (one task of the JSON array; ``LOCATION`` on ``ไทย``)::

    [
    {"id": 7, "data": {"text": "คนไทย ไป"}, "meta": {"title": "ข่าว"},
     "annotations": [{"result": [{"id": "7-1", "from_name": "label", "to_name": "text",
       "type": "labels", "origin": "manual",
       "value": {"start": 2, "end": 5, "text": "ไทย", "labels": ["LOCATION"]}}]}]}
    ]

This is the task format Label Studio imports (data.text, annotations[].result[] of
``labels`` regions) for the labeling config written beside the file as
``<stem>.labelconfig.xml`` (``<Labels name="label" toName="text">`` with one ``<Label>``
per project label, and ``<Text name="text" value="$text"/>``): paste it into the
project's Labeling Interface, then import the JSON.

Offsets: Label Studio counts ``start``/``end`` in UTF-16 code units (JavaScript string
indices), not code points, so they are written so; for Thai (all in the Basic
Multilingual Plane) the two agree, and they differ only after an emoji or another
character above U+FFFF. Each region's ``text`` is the covered text.

Reading takes a JSON array (or JSON lines) of either shape:

* tasks: ``data`` (the text under ``text``, or the only string in ``data``), and the first
  annotation not ``was_cancelled`` (``completions`` in old exports); a task without any
  takes its first prediction. Regions of other types (relations, choices) are skipped and
  counted in a notice; a task with several annotations keeps the first (a notice counts
  them). Task ``meta`` and ``id`` go to the document's metadata.
* JSON-MIN: flat records ``{"id", "text", "label": [{"start", "end", "text", "labels"}], …}``
  (the regions' key is the config's ``from_name``, whatever it is); the other keys go to
  the metadata.

Offsets are taken as UTF-16 units and checked against each region's ``text``; when that
does not match but code points do (files made by Python tools), code points are used. A
task whose regions do not match its text is refused, named by its line.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Iterator
from xml.sax.saxutils import quoteattr

from annotator.core.errors import FormatError, InputFileError, InputNotice, InputProblem
from annotator.core.model import DocumentData, ExportDocument, SpanData
from annotator.formats import WriteOptions, encoding, limits

CONFIG_SUFFIX = ".labelconfig.xml"
FROM_NAME, TO_NAME = "label", "text"


def config_path(path) -> Path:
    path = Path(path)
    return path.with_name(path.stem + CONFIG_SUFFIX)


def labeling_config(labels: Iterable[str]) -> str:
    """The Label Studio labeling config for NER over ``labels``."""
    lines = ["<View>", f'  <Labels name="{FROM_NAME}" toName="{TO_NAME}">']
    lines += [f"    <Label value={quoteattr(label)}/>" for label in labels]
    lines += ["  </Labels>", f'  <Text name="{TO_NAME}" value="${TO_NAME}"/>', "</View>"]
    return "\n".join(lines) + "\n"


# --- offsets ---------------------------------------------------------------------


def _utf16_index(text: str) -> list[int] | None:
    """UTF-16 offset of every code-point offset 0..len(text), or None when they agree."""
    if text.isascii() or all(ord(c) < 0x10000 for c in text):
        return None
    out, pos = [0], 0
    for c in text:
        pos += 2 if ord(c) >= 0x10000 else 1
        out.append(pos)
    return out


# --- writing ---------------------------------------------------------------------


def task(doc: ExportDocument) -> dict[str, Any]:
    units = _utf16_index(doc.text)
    result = []
    for n, s in enumerate(sorted(doc.spans, key=lambda s: (s.start, s.end, s.label)), 1):
        start, end = (units[s.start], units[s.end]) if units else (s.start, s.end)
        result.append({
            "id": f"{doc.id}-{n}", "from_name": FROM_NAME, "to_name": TO_NAME, "type": "labels",
            "origin": "manual",
            "value": {"start": start, "end": end, "text": doc.text[s.start:s.end], "labels": [s.label]},
        })
    return {"id": doc.id, "data": {"text": doc.text}, "meta": dict(doc.meta),
            "annotations": [{"result": result}]}


def write(docs: Iterable[ExportDocument], path, options: WriteOptions) -> list[str]:
    """Write a JSON array of tasks to ``path`` and the labeling config beside it."""
    labels = list(options.labels)
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write("[")
        sep = "\n"
        for doc in docs:
            out.write(sep + json.dumps(task(doc), ensure_ascii=False))
            sep = ",\n"
            options.tally.wrote(doc.id, doc.text, [s.label for s in doc.spans])
            labels += [s.label for s in doc.spans if s.label not in labels]
        out.write("\n]\n")
    config_path(path).write_text(labeling_config(labels), encoding="utf-8")
    return []


# --- reading ---------------------------------------------------------------------


def _items(path: Path) -> Iterator[tuple[int, Any] | InputProblem]:
    """(line, decoded item) of a JSON array or of JSON lines."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputFileError(str(path), 0, f"cannot read: {e.strerror or e}") from None
    text = encoding.decode(data, path)
    decoder = json.JSONDecoder()
    body = text.lstrip()
    if not body.startswith("["):  # JSON lines: one task a line
        for number, line in enumerate(text.split("\n"), 1):
            if line.strip():
                try:
                    yield number, json.loads(line)
                except ValueError as e:
                    yield InputProblem(str(path), number, f"not valid JSON: {e}")
        return
    pos = len(text) - len(body) + 1
    line, counted = 1, 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            return
        line += text.count("\n", counted, pos)
        counted = pos
        try:
            item, pos = decoder.raw_decode(text, pos)
        except (ValueError, RecursionError) as e:
            raise InputFileError(str(path), line, f"not a valid JSON array: {e}") from None
        yield line, item


def _text_of(data: Any) -> str:
    if not isinstance(data, dict):
        raise FormatError('"data" must be an object')
    if isinstance(data.get(TO_NAME), str):
        return data[TO_NAME]
    strings = [v for v in data.values() if isinstance(v, str)]
    if len(strings) == 1:
        return strings[0]
    raise FormatError('no "text" in "data" (and not exactly one text field to take instead)')


def _region_spans(regions: Any, text: str, origin: str, skipped: Counter) -> list[SpanData]:
    if not isinstance(regions, list):
        raise FormatError("a result must be a list of regions")
    units = _utf16_index(text)
    back = {u: i for i, u in enumerate(units)} if units else None
    spans = []
    for region in regions:
        if not isinstance(region, dict):
            raise FormatError("a region must be an object")
        value = region.get("value", region)  # JSON-MIN regions are the value itself
        if "type" in region and region["type"] != "labels" or not isinstance(value, dict) \
                or "labels" not in value:
            skipped[str(region.get("type", "unlabelled"))] += 1
            continue
        start, end, labels = value.get("start"), value.get("end"), value.get("labels")
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end)):
            raise FormatError(f"region start/end must be integers, found {start!r}/{end!r}")
        if not isinstance(labels, list) or not labels or not all(isinstance(x, str) for x in labels):
            raise FormatError(f"region {start}-{end}: labels must be a list of names")
        cs, ce = (back.get(start), back.get(end)) if back else (start, end)
        given = value.get("text")
        if given is not None and (cs is None or ce is None or text[cs:ce] != given):
            if 0 <= start < end <= len(text) and text[start:end] == given:
                cs, ce = start, end  # a Python tool's code-point offsets
            else:
                raise FormatError(f"region {start}-{end}: its text {given!r} is not the task's text there")
        if cs is None or ce is None or not 0 <= cs < ce <= len(text):
            raise FormatError(f"region {start}-{end} is outside the text (length {len(text)})")
        spans.extend(SpanData(cs, ce, label, origin=origin) for label in labels)
    return spans


def _task(item: Any, skipped: Counter, several: list[int]) -> tuple[str, list[SpanData], dict]:
    if not isinstance(item, dict):
        raise FormatError("a task must be a JSON object")
    if "data" not in item:  # JSON-MIN
        text = item.get(TO_NAME)
        if not isinstance(text, str):
            raise FormatError('no "text" (a JSON-MIN record) and no "data" (a task)')
        spans, meta = [], {}
        for key, value in item.items():
            if key == TO_NAME:
                continue
            if isinstance(value, list) and value and all(isinstance(v, dict) and "labels" in v for v in value):
                spans += _region_spans(value, text, "import", skipped)
            else:
                meta[key] = value
        return text, spans, meta
    text = _text_of(item["data"])
    annotations = item.get("annotations", item.get("completions")) or []
    if not isinstance(annotations, list):
        raise FormatError('"annotations" must be a list')
    kept = [a for a in annotations if isinstance(a, dict) and not a.get("was_cancelled")]
    origin = "import"
    if not kept and isinstance(item.get("predictions"), list) and item["predictions"]:
        kept, origin = item["predictions"][:1], "model"
    if len(kept) > 1:
        several.append(len(kept))
    spans = _region_spans(kept[0].get("result", []), text, origin, skipped) if kept else []
    meta = dict(item["meta"]) if isinstance(item.get("meta"), dict) else {}
    if "id" in item:
        meta.setdefault("id", item["id"])
    return text, spans, meta


def read(path, max_bytes: int | None = None) -> Iterator[DocumentData | InputProblem | InputNotice]:
    """Documents of a Label Studio JSON / JSON-MIN export; see the module docstring. The file
    is read whole (a JSON array): one larger than :func:`limits.max_whole_file` is refused
    before it is read."""
    path = Path(path)
    limits.check_whole_file(path, max_bytes, "a Label Studio export (a JSON array)")
    skipped: Counter = Counter()
    several: list[int] = []
    for entry in _items(path):
        if isinstance(entry, InputProblem):
            yield entry
            continue
        line, item = entry
        try:
            text, spans, meta = _task(item, skipped, several)
        except FormatError as e:
            yield InputProblem(str(path), line, e.args[0])
            continue
        if not text.strip():
            yield InputProblem(str(path), line, "the task's text is empty")
            continue
        yield DocumentData(text, meta, spans, source=str(path), line=line)
    if several:
        yield InputNotice(str(path), 0, f"{len(several)} tasks have several annotations; the first of each"
                                        " was imported")
    if skipped:
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(skipped.items()))
        yield InputNotice(str(path), 0, f"regions that are not entity labels skipped: {kinds}")
