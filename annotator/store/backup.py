"""Rotating backups of a project file, and restoring one.

A backup is a copy made with SQLite's online backup API from a read-only connection that
holds one read transaction for the whole copy: the copy is one consistent moment of the
file even while the window or a command keeps writing, and the writer is never blocked.
Made beside a job, it runs on a thread of the lowest CPU priority.
It is written under a temporary name in ``<project folder>/.backups/`` and renamed to
``<stem>.<UTC timestamp>.annot`` only when complete, so a killed backup never looks like
a backup. The newest ``backup.keep`` (a project setting, default 5; 0 turns backups off)
are kept, older ones removed.

A backup is only made when

* the file changed since the newest backup (the ``sqlite_sequence`` counters, the newest
  logged change and the schema version differ: every import, label, model and edit moves
  them), so opening a big project again and again copies nothing. Changes that only
  replace suggestions (``doc.suggest``: pre-annotation, propagation) do not count: the
  program can make them again, and re-tagging a big project must not copy it each time; and
* SQLite's ``quick_check`` finds the file sound: a damaged file is never copied over a
  good backup.

:func:`restore` puts a backup in place of the project (after checking the backup), and
keeps the file it replaces as ``.backups/<stem>.replaced-<timestamp>.annot``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from annotator.core.errors import AnnotatorError, ProjectDamagedError, StorageError
from annotator.core.processes import process_alive

from . import db as dbmod
from .check import quick_problems
from .lock import ProjectLock

FOLDER = ".backups"
KEEP_SETTING = "backup.keep"
DEFAULT_KEEP = 5
STEP_PAGES = 4096  # pages per backup step (16 MB): the copy can be cancelled between steps
_STAMP = "%Y%m%dT%H%M%S.%fZ"
_STAMP_RE = r"\d{8}T\d{6}\.\d{6}Z"


class BackupCancelled(Exception):
    pass


@dataclass
class BackupResult:
    path: Path | None  # the new backup, or None when none was made
    reason: str  # what happened, for a status line

    def __str__(self) -> str:
        return self.reason


def folder(project_path: str | Path) -> Path:
    return Path(project_path).resolve().parent / FOLDER


def list_backups(project_path: str | Path) -> list[Path]:
    """Backups of ``project_path``, newest first."""
    project_path = Path(project_path)
    pattern = re.compile(rf"{re.escape(project_path.stem)}\.({_STAMP_RE})\.annot")
    where = folder(project_path)
    if not where.is_dir():
        return []
    found = [p for p in where.iterdir() if pattern.fullmatch(p.name)]
    return sorted(found, key=lambda p: p.name, reverse=True)


def latest_backup(project_path: str | Path) -> Path | None:
    backups = list_backups(project_path)
    return backups[0] if backups else None


def keep_count(value: str | None) -> int:
    try:
        return max(0, int(value)) if value is not None else DEFAULT_KEEP
    except ValueError:
        return DEFAULT_KEEP


def keep_setting(project_path: str | Path) -> int:
    """The project's ``backup.keep``, read without opening it for writing."""
    dbmod._check_header(Path(project_path))
    conn = dbmod.open_readonly(Path(project_path))
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (KEEP_SETTING,)).fetchone()
    finally:
        conn.close()
    return keep_count(row[0] if row else None)


