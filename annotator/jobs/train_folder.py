"""The temporary folder a training run writes its model into.

Named ``annotator-train-<pid>-…`` with a marker file inside, so a later run can tell the
leftovers of a killed training (its process gone) from a run in progress, and from
anything else in the temporary folder, which it never touches. A model that could not be
written whole (a full temporary folder: crfsuite then writes a truncated file and says
nothing) is a storage error naming the folder, not a crash later on.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from annotator.core.errors import StorageError
from annotator.core.processes import process_alive

PREFIX = "annotator-train-"
MARKER = ".annotator-train"


def make_folder() -> str:
    """A new work folder, after removing those left by killed trainings."""
    remove_leftovers()
    folder = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")
    Path(folder, MARKER).write_text(str(os.getpid()), encoding="utf-8")
    return folder


def remove_leftovers(root: str | None = None) -> list[str]:
    """Remove work folders of trainings whose process is gone; returns what was removed."""
    removed = []
    base = Path(root or tempfile.gettempdir())
    try:
        candidates = [p for p in base.iterdir() if p.name.startswith(PREFIX) and p.is_dir() and not p.is_symlink()]
    except OSError:
        return removed
    for folder in candidates:
        marker = folder / MARKER
        try:
            pid = int(marker.read_text(encoding="utf-8").strip())
        except (OSError, ValueError):
            continue  # no marker of ours: not ours to remove
        if not process_alive(pid):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(str(folder))
    return removed


def check_model_file(path: str) -> None:
    """The model file must be whole: crfsuite writes what fits and reports nothing."""
    import pycrfsuite

    try:
        tagger = pycrfsuite.Tagger()
        tagger.open(path)
        tagger.close()
    except (OSError, ValueError) as e:
        folder = os.path.dirname(path)
        try:
            free = f"{shutil.disk_usage(folder).free / 1e6:,.0f} MB free there"
        except OSError:
            free = "its free space unknown"
        raise StorageError(
            f"the trained model could not be written whole to the temporary folder {folder} ({free}; {e}):"
            " the folder is full or limited. Set TMPDIR to a folder with room and train again;"
            " the project was not changed") from None


__all__ = ["check_model_file", "make_folder", "remove_leftovers"]
