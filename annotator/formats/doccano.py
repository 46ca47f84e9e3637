"""doccano sequence labelling JSONL: one document per line, spans as ``[start, end, label]``.

Sample (one line)::

    {"id": 7, "text": "ไปเชียงใหม่", "label": [[2, 11, "LOCATION"]], "title": "ข่าว"}

This is what doccano's importer takes for a sequence labelling project (file format
"JSONL", text column ``text``, label column ``label``): every other top-level key is
stored by doccano as the example's metadata. doccano reads the lines into one table, so
a key some records lack becomes NaN in the others, and NaN is no JSON: the import fails
(``CHECK constraint failed: JSON_VALID("meta")``). So every record has exactly the keys
``id``, ``text``, ``label`` and ``meta`` (an object, ``{}`` when empty) holding our
metadata unchanged; :func:`read` (which is :func:`annotator.formats.jsonl.read`) merges
it back, so write -> read gives the same text, spans and meta.

Offsets are code points, end-exclusive, like doccano's. doccano knows nothing of span
state, origin, confidence or author: the exporter chooses which spans to hand over
(normally the confirmed ones) and they are written as plain labels.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from annotator.core.model import ExportDocument
from annotator.formats import WriteOptions, jsonl
from annotator.formats.jsonl import read

__all__ = ["read", "write"]


def write(
    docs: Iterable[ExportDocument], path: str | os.PathLike[str], options: WriteOptions
) -> list[str]:
    """Write doccano JSONL; warns about overlapping spans (doccano's default refuses them)."""
    warnings: list[str] = []
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for doc in docs:
            f.write(jsonl.dumps(document_record(doc)) + "\n")
            options.tally.wrote(doc.id, doc.text, [s.label for s in doc.spans])
            overlap = _first_overlap(doc)
            if overlap:
                warnings.append(
                    f"document {doc.id}: spans {overlap} overlap; doccano imports them only "
                    "into a project that allows overlapping spans"
                )
    return warnings


def document_record(doc: ExportDocument) -> dict[str, Any]:
    return {
        "id": doc.id,
        "text": doc.text,
        "label": [[s.start, s.end, s.label] for s in doc.spans],
        "meta": dict(doc.meta),  # the same four keys in every record: see the module docstring
    }


def _first_overlap(doc: ExportDocument) -> str | None:
    spans = sorted(doc.spans, key=lambda s: (s.start, s.end))
    for before, after in zip(spans, spans[1:]):
        if after.start < before.end:
            return (
                f"{before.start}..{before.end} {before.label} and "
                f"{after.start}..{after.end} {after.label}"
            )
    return None
