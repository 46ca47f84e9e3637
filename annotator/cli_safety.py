"""Subcommands of `annotator` for this area; registered by annotator.cli.build_parser.

Safety: ``check`` (is the file whole and consistent), ``backup`` (make, list, how many to
keep) and ``restore`` (put a backup in place). Also how every command opens a project:
:func:`open_project` (one writer at a time, a backup made alongside, read-only views for
commands that only read while another program writes).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime
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


# ------------------------------------------------------------------ commands
def cmd_check(args: argparse.Namespace) -> int:
    from annotator.store.check import check_project

    report = check_project(args.project, sqlite_only=args.quick)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(report.summary())
    return report.exit_status()


def cmd_backup(args: argparse.Namespace) -> int:
    from annotator.store import backup
    from annotator.store.project import Project

    path = Path(args.project)
    if args.keep is not None:
        with Project.open(path) as project:
            project.set_setting(backup.KEEP_SETTING, str(args.keep))
        print(f"{path}: keeping the newest {args.keep} backups" if args.keep else f"{path}: backups off")
        removed = backup.rotate(path, args.keep) if args.keep else []
        for old in removed:
            print(f"removed {old}")
        if not args.list:
            return 0
    if args.list:
        backups = backup.list_backups(path)
        if not backups:
            print(f"no backups of {path} in {backup.folder(path)}")
        for b in backups:
            stat = b.stat()
            when = datetime.fromtimestamp(stat.st_mtime).strftime("%Y-%m-%d %H:%M:%S")
            print(f"{b}  {when}  {stat.st_size:,} bytes")
        return 0
    keep = backup.keep_setting(path)  # read-only: works while the window has it open
    result = backup.make_backup(path, keep=max(keep, 1), only_if_changed=not args.force)
    print(result.reason)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from annotator.store import backup
    from annotator.store.check import check_project

    path = Path(args.project)
    result = backup.restore(path, args.source)
    print(result.summary(path))
    report = check_project(path)
    print(report.summary())
    return report.exit_status()


def register(sub: argparse._SubParsersAction) -> None:
    """Add this area's subcommands to the parser."""
    s = sub.add_parser("check", help="check a project file: SQLite's integrity check and the project's own")
    s.add_argument("project")
    s.add_argument("--quick", action="store_true", help="only SQLite's checks")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_check)

    s = sub.add_parser("backup", help="back a project up now, list its backups, or set how many to keep")
    s.add_argument("project")
    s.add_argument("--list", action="store_true", help="list the backups, newest first")
    s.add_argument("--keep", type=int, metavar="N", help="keep the newest N backups (0: no backups)")
    s.add_argument("--force", action="store_true", help="back up even if nothing changed since the last one")
    s.set_defaults(func=cmd_backup)

    s = sub.add_parser("restore", help="put a backup in place of the project (the current file is kept)")
    s.add_argument("project")
    s.add_argument("--from", dest="source", metavar="BACKUP", help="which backup (default: the newest)")
    s.set_defaults(func=cmd_restore)
