"""File formats, one module each, found by name.

Every reader module has ``read(path, **options) -> Iterator[DocumentData | InputProblem]``:
it yields documents, yields an ``InputProblem`` for a document it refuses (and goes on),
and raises ``InputFileError`` when the whole file is unusable. Every writer module has
``write(docs: Iterable[ExportDocument], path, options: WriteOptions) -> list[str]``
returning warnings (spans it could not represent), never dropping anything silently.
Writers record each document they wrote, and the spans it holds, in ``options.tally``:
the export's manifest counts from it, so it counts exactly what the files hold.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Callable, Container

READERS = ("txt", "jsonl", "conll", "thainer", "hf", "doccano", "brat", "labelstudio", "spacy", "annot")
WRITERS = ("conll", "jsonl", "hf", "doccano", "brat", "thainer", "labelstudio", "spacy")

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
    ".spacy": "spacy",  # a spaCy DocBin
}
SNIFF_BYTES = 64 * 1024


@dataclass
class Tally:
    """What a writer actually wrote: (document id, text hash) per document, spans per label,
    the documents it could not write at all (errors, not warnings), and notes a consumer must
    know (each counted once per document it concerns)."""

    documents: list[tuple[int, str]] = field(default_factory=list)
    spans: Counter = field(default_factory=Counter)
    refused: list[str] = field(default_factory=list)
    notes: Counter = field(default_factory=Counter)

    def note(self, text: str) -> None:
        """One more document that ``text`` is true of."""
        self.notes[text] += 1

    def wrote(self, doc_id: int, text: str, labels) -> None:
        self.documents.append((doc_id, text_hash(text)))
        self.spans.update(labels)

    def add(self, other: "Tally") -> None:
        self.documents.extend(other.documents)
        self.spans.update(other.spans)
        self.refused.extend(other.refused)
        self.notes.update(other.notes)


def text_hash(text: str) -> str:
    """The project's content hash of a text (SHA-1 of its UTF-8), as the manifest lists it."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


@dataclass
class WriteOptions:
    scheme: str = "iob2"  # or "bioes", for token formats
    labels: list[str] = field(default_factory=list)  # label names, in project order
    with_authors: bool = False
    annotator: str | None = None  # the project's annotator, written with authors (jsonl)
    space_token: str = "auto"  # how a space token is written in token formats (see conll, hf)
    docstart: str = "tagged"  # conll: the document start line (see conll.DOCSTART_STYLES)
    tally: Tally = field(default_factory=Tally)


def get(name: str) -> ModuleType:
    if name not in READERS and name not in WRITERS:
        raise KeyError(name)
    return importlib.import_module(f"{__name__}.{name}")


def guess(path: Path, listing: Callable[[str], Container[str] | None] | None = None) -> str | None:
    """The reader for ``path`` by its name (and, for JSON, its first record), or None if
    neither tells. A ``.txt`` with a ``.ann`` beside it is brat; ``listing(folder)`` gives
    the names in a folder (or None when it cannot), so that a caller guessing for many
    files of one folder lists it once instead of asking the disk about each ``.ann``."""
    suffix = path.suffix.lower()
    if suffix == ".txt":
        names = listing(os.path.dirname(path)) if listing is not None else None
        if (os.path.basename(path)[:-4] + ".ann" in names) if names is not None else path.with_suffix(".ann").exists():
            return "brat"
        return "txt"
    name = _BY_SUFFIX.get(suffix)
    if name == "jsonl":
        return sniff_json(path) or name
    return name


class FolderNames:
    """``listing`` for :func:`guess`: each folder's names, read once (``os.listdir``)."""

    def __init__(self) -> None:
        self._names: dict[str, frozenset[str] | None] = {}

    def __call__(self, folder: str) -> frozenset[str] | None:
        try:
            return self._names[folder]
        except KeyError:
            try:
                names: frozenset[str] | None = frozenset(os.listdir(folder or "."))
            except OSError:
                names = None  # guess asks the disk about the one file instead
            self._names[folder] = names
            return names


def sniff_json(path: Path) -> str | None:
    """Which JSON reader a ``.json``/``.jsonl`` file wants, from its start: ``labelstudio``
    for a JSON array of tasks (Label Studio's JSON and JSON-MIN exports), ``hf`` for lines
    of ``tokens`` + ``ner_tags`` without ``text``; None when the start does not tell."""
    try:
        with open(path, "rb") as f:
            head = f.read(SNIFF_BYTES).decode("utf-8-sig", errors="replace")
    except OSError:
        return None
    body = head.lstrip()
    if body.startswith("["):
        return "labelstudio"
    first = body.split("\n", 1)[0].strip()
    try:
        record = json.loads(first)
    except ValueError:
        return None
    if isinstance(record, dict) and "text" not in record and "tokens" in record and (
            "ner_tags" in record or "tags" in record):
        return "hf"
    if isinstance(record, dict) and isinstance(record.get("data"), dict) and "text" not in record:
        return "labelstudio"  # one Label Studio task per line
    return None
