"""Active review time: how long each annotator worked on each document (schema v4).

Time counts between two consecutive interactions (a key, a click) on the same document,
unless the gap is longer than :data:`IDLE_GAP`: a reviewer who went for lunch is not
reviewing. :class:`ActiveTimer` adds the time up in memory and writes it with
:func:`add_time` every few seconds, on a document switch and on close, so a crash loses at
most :data:`FLUSH_SECONDS` of it. Rates (:func:`pace`) divide the entities an annotator
decided by the hours they were active.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

from annotator.core.model import ACCEPTED, EDITED, MANUAL, REJECTED

from .project import Project, now

IDLE_GAP = 60.0  # seconds: a longer pause between two interactions is not review time
FLUSH_SECONDS = 10.0  # write the pending time once this much has gathered
DECIDED_STATES = (ACCEPTED, EDITED, MANUAL, REJECTED)


def add_time(project: Project, doc_id: int, seconds: float, author: str | None = None) -> None:
    """Add ``seconds`` of active time on ``doc_id`` for ``author`` (the project's annotator)."""
    if seconds <= 0:
        return
    with project.transaction():
        project.execute(
            "INSERT INTO activity (doc_id, author, seconds, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (doc_id, author) DO UPDATE SET seconds = seconds + excluded.seconds,"
            " updated_at = excluded.updated_at",
            (doc_id, author or project.annotator, float(seconds), now()),
        )


def document_time(project: Project, doc_id: int) -> dict[str, float]:
    """Active seconds on one document, per annotator."""
    rows = project.query("SELECT author, seconds FROM activity WHERE doc_id = ? ORDER BY author", (doc_id,))
    return {r[0]: r[1] for r in rows}


class ActiveTimer:
    """Turns a stream of interactions into active time per document.

    ``record(doc_id, seconds)`` writes time (normally :func:`add_time` on the open project);
    ``clock`` is a monotonic clock in seconds (tests give their own).
    """

    def __init__(self, record: Callable[[int, float], None], clock: Callable[[], float] = time.monotonic,
                 idle_gap: float = IDLE_GAP, flush_seconds: float = FLUSH_SECONDS):
        self._record = record
        self.clock = clock
        self.idle_gap = idle_gap
        self.flush_seconds = flush_seconds
        self._doc: int | None = None
        self._last: float | None = None
        self.pending = 0.0

    def touch(self, doc_id: int | None) -> None:
        """An interaction while ``doc_id`` is shown (None: no document). The time since the
        previous interaction belongs to the document that was shown during it."""
        t = self.clock()
        if self._doc is not None and self._last is not None:
            gap = t - self._last
            if 0 < gap <= self.idle_gap:
                self.pending += gap
        if doc_id != self._doc:
            self.flush()
            self._doc = doc_id
        self._last = t
        if self.pending >= self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        """Write the time gathered so far."""
        if self._doc is not None and self.pending > 0:
            seconds, self.pending = self.pending, 0.0
            self._record(self._doc, seconds)
        self.pending = 0.0

    def stop(self) -> None:
        """Write what is pending and forget the document (project closed)."""
        self.flush()
        self._doc = self._last = None


@dataclass
class Pace:
    """Entities decided and active time, per annotator and per label."""

    seconds: dict[str, float] = field(default_factory=dict)  # annotator -> active seconds
    documents: dict[str, int] = field(default_factory=dict)  # annotator -> documents worked on
    decided: dict[str, dict[str, int]] = field(default_factory=dict)  # annotator -> label -> entities

    def per_hour(self, annotator: str, label: str | None = None) -> float | None:
        hours = self.seconds.get(annotator, 0.0) / 3600
        if hours <= 0:
            return None
        counts = self.decided.get(annotator, {})
        return (counts.get(label, 0) if label else sum(counts.values())) / hours

    def label_per_hour(self, label: str) -> float | None:
        """Entities of ``label`` decided per hour, over every annotator with recorded time."""
        timed = [a for a in self.seconds if self.seconds[a] > 0]
        hours = sum(self.seconds[a] for a in timed) / 3600
        if hours <= 0:
            return None
        return sum(self.decided.get(a, {}).get(label, 0) for a in timed) / hours

    @property
    def labels(self) -> list[str]:
        return sorted({label for counts in self.decided.values() for label in counts})

    @property
    def annotators(self) -> list[str]:
        return sorted(set(self.seconds) | set(self.decided))

    def to_json(self) -> dict[str, Any]:
        return {
            "annotators": {
                a: {
                    "active_seconds": round(self.seconds.get(a, 0.0), 1),
                    "documents": self.documents.get(a, 0),
                    "decided": sum(self.decided.get(a, {}).values()),
                    "per_hour": _round(self.per_hour(a)),
                    "by_label": {
                        label: {"decided": n, "per_hour": _round(self.per_hour(a, label))}
                        for label, n in sorted(self.decided.get(a, {}).items())
                    },
                }
                for a in self.annotators
            },
            "labels": {label: {"per_hour": _round(self.label_per_hour(label))} for label in self.labels},
        }

    def format(self) -> str:
        if not self.annotators:
            return "no entities decided and no review time recorded yet"
        lines = [f"{'annotator':<16}{'active':>10}{'documents':>11}{'decided':>9}{'per hour':>10}"]
        for a in self.annotators:
            rate = self.per_hour(a)
            lines.append(f"{a[:15]:<16}{_duration(self.seconds.get(a, 0.0)):>10}{self.documents.get(a, 0):>11}"
                         f"{sum(self.decided.get(a, {}).values()):>9}{'-' if rate is None else f'{rate:.0f}':>10}")
        lines += ["", f"{'label':<16}{'decided':>9}{'per hour':>10}"]
        for label in self.labels:
            rate = self.label_per_hour(label)
            n = sum(c.get(label, 0) for c in self.decided.values())
            lines.append(f"{label[:15]:<16}{n:>9}{'-' if rate is None else f'{rate:.0f}':>10}")
        return "\n".join(lines)


def pace(project: Project) -> Pace:
    """Decided entities (accepted, corrected, made or rejected by a person: a span's author
    is whoever decided it last; a merged span is its annotators' ``a+b``) and active time."""
    result = Pace()
    for r in project.query("SELECT author, SUM(seconds), COUNT(*) FROM activity GROUP BY author"):
        result.seconds[r[0]] = r[1]
        result.documents[r[0]] = r[2]
    marks = ",".join("?" * len(DECIDED_STATES))
    for r in project.query(
        f"SELECT s.author, l.name, COUNT(*) FROM spans s JOIN labels l ON l.id = s.label_id"
        f" WHERE s.state IN ({marks}) AND s.author IS NOT NULL"
        " GROUP BY s.author, l.name", DECIDED_STATES,
    ):
        result.decided.setdefault(r[0], {})[r[1]] = r[2]
    return result


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m{int(seconds % 60):02d}s"


__all__ = ["ActiveTimer", "IDLE_GAP", "Pace", "add_time", "document_time", "pace"]
