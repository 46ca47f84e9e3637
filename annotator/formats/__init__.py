"""File formats, one module each, found by name.

Every reader module has ``read(path, **options) -> Iterator[DocumentData | InputProblem]``:
it yields documents, yields an ``InputProblem`` for a document it refuses (and goes on),
and raises ``InputFileError`` when the whole file is unusable. Every writer module has
``write(docs: Iterable[ExportDocument], path, options: WriteOptions) -> list[str]``
returning warnings (spans it could not represent), never dropping anything silently.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

READERS = ("txt", "jsonl", "conll", "thainer", "hf", "doccano", "brat", "annot")
WRITERS = ("conll", "jsonl", "hf", "doccano", "brat", "thainer")

# File name endings that choose a reader when --format is auto.
_BY_SUFFIX = {
    ".txt": "txt",
    ".jsonl": "jsonl",
    ".json": "jsonl",
    ".conll": "conll",
    ".iob": "conll",
    ".iob2": "conll",
    ".bio": "conll",
    ".bioes": "conll",
    ".tsv": "conll",
    ".annot": "annot",  # another annotator's project file
}


@dataclass
class WriteOptions:
    scheme: str = "iob2"  # or "bioes", for token formats
    labels: list[str] = field(default_factory=list)  # label names, in project order
    with_authors: bool = False
    annotator: str | None = None  # the project's annotator, written with authors (jsonl)


def get(name: str) -> ModuleType:
    if name not in READERS and name not in WRITERS:
        raise KeyError(name)
    return importlib.import_module(f"{__name__}.{name}")


def guess(path: Path) -> str | None:
    """The reader for ``path`` by its name, or None if the name does not tell."""
    suffix = path.suffix.lower()
    if suffix == ".txt" and path.with_suffix(".ann").exists():
        return "brat"
    return _BY_SUFFIX.get(suffix)
