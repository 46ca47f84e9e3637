"""Conflicts of a merged project, and the adjudicator's decision on each.

A **conflict** is a run of overlapping open versions (annotators' spans that not everyone
has) in one document. Each annotator of the document reads it one way: the versions of the
run they have, possibly none ("no entity here"). Annotators who read it the same way share
a **reading**; readings are offered most-shared first, then by name (so with two
annotators each keeps the same key throughout). Taking a reading accepts its
versions as gold and rejects the others; taking "none" rejects them all. Either way the
provenance keeps who adjudicated, whose reading won and what the alternatives were.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from annotator.core.model import SUGGESTED
from annotator.store import team as store
from annotator.store.project import Project
from annotator.store.team import TeamSpan


@dataclass(frozen=True)
class Reading:
    """How some annotators read a conflict: their versions of it (none: no entity)."""

    authors: tuple[str, ...]
    spans: tuple[TeamSpan, ...]

    def describe(self) -> list[list]:
        return [[s.start, s.end, s.label] for s in self.spans]


@dataclass(frozen=True)
class Conflict:
    doc_id: int
    start: int
    end: int
    versions: tuple[TeamSpan, ...]
    readings: tuple[Reading, ...]  # with at least one span, most authors first
    none: Reading | None  # the annotators who marked nothing here, if any

    @property
    def span_ids(self) -> list[int]:
        return [v.id for v in self.versions]


def runs(spans: Sequence[TeamSpan]) -> list[list[TeamSpan]]:
    """Group spans (any order) into runs of overlapping ones, in text order."""
    out: list[list[TeamSpan]] = []
    end = -1
    for span in sorted(spans, key=lambda s: (s.start, s.end, s.id)):
        if out and span.start < end:
            out[-1].append(span)
            end = max(end, span.end)
        else:
            out.append([span])
            end = span.end
    return out


def conflicts_in(doc_id: int, versions: Sequence[TeamSpan], annotators: Sequence[str]) -> list[Conflict]:
    """The open conflicts of one document, from its team rows and its annotators."""
    open_ = [v for v in versions if v.state == SUGGESTED]
    out = []
    for run in runs(open_):
        by_reading: dict[tuple[int, ...], list[str]] = {}
        for name in sorted(set(annotators) | {a for v in run for a in v.annotators}):
            mine = tuple(v.id for v in run if name in v.annotators)
            by_reading.setdefault(mine, []).append(name)
        spans = {v.id: v for v in run}
        readings = [Reading(tuple(names), tuple(spans[i] for i in ids)) for ids, names in by_reading.items() if ids]
        readings.sort(key=lambda r: (-len(r.authors), r.authors))  # each person keeps their key
        none = by_reading.get(())
        out.append(Conflict(doc_id, min(v.start for v in run), max(v.end for v in run), tuple(run),
                            tuple(readings), Reading(tuple(none), ()) if none else None))
    return out


def document_conflicts(project: Project, doc_id: int) -> list[Conflict]:
    return conflicts_in(doc_id, store.team_spans(project, doc_id), store.document_annotators(project, doc_id))


@dataclass(frozen=True)
class Progress:
    resolved: int
    total: int
    open_documents: list[tuple[int, int]]  # (doc_id, open conflicts), by document id

    @classmethod
    def of(cls, counts: dict[int, tuple[int, int]]) -> "Progress":
        """From :func:`conflict_counts`."""
        total = sum(t for _, t in counts.values())
        still_open = sum(o for o, _ in counts.values())
        return cls(total - still_open, total, [(d, counts[d][0]) for d in sorted(counts) if counts[d][0]])


def conflict_counts(project: Project, doc_id: int | None = None) -> dict[int, tuple[int, int]]:
    """(open, total) conflicts per document that had any (or of one document).

    A conflict here is a run of overlapping versions that were disagreements when merged;
    it is resolved when none of them is still open.
    """
    by_doc: dict[int, list[TeamSpan]] = {}
    for span in store.conflict_spans(project, doc_id):
        by_doc.setdefault(span.doc_id, []).append(span)
    counts = {}
    for doc, spans in by_doc.items():
        found = runs(spans)
        counts[doc] = (sum(any(s.state == SUGGESTED for s in run) for run in found), len(found))
    return counts


def progress(project: Project) -> Progress:
    """Conflicts resolved over all conflicts the merge found, and the documents still open."""
    return Progress.of(conflict_counts(project))


def take(project: Project, conflict: Conflict, reading: Reading | None) -> None:
    """Decide a conflict: ``reading`` becomes gold (None: no entity here). One undoable step."""
    winner = reading if reading is not None else conflict.none
    chosen_ids = {s.id for s in reading.spans} if reading is not None else set()
    everyone = list(conflict.readings) + ([conflict.none] if conflict.none else [])
    store.decide(
        project,
        conflict.doc_id,
        chosen=[v.id for v in conflict.versions if v.id in chosen_ids],
        rejected=[v.id for v in conflict.versions if v.id not in chosen_ids],
        chosen_from=list(winner.authors) if winner is not None else [],
        alternatives=[{"authors": list(r.authors), "spans": r.describe()} for r in everyone if r is not winner],
    )


__all__ = ["Conflict", "Progress", "Reading", "conflict_counts", "conflicts_in", "document_conflicts", "progress",
           "runs", "take"]
