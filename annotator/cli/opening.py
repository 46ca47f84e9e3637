"""How every command opens a project: one writer at a time, a backup made alongside, and
read-only views for commands that only read while another program writes."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def open_project(path: str | Path, read: bool = False):
    """Open a project for a command.

    For writing: the writer lock is taken (another program holding it: ProjectInUseError
    naming it) and a backup is started in the background if the file changed since the
    last one (the command waits for it before exiting). ``read``: for commands that only
    read (stats, export); while another program has the project open for writing, or the
    file cannot be written here, they read a read-only view of what it has committed.
    """
    from annotator.core.errors import ProjectInUseError, StorageError
    from annotator.store.backup import backup_on_open
    from annotator.store.project import Project

    path = Path(path)
    if read:
        if path.is_file() and not os.access(path, os.W_OK):
            return Project.open(path, readonly=True)
        try:
            return Project.open(path)
        except (ProjectInUseError, StorageError) as e:
            project = Project.open(path, readonly=True)
            why = "in use by another program" if isinstance(e, ProjectInUseError) else "not writable here"
            print(f"annotator: {path} is {why}; reading what it has saved, read-only", file=sys.stderr)
            return project
    project = Project.open(path)
    try:
        backup_on_open(project, on_done=_backup_done)
    except Exception as e:  # a backup must never stop the work it protects
        print(f"annotator: warning: no backup made: {e}", file=sys.stderr)
    return project


def _backup_done(job) -> None:
    from annotator.store.backup import BackupCancelled

    if job.error is not None and not isinstance(job.error, BackupCancelled):
        print(f"annotator: warning: no backup made: {job.error}", file=sys.stderr)