def make_backup(
    project_path: str | Path,
    keep: int = DEFAULT_KEEP,
    only_if_changed: bool = True,
    cancelled: Callable[[], bool] = lambda: False,
) -> BackupResult:
    """Copy the project into its backup folder (see the module docstring).

    Raises ProjectDamagedError when the file is not sound (no backup is made then, and the
    existing ones are kept), StorageError when the copy cannot be written, BackupCancelled.
    """
    project_path = Path(project_path)
    if keep <= 0:
        return BackupResult(None, "backups are off for this project (backup.keep is 0)")
    where = folder(project_path)
    dbmod._check_header(project_path)
    src = dbmod.open_readonly(project_path)
    try:
        src.execute("BEGIN")  # one read transaction: fingerprint, check and copy see one moment
        fingerprint = _fingerprint(src)
        newest = latest_backup(project_path)
        if only_if_changed and newest is not None and _fingerprint_of(newest) == fingerprint:
            return BackupResult(None, f"unchanged since the last backup ({newest.name})")
        problems = quick_problems(src)
        if problems:
            raise ProjectDamagedError(
                f"{project_path} was not backed up: it is damaged ({problems[0]}); the existing"
                " backups are kept. `annotator check` says more, `annotator restore` goes back"
            )
        try:
            where.mkdir(exist_ok=True)
        except OSError as e:
            raise StorageError(f"cannot make the backup folder {where}: {e.strerror}") from None
        _remove_stale_parts(where)
        stamp = datetime.now(timezone.utc).strftime(_STAMP)
        final = where / f"{project_path.stem}.{stamp}.annot"
        part = where / f".{final.name}.part-{os.getpid()}"
        try:
            _copy(src, part, cancelled)
            _fsync(part)
            os.replace(part, final)
            _fsync(where)
        except BaseException as e:
            _remove(part)
            if isinstance(e, sqlite3.Error):
                raise StorageError(f"cannot write the backup {final}: {e}") from e
            if isinstance(e, OSError):
                raise StorageError(f"cannot write the backup {final}: {e.strerror or e}") from e
            raise
    finally:
        src.close()
    removed = rotate(project_path, keep)
    note = f"; removed {len(removed)} older" if removed else ""
    return BackupResult(final, f"backed up to {final}{note}")


