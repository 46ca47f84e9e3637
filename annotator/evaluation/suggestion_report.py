"""How the suggestions are doing: what reviewers did with each one, per label.

Every machine suggestion (origin model, rule or gazetteer) that is still in the project,
or that a person deleted, is read back as it was first made: the edges and label of an
edited span come from the change log (the ``before`` of its first ``span.update``), a
deleted one from its ``span.delete`` row. Then each is put in one kind:

* ``accepted``: kept as suggested;
* ``label``: same edges, another label;
* ``boundary``: same label, other edges;
* ``label+boundary``: both changed;
* ``false``: rejected or deleted, and no span a person made covers any of it;
* ``open``: nobody has decided yet (not counted in the rates).

A rejected suggestion that a person replaced by drawing their own span over it (the
window rejects the suggestion under a new span) is a correction of that suggestion, so it
counts as ``label``/``boundary``/``label+boundary`` against the new span. ``missed``: a
span a person made (state manual) that overlaps no suggestion at all, in a document that
had suggestions. Acceptance rate: accepted / decided (accepted + corrected + false).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from annotator.core.model import ACCEPTED, EDITED, MANUAL, REJECTED, SUGGESTED
from annotator.store.project import Project

MACHINE = ("model", "rule", "gazetteer")
KINDS = ("accepted", "label", "boundary", "label+boundary", "false", "missed", "open")
CORRECTED = ("label", "boundary", "label+boundary")
DECIDED = ("accepted", *CORRECTED, "false")

Entity = tuple[int, int, str]


@dataclass(frozen=True)
class Decision:
    """One machine suggestion: as first made, and what became of it."""

    doc_id: int
    span_id: int
    origin: str
    original: Entity
    state: str  # the span's state now, or "deleted"
    final: Entity | None  # its edges and label now (None when deleted)


def decisions(project: Project, doc_ids: Iterable[int] | None = None, open_too: bool = True) -> list[Decision]:
    """Every machine suggestion still in the project (``open_too`` False: only decided
    ones) or deleted by a person, of ``doc_ids`` (None: all documents)."""
    names = {label.id: label.name for label in project.labels()}
    wanted = None if doc_ids is None else sorted(set(doc_ids))
    marks = ",".join("?" * len(MACHINE))
    sql = f'SELECT id, doc_id, start, "end", label_id, state, origin FROM spans WHERE origin IN ({marks})'
    if not open_too:
        sql += f" AND state != '{SUGGESTED}'"
    rows = []
    if wanted is None:
        rows = project.query(sql, MACHINE)
    else:
        for i in range(0, len(wanted), 500):
            part = wanted[i:i + 500]
            rows += project.query(sql + f" AND doc_id IN ({','.join('?' * len(part))})", (*MACHINE, *part))
    # The first logged values of each span that was ever updated or deleted.
    first: dict[int, dict[str, Any]] = {}
    deleted: dict[int, dict[str, Any]] = {}
    for r in project.query(
        "SELECT span_id, action, before FROM changes WHERE action IN ('span.update', 'span.delete')"
        " AND span_id IS NOT NULL AND before IS NOT NULL ORDER BY id"
    ):
        before = json.loads(r[2])
        first.setdefault(r[0], before)
        if r[1] == "span.delete":
            deleted[r[0]] = before
    out: list[Decision] = []
    for r in rows:
        span_id, doc_id = r[0], r[1]
        final = (r[2], r[3], names.get(r[4], "?"))
        orig = _values(first.get(span_id), names) or final
        out.append(Decision(doc_id, span_id, r[6], orig, r[5], final))
    keep = set(wanted) if wanted is not None else None
    gone = {k: v for k, v in deleted.items() if v.get("origin") in MACHINE
            and (keep is None or v.get("doc_id") in keep)}
    if gone:  # an undo may have brought some back: those are rows above
        ids = list(gone)
        back = set()
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            back |= {r[0] for r in project.query(f"SELECT id FROM spans WHERE id IN ({','.join('?' * len(part))})",
                                                 part)}
        for span_id, before in gone.items():
            if span_id in back:
                continue
            orig = _values(first.get(span_id), names) or _values(before, names)
            if orig is not None:
                out.append(Decision(before["doc_id"], span_id, before["origin"], orig, "deleted", None))
    out.sort(key=lambda d: (d.doc_id, d.original[0], d.span_id))
    return out


def _values(row: dict[str, Any] | None, names: dict[int, str]) -> Entity | None:
    if not row or "start" not in row:
        return None
    return (row["start"], row["end"], names.get(row.get("label_id"), "?"))


def shown_suggestions(project: Project, doc_ids: Sequence[int]) -> dict[int, list[Entity]]:
    """The suggestions of each document as first made (whatever became of them)."""
    out: dict[int, list[Entity]] = {}
    for d in decisions(project, doc_ids):
        out.setdefault(d.doc_id, []).append(d.original)
    return out


def _kind(original: Entity, final: Entity) -> str:
    same_edges = original[:2] == final[:2]
    same_label = original[2] == final[2]
    if same_edges and same_label:
        return "accepted"
    if same_edges:
        return "label"
    if same_label:
        return "boundary"
    return "label+boundary"


@dataclass
class SuggestionReport:
    """Counts of each kind (see the module doc) per label of the suggestion (for
    ``missed``: of the span the person made)."""

    per_label: dict[str, Counter] = field(default_factory=dict)
    label_changes: Counter = field(default_factory=Counter)  # (from, to) -> count

    def add(self, label: str, kind: str) -> None:
        self.per_label.setdefault(label, Counter())[kind] += 1

    @property
    def total(self) -> Counter:
        total: Counter = Counter()
        for c in self.per_label.values():
            total.update(c)
        return total

    @staticmethod
    def rate(counts: Counter) -> float | None:
        decided = sum(counts[k] for k in DECIDED)
        return counts["accepted"] / decided if decided else None

    def to_json(self) -> dict[str, Any]:
        def row(c: Counter) -> dict[str, Any]:
            return {**{k: c[k] for k in KINDS}, "acceptance_rate": self.rate(c)}

        return {
            "per_label": {label: row(c) for label, c in sorted(self.per_label.items())},
            "total": row(self.total),
            "label_changes": [{"from": a, "to": b, "count": n} for (a, b), n in self.label_changes.most_common()],
        }

    def rows(self) -> list[tuple[str, Counter, float | None]]:
        items = sorted(self.per_label.items())
        return [(label, c, self.rate(c)) for label, c in items] + [("all", self.total, self.rate(self.total))]

    def format(self) -> str:
        heads = ("accepted", "label", "boundary", "label+bound", "false", "missed", "open", "accept%")
        lines = [f"{'':<14}" + "".join(f"{h:>12}" for h in heads)]
        for label, c, rate in self.rows():
            pct = "-" if rate is None else f"{100 * rate:.1f}%"
            lines.append(f"{label:<14}" + "".join(f"{c[k]:>12}" for k in KINDS) + f"{pct:>12}")
        if self.label_changes:
            changes = ", ".join(f"{a}→{b} {n}" for (a, b), n in self.label_changes.most_common(8))
            lines.append(f"label changes: {changes}")
        return "\n".join(lines)


def suggestion_report(project: Project) -> SuggestionReport:
    """What reviewers did with the suggestions, per label (see the module doc).

    Open suggestions are counted in SQL; only decided ones, and the documents where a
    person made spans, are read row by row (a pre-annotated corpus holds millions of
    open suggestions and few decisions)."""
    report = SuggestionReport()
    names = {label.id: label.name for label in project.labels()}
    marks = ",".join("?" * len(MACHINE))
    for label_id, n in project.query(
        f"SELECT label_id, COUNT(*) FROM spans WHERE state = '{SUGGESTED}' AND origin IN ({marks})"
        " GROUP BY label_id", MACHINE,
    ):
        report.per_label.setdefault(names.get(label_id, "?"), Counter())["open"] += n
    manual_by_doc: dict[int, list[tuple[int, Entity]]] = {}
    for r in project.query(
        f"SELECT id, doc_id, start, \"end\", label_id FROM spans WHERE state = '{MANUAL}' AND origin = 'human'"
    ):
        manual_by_doc.setdefault(r[1], []).append((r[0], (r[2], r[3], names.get(r[4], "?"))))
    by_doc: dict[int, list[Decision]] = {}
    for d in decisions(project, open_too=False):
        by_doc.setdefault(d.doc_id, []).append(d)
    # Where a person made spans, every suggestion counts for "missed", open ones too.
    extents: dict[int, list[tuple[int, int]]] = {}
    for d in decisions(project, manual_by_doc, open_too=True):
        extents.setdefault(d.doc_id, []).append(d.original[:2])
        if d.final is not None:
            extents[d.doc_id].append(d.final[:2])
    for doc_id in sorted(set(by_doc) | set(manual_by_doc)):
        manual = sorted(manual_by_doc.get(doc_id, []), key=lambda m: m[1][:2])
        used: set[int] = set()
        for d in by_doc.get(doc_id, []):
            if d.state in (ACCEPTED, EDITED) and d.final is not None:
                kind = _kind(d.original, d.final)
                report.add(d.original[2], kind)
                if kind in ("label", "label+boundary"):
                    report.label_changes[(d.original[2], d.final[2])] += 1
            elif d.state in (REJECTED, "deleted"):
                # Replaced by a span a person drew over it: a correction, not a false one.
                a, b, _ = d.original
                match = next((m for m in manual if m[0] not in used and m[1][0] < b and a < m[1][1]), None)
                if match is None:
                    report.add(d.original[2], "false")
                else:
                    used.add(match[0])
                    kind = _kind(d.original, match[1])
                    report.add(d.original[2], kind)
                    if kind in ("label", "label+boundary"):
                        report.label_changes[(d.original[2], match[1][2])] += 1
        spans = extents.get(doc_id)
        if not spans:
            continue  # never pre-annotated: a person's spans there were not missed by anything
        for span_id, (s, e, label) in manual:
            if span_id not in used and not any(a < e and s < b for a, b in spans):
                report.add(label, "missed")
    return report
