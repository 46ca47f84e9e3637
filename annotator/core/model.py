"""Plain domain objects. Offsets are Python code points, end-exclusive."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Span states. "confirmed" states are the ones a person has vouched for.
SUGGESTED = "suggested"
ACCEPTED = "accepted"
REJECTED = "rejected"
EDITED = "edited"
MANUAL = "manual"
SPAN_STATES = (SUGGESTED, ACCEPTED, REJECTED, EDITED, MANUAL)
CONFIRMED_STATES = (ACCEPTED, EDITED, MANUAL)
HUMAN_STATES = (ACCEPTED, REJECTED, EDITED, MANUAL)

# Where a span came from.
SPAN_ORIGINS = ("model", "rule", "gazetteer", "human", "import")

# Document review status.
NEW = "new"
IN_PROGRESS = "in_progress"
DONE = "done"
SKIPPED = "skipped"
DOC_STATUSES = (NEW, IN_PROGRESS, DONE, SKIPPED)

# The change-log action of an adjudicated document (store/team.py writes it; the file
# check reads past it).
MERGE_ACTION = "doc.merge"


@dataclass(frozen=True)
class SpanData:
    """A labelled character range as read from or written to a file.

    ``start``/``end`` are code-point offsets into the document text, end-exclusive.
    """

    start: int
    end: int
    label: str
    state: str = SUGGESTED
    origin: str = "import"
    confidence: float | None = None
    author: str | None = None
    provenance: str | None = None  # JSON text, as stored: agreement and adjudication


@dataclass
class DocumentData:
    """A document as read from a file, before it has an id in a project.

    ``source`` and ``line`` say where it came from, for error messages. ``annotator`` names
    the team member whose finished annotation this is (another annotator's project file or
    its export): the importer then merges it as theirs instead of skipping a known text.
    """

    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    spans: list[SpanData] = field(default_factory=list)
    source: str = ""
    line: int = 0
    annotator: str | None = None


@dataclass(frozen=True)
class Label:
    id: int
    name: str
    color: str
    hotkey: str | None
    description: str
    position: int = 0


@dataclass(frozen=True)
class Span:
    """A span stored in a project."""

    id: int
    doc_id: int
    start: int
    end: int
    label: str
    state: str
    origin: str
    confidence: float | None = None
    author: str | None = None
    model_version: str | None = None

    @property
    def confirmed(self) -> bool:
        return self.state in CONFIRMED_STATES


@dataclass(frozen=True)
class Document:
    """A document stored in a project. ``text`` is exactly as imported."""

    id: int
    text: str
    title: str
    date: str | None
    url: str | None
    meta: dict[str, Any]
    status: str
    content_hash: str
    source: str | None = None


@dataclass(frozen=True)
class Token:
    start: int
    end: int


@dataclass
class ExportDocument:
    """What a format writer receives: one document ready to write.

    ``tokens`` are (start, end) offsets already split at every span edge, so each span
    starts and ends on a token boundary. ``spans`` are sorted by (start, end).
    """

    id: int
    text: str
    meta: dict[str, Any]
    spans: list[SpanData]
    tokens: list[tuple[int, int]]
    status: str = DONE