def rotate(project_path: str | Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` backups; returns those removed."""
    removed = []
    for old in list_backups(project_path)[max(keep, 1):]:
        _remove(old)
        removed.append(old)
    return removed


def _copy(src: sqlite3.Connection, target: Path, cancelled: Callable[[], bool]) -> None:
    _remove(target)
    dst = sqlite3.connect(target, isolation_level=None)
    try:
        def step(_status: int, _remaining: int, _total: int) -> None:
            if cancelled():
                raise BackupCancelled("backup cancelled")

        src.backup(dst, pages=STEP_PAGES, progress=step)
        # A backup is a plain file: no WAL beside it to lose when it is copied elsewhere.
        dst.execute("PRAGMA journal_mode = DELETE")
    finally:
        dst.close()


# Changes that only replace suggestions (pre-annotation, propagation): the program makes
# them again at will, so they alone do not make a backup due.
_REGENERABLE = ("doc.suggest",)


def _fingerprint(conn: sqlite3.Connection) -> str:
    """What a backup is compared by: the schema version, the id counters of every table
    but spans and the change log, and the newest change that is not only suggestions.
    Any import, label, model or person's edit moves it; re-suggesting alone does not, so
    a pre-annotation neither waits for nor causes a copy of a big project it only re-tags."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    try:
        seq = sorted(tuple(r) for r in conn.execute("SELECT name, seq FROM sqlite_sequence")
                     if r[0] not in ("spans", "changes"))
    except sqlite3.DatabaseError:
        seq = []
    try:
        marks = ",".join("?" * len(_REGENERABLE))
        row = conn.execute(f"SELECT id FROM changes WHERE action NOT IN ({marks}) ORDER BY id DESC LIMIT 1",
                           _REGENERABLE).fetchone()
        last = row[0] if row else 0
    except sqlite3.DatabaseError:
        last = None
    return json.dumps([version, seq, last])


def _fingerprint_of(path: Path) -> str | None:
    try:
        conn = dbmod.open_readonly(path)
    except Exception:
        return None
    try:
        return _fingerprint(conn)
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()


def _remove_stale_parts(where: Path) -> None:
    """Temporary files of backups that were killed before they finished."""
    for part in where.glob(".*.part-*"):
        pid = part.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or not process_alive(int(pid)):
            _remove(part)


def _remove(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        try:
            Path(f"{path}{suffix}").unlink()
        except FileNotFoundError:
            pass
        except OSError:
            pass


def _fsync(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ------------------------------------------------------------------ restore
@dataclass
class RestoreResult:
    source: Path
    kept: Path | None  # where the file that was replaced went

    def summary(self, project_path: Path) -> str:
        text = f"restored {project_path} from {self.source}"
        if self.kept is not None:
            text += f"; the file it replaced is kept as {self.kept}"
        return text


def restore(project_path: str | Path, source: str | Path | None = None) -> RestoreResult:
    """Put the backup ``source`` (default: the newest) in place of the project.

    Refused while another program has the project open (ProjectInUseError), and when the
    backup is itself damaged. The file replaced (with its WAL) moves to the backup folder.
    """
    project_path = Path(project_path)
    if source is None:
        source = latest_backup(project_path)
        if source is None:
            raise AnnotatorError(f"{project_path}: no backups in {folder(project_path)}")
    source = Path(source)
    lock = ProjectLock.acquire(project_path)
    try:
        pending = finish_interrupted_restore(project_path)
        if pending is not None:  # the re-run of a killed restore: finishing it is the recovery
            return RestoreResult(source, pending.kept)
        dbmod._check_header(source)
        src = dbmod.open_readonly(source)
        try:
            problems = quick_problems(src)
            if problems:
                raise ProjectDamagedError(f"{source} is damaged too ({problems[0]}); choose another with --from")
            app_id = src.execute("PRAGMA application_id").fetchone()[0]
            if app_id != dbmod.APPLICATION_ID:
                raise AnnotatorError(f"{source} is not an annotator project")
            staged = project_path.with_name(f".{project_path.name}.restore-{os.getpid()}")
            try:
                _copy(src, staged, lambda: False)
                _fsync(staged)
            except BaseException as e:
                _remove(staged)
                if isinstance(e, (sqlite3.Error, OSError)):
                    raise StorageError(f"cannot write {staged}: {e}") from e
                raise
        finally:
            src.close()
        kept = None
        if project_path.exists():
            folder(project_path).mkdir(exist_ok=True)
            stamp = datetime.now(timezone.utc).strftime(_STAMP)
            kept = folder(project_path) / f"{project_path.stem}.replaced-{stamp}.annot"
        _write_intent(project_path, staged, kept)
        _swap(project_path, staged, kept)
    finally:
        lock.release()
    return RestoreResult(source, kept)


def copy_project(project_path: str | Path, out: str | Path) -> Path:
    """A copy of the project as it is committed now, safe while a program writes it (SQLite's
    backup API through a read-only connection), as one plain file with no WAL beside it."""
    project_path, out = Path(project_path), Path(out)
    if out.exists():
        raise AnnotatorError(f"{out}: already exists; choose a new name")
    if out.resolve() == project_path.resolve():
        raise AnnotatorError(f"{out}: that is the project itself")
    dbmod._check_header(project_path)
    part = out.with_name(f".{out.name}.part-{os.getpid()}")
    src = dbmod.open_readonly(project_path)
    try:
        src.execute("BEGIN")
        _copy(src, part, lambda: False)
        _fsync(part)
        os.replace(part, out)
    except (sqlite3.Error, OSError) as e:
        _remove(part)
        raise StorageError(f"cannot write the copy {out}: {e}") from e
    finally:
        src.close()
    return out


# ------------------------------------------------- the swap, safe at every step
# A restore swaps files in three renames. It writes what it is about to do first (the
# intent), so that a restore killed between two renames is finished by the next restore
# or the next open, and a WAL never meets a database it was not written for:
#   1. the project file moves to the backup folder as the kept copy;
#   2. its WAL (and rollback journal) follow it there, the WAL index is removed;
#   3. the staged copy of the backup takes the project's name.
# Until step 3 the project's name holds no file, so nothing can open the project while
# its WAL is somewhere else; each step is done only if its source is still there.
_INTENT = ".{name}.restore-intent"


def intent_path(project_path: Path) -> Path:
    return project_path.with_name(_INTENT.format(name=project_path.name))


def _write_intent(project_path: Path, staged: Path, kept: Path | None) -> None:
    path = intent_path(project_path)
    part = path.with_name(path.name + ".part")
    part.write_text(json.dumps({"staged": str(staged), "kept": str(kept) if kept else None}), encoding="utf-8")
    _fsync(part)
    os.replace(part, path)
    _fsync(project_path.resolve().parent)


def _swap(project_path: Path, staged: Path, kept: Path | None) -> None:
    crash = os.environ.get("ANNOTATOR_TEST_RESTORE_CRASH_AT")  # tests kill it at each step

    def step(name: str) -> None:
        if crash == name:
            os._exit(9)

    step("intent")
    if kept is not None and staged.exists() and project_path.exists():
        os.replace(project_path, kept)
        _fsync(kept.parent)
    step("moved-project")
    if kept is not None and staged.exists() and not project_path.exists():
        # The replaced file's WAL goes with it (its last commits live there); the WAL
        # index is rebuilt from the WAL by whoever opens it next.
        for suffix in ("-wal", "-journal"):
            side = Path(f"{project_path}{suffix}")
            if side.exists():
                os.replace(side, Path(f"{kept}{suffix}"))
                step(f"moved{suffix}")
        Path(f"{project_path}-shm").unlink(missing_ok=True)
    elif staged.exists() and not project_path.exists():
        for suffix in ("-wal", "-journal", "-shm"):  # no file of its own: nothing to keep
            Path(f"{project_path}{suffix}").unlink(missing_ok=True)
    step("moved-sides")
    if staged.exists():
        os.replace(staged, project_path)
        _fsync(project_path.resolve().parent)
    step("moved-backup")
    intent_path(project_path).unlink(missing_ok=True)


def finish_interrupted_restore(project_path: str | Path) -> RestoreResult | None:
    """Finish a restore that was killed between its renames (call it holding the writer
    lock); None when there was none."""
    project_path = Path(project_path)
    path = intent_path(project_path)
    try:
        intent = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        path.unlink(missing_ok=True)  # a half-written intent: no rename had started
        return None
    staged = Path(intent["staged"])
    kept = Path(intent["kept"]) if intent.get("kept") else None
    if not staged.exists() and not project_path.exists():
        raise StorageError(f"{project_path}: a restore was interrupted and its files are gone"
                           f" ({staged}); the replaced file is {kept}")
    _swap(project_path, staged, kept)
    return RestoreResult(staged, kept)


# --------------------------------------------------------------- in the background
class BackgroundBackup:
    """A backup on its own thread (a non-daemon thread: a command that finishes first
    waits for it on the way out). ``result`` or ``error`` tell how it went."""

    def __init__(self, project_path: str | Path, keep: int, on_done: Callable[["BackgroundBackup"], None] | None = None):
        self.project_path = Path(project_path)
        self.keep = keep
        self.result: BackupResult | None = None
        self.error: BaseException | None = None
        self._cancel = threading.Event()
        self._on_done = on_done
        self.thread = threading.Thread(target=self._run, name="backup", daemon=False)

    def start(self) -> "BackgroundBackup":
        self.thread.start()
        return self

    def _run(self) -> None:
        _lower_priority()  # the work it protects comes first
        try:
            self.result = make_backup(self.project_path, self.keep, cancelled=self._cancel.is_set)
        except BaseException as e:  # reported through .error
            self.error = e
        if self._on_done is not None:
            self._on_done(self)

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> bool:
        self.thread.join(timeout)
        return not self.thread.is_alive()


def _lower_priority() -> None:
    """Run this thread at the lowest CPU priority (Linux: nice is per thread), so a backup
    beside a job takes only the time the job leaves idle."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except (AttributeError, OSError):
        pass


def backup_on_open(project, on_done: Callable[[BackgroundBackup], None] | None = None) -> BackgroundBackup:
    """Start the backup that opening ``project`` for work makes (see the module docstring)."""
    keep = keep_count(project.get_setting(KEEP_SETTING))
    return BackgroundBackup(project.path, keep, on_done).start()


def copy_backup(source: str | Path, target: str | Path) -> Path:
    """A working copy of a backup (to open it without touching the damaged project)."""
    target = Path(target)
    if target.exists():
        raise AnnotatorError(f"{target} already exists")
    shutil.copyfile(source, target)
    return target


__all__ = [
    "BackgroundBackup",
    "BackupCancelled",
    "BackupResult",
    "DEFAULT_KEEP",
    "KEEP_SETTING",
    "backup_on_open",
    "copy_backup",
    "folder",
    "keep_count",
    "keep_setting",
    "latest_backup",
    "list_backups",
    "make_backup",
    "restore",
    "rotate",
]
