"""Every annotator's finished work in one project, ready for adjudication.

``merge A.annot B.annot -o M.annot`` is ``import M A.annot B.annot`` into a project made
for it (the first file's labels, unknown labels added): the same path, so merging again,
in any order, or importing one more annotator later changes only what is new. How the
annotations are held is described in ``annotator.store.team``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

from annotator.core.progress import ProgressFn, never_cancelled, no_progress
from annotator.formats.annot import opened
from annotator.jobs.importer import ImportReport, run_import
from annotator.store.project import Project
from annotator.team import TeamError

DEFAULT_ADJUDICATOR = "adjudicator"


def annotator_of(path: str | Path) -> str:
    with opened(path) as project:  # another person's file: read with a time limit
        return project.annotator


def _labels_of(path: Path) -> list[dict]:
    with opened(path) as project:
        return [{"name": l.name, "color": l.color, "hotkey": l.hotkey, "description": l.description}
                for l in project.labels()]


def run_merge(
    sources: Sequence[str | Path],
    out: str | Path,
    annotator: str | None = None,
    progress: ProgressFn = no_progress,
    cancelled: Callable[[], bool] = never_cancelled,
) -> ImportReport:
    """Merge the annotators' project files into ``out`` (created when missing).
    ``annotator`` is the merged project's own name: the adjudicator's."""
    paths = [Path(s) for s in sources]
    if not paths:
        raise TeamError("name the annotators' project files to merge")
    owners: dict[str, Path] = {}
    for path in paths:
        name = annotator_of(path)
        other = owners.setdefault(name, path)
        if other.resolve() != path.resolve():
            raise TeamError(f"{other} and {path} both belong to annotator {name!r}: give each project its"
                            " annotator's name (annotator name PROJECT NAME, or Edit → Annotator name…)")
    out = Path(out)
    if out.exists():
        project = Project.open(out)
    else:
        project = Project.create(out, annotator=annotator or DEFAULT_ADJUDICATOR, labels=_labels_of(paths[0]))
    with project:
        if annotator and project.annotator != annotator:
            project.annotator = annotator
        return run_import(project, paths, fmt="annot", unknown_labels="add", progress=progress,
                          cancelled=cancelled)


__all__ = ["DEFAULT_ADJUDICATOR", "annotator_of", "run_merge"]
