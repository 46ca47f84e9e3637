"""What a project holds, in numbers: for ``annotator stats`` and the window's report."""

from __future__ import annotations

from typing import Any

from annotator.core.model import ACCEPTED, DOC_STATUSES, EDITED, REJECTED, SPAN_STATES, SUGGESTED

from .activity import pace
from .project import Project


def project_stats(project: Project) -> dict[str, Any]:
    """Documents by status; spans by label, state and origin; suggestion acceptance; the
    team's pace (entities decided per hour of active time)."""
    docs = {s: 0 for s in DOC_STATUSES}
    for r in project.query("SELECT status, COUNT(*) FROM document_status GROUP BY status"):
        docs[r[0]] = r[1]
    by_label: dict[str, dict[str, int]] = {}
    by_origin: dict[str, dict[str, int]] = {}
    by_state = {s: 0 for s in SPAN_STATES}
    for r in project.query(
        "SELECT l.name, s.state, s.origin, COUNT(*) FROM spans s JOIN labels l ON l.id = s.label_id"
        " GROUP BY l.name, s.state, s.origin"
    ):
        name, state, origin, n = r[0], r[1], r[2], r[3]
        by_label.setdefault(name, {s: 0 for s in SPAN_STATES})[state] += n
        by_origin.setdefault(origin, {s: 0 for s in SPAN_STATES})[state] += n
        by_state[state] += n
    # Of the machine suggestions a person has decided on, how many were kept as they were.
    machine = [o for o in by_origin if o in ("model", "rule", "gazetteer")]
    accepted = sum(by_origin[o][ACCEPTED] for o in machine)
    edited = sum(by_origin[o][EDITED] for o in machine)
    rejected = sum(by_origin[o][REJECTED] for o in machine)
    decided = accepted + edited + rejected
    return {
        "documents": docs,
        "spans_by_state": by_state,
        "spans_by_label": by_label,
        "spans_by_origin": by_origin,
        "suggestions": {
            "open": sum(by_origin[o][SUGGESTED] for o in machine),
            "accepted": accepted,
            "edited": edited,
            "rejected": rejected,
            "acceptance_rate": (accepted / decided) if decided else None,
        },
        "pace": pace(project).to_json(),
        "schema_version": project.schema_version,
    }


__all__ = ["project_stats"]
