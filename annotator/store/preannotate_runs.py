"""Where a pre-annotation run on a cluster has got to, so a run cut short resumes.

The run is one ``meta`` row (``preannotate.run``): the model version it suggests with and
the last change id before it began. A document it has written since has a ``doc.suggest``
change after that id with that model, in the same transaction as its spans (store/bulk.py),
so "written" can never be recorded without the spans or the spans without it. The row is
removed when the run finishes; a run started afresh re-suggests every open document, as the
local job does. Not a logged setting: bookkeeping, nothing a person changed or could undo.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Sequence

from annotator.store.project import Project

KEY = "preannotate.run"


@dataclass(frozen=True)
class Run:
    model_version: str
    after_change: int  # documents suggested after this change id (with this model) are done
    resumed: bool = False


def start_or_resume(project: Project, model_version: str) -> Run:
    """The unfinished run with ``model_version``, or a new one (a run with another model is
    dropped: its suggestions are replaced like any others)."""
    with project.transaction():
        raw = project._get_meta(KEY)
        if raw is not None:
            try:
                saved = json.loads(raw)
                if saved.get("model_version") == model_version:
                    return Run(model_version, int(saved["after_change"]), resumed=True)
            except (ValueError, KeyError, TypeError):
                pass  # unreadable bookkeeping: start again, nothing is lost by that
        last = project._conn.execute("SELECT COALESCE(MAX(id), 0) FROM changes").fetchone()[0]
        project._set_meta(KEY, json.dumps({"model_version": model_version, "after_change": last}))
    return Run(model_version, last)


def documents_left(project: Project, run: Run, statuses: Sequence[str]) -> list[int]:
    """Documents with one of ``statuses`` that the run has not written yet, in id order."""
    marks = ",".join("?" * len(statuses))
    rows = project.query(
        f"SELECT doc_id FROM document_status WHERE status IN ({marks}) AND doc_id NOT IN ("
        " SELECT doc_id FROM changes WHERE id > ? AND action = 'doc.suggest'"
        " AND json_extract(after, '$.model') = ?) ORDER BY doc_id",
        [*statuses, run.after_change, run.model_version])
    return [r[0] for r in rows]


def finish(project: Project) -> None:
    with project.transaction():
        project._conn.execute("DELETE FROM meta WHERE key = ?", (KEY,))
        project._meta.pop(KEY, None)
