"""Subcommands of `annotator` for this area; registered by annotator.cli.main.build_parser.

Safety: ``check`` (is the file whole and consistent), ``backup`` (make, list, how many to
keep) and ``restore`` (put a backup in place).
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path


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


def cmd_copy(args: argparse.Namespace) -> int:
    from annotator.store.backup import copy_project

    out = copy_project(args.project, args.out)
    print(f"copied {args.project} to {out}: one file, safe to share")
    return 0


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

    s = sub.add_parser("copy", help="a copy of the project to share, safe while it is open elsewhere")
    s.add_argument("project")
    s.add_argument("out")
    s.set_defaults(func=cmd_copy)

    s = sub.add_parser("restore", help="put a backup in place of the project (the current file is kept)")
    s.add_argument("project")
    s.add_argument("--from", dest="source", metavar="BACKUP", help="which backup (default: the newest)")
    s.set_defaults(func=cmd_restore)
