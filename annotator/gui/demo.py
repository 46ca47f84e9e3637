"""The demo project the window opens the very first time: the sample articles in
``resources/samples``, imported and pre-annotated, so a new user sees suggestions to
review at once.

No Qt here: the window runs :func:`build_demo` as a background job, the screenshot mode
and the tests call it directly.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable

from annotator.core.errors import AnnotatorError
from annotator.core.model import IN_PROGRESS, NEW
from annotator.core.progress import ProgressFn, never_cancelled, no_progress
from annotator.paths import projects_dir, resource
from annotator.store.project import Project

DEMO_NAME = "demo.annot"


def demo_path() -> Path:
    return projects_dir() / DEMO_NAME


def sample_paths() -> list[Path]:
    return sorted(resource("samples").glob("*.txt"))


def build_demo(
    path: str | Path | None = None,
    preannotate: bool = True,
    progress: ProgressFn = no_progress,
    cancelled: Callable[[], bool] = never_cancelled,
) -> Path:
    """Create the demo project at ``path`` (default :func:`demo_path`) and return its path.

    It is built under a temporary name and renamed when complete, so an interrupted
    build never leaves a half-filled demo to be opened next time.
    """
    from annotator.jobs.importer import run_import

    path = Path(path) if path is not None else demo_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    _remove_database(partial)
    samples = sample_paths()
    if not samples:
        raise AnnotatorError(f"no sample articles in {resource('samples')}")
    project = Project.create(partial, annotator="demo")
    try:
        report = run_import(project, samples, progress=progress, cancelled=cancelled)
        if report.failed:
            raise AnnotatorError("the sample articles did not import:\n" + "\n".join(map(str, report.failed)))
        if preannotate and not report.cancelled:
            _preannotate(project, progress, cancelled)
    finally:
        project.close()
    os.replace(partial, path)
    return path


def _preannotate(project: Project, progress: ProgressFn, cancelled: Callable[[], bool]) -> None:
    from annotator.nlp.preannotate import run_preannotate

    try:
        # One process: five short articles do not repay starting a pool.
        run_preannotate(project, workers=1, progress=progress, cancelled=cancelled)
    except ImportError as e:
        # The statistical model is missing from this installation: pattern suggestions
        # (dates, money, phones …) still give the reviewer something to work on.
        print(f"annotator: pre-annotation model unavailable ({e}); demo suggestions from patterns only",
              file=sys.stderr)
        _pattern_suggestions(project)


def _pattern_suggestions(project: Project) -> None:
    from annotator.nlp import rules

    with project.transaction():
        for doc_id in project.document_ids((NEW, IN_PROGRESS)):
            text = project.document(doc_id).text
            project.replace_suggestions(doc_id, rules.find(text), rules.VERSION)


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


__all__ = ["DEMO_NAME", "build_demo", "demo_path", "sample_paths"]
