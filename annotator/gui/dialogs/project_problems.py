"""What the window says when a project cannot be used as it is, and what it offers.

* **In use**: another program (a second window, a command) has the project open for
  writing. The dialog names it (program, process, since when) and offers to try again
  once it is closed; nothing is opened meanwhile, so no change can be lost between them.
* **Damaged**: SQLite finds the file malformed, or it is no longer a database at all. The
  dialog says what is wrong and offers the latest backup: restore it into place (after a
  confirmation; the damaged file is kept in the backup folder) or open a copy of it
  beside the project, leaving the damaged file alone.

On opening, small files are checked at once (``PRAGMA quick_check``, well under a second
up to :data:`QUICK_CHECK_MAX`); :func:`watch` then checks bigger ones in the background
and makes the rotating backup (see ``annotator.store.backup``; on a 580 MB project the
copy takes about four seconds, so it never runs on the GUI thread, and only when the file
changed since the last backup).

The questions go through :data:`ASK`, which tests replace to answer without a modal dialog.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from annotator.core.errors import AnnotatorError, NotAProjectError, ProjectDamagedError, ProjectInUseError
from annotator.store import backup as backups
from annotator.store import db as dbmod
from annotator.store.check import quick_problems
from annotator.store.project import Project
from annotator.store.sqlite_errors import damaged

RESTORE, OPEN_COPY, RETRY, CANCEL = "restore", "open-copy", "retry", "cancel"
QUICK_CHECK_MAX = 256 * 1024 * 1024  # bytes checked before the window shows the project


# ------------------------------------------------------------------ questions
def ask_in_use(parent: QWidget | None, path: Path, message: str) -> str:
    box = QMessageBox(QMessageBox.Icon.Warning, "Project in use",
                      f"{Path(path).name} is open in another program.", QMessageBox.StandardButton.NoButton,
                      parent)
    box.setInformativeText(message)
    retry = box.addButton("Try again", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return RETRY if box.clickedButton() is retry else CANCEL


def ask_damaged(parent: QWidget | None, path: Path, problem: str, latest: Path | None) -> str:
    box = QMessageBox(QMessageBox.Icon.Critical, "Project damaged",
                      f"{Path(path).name} is damaged and cannot be used as it is.",
                      QMessageBox.StandardButton.NoButton, parent)
    if latest is None:
        box.setInformativeText(f"{problem}\n\nThere is no backup of it in {backups.folder(path)}.")
        box.addButton(QMessageBox.StandardButton.Close)
        box.exec()
        return CANCEL
    when = _backup_time(latest)
    box.setInformativeText(
        f"{problem}\n\nThe latest backup is from {when}:\n{latest}\n\nRestore it in place of the damaged file"
        " (the damaged file is kept in the backup folder), or open a copy of it and leave the damaged file alone?")
    restore = box.addButton("Restore the backup", QMessageBox.ButtonRole.AcceptRole)
    copy = box.addButton("Open a copy of the backup", QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    clicked = box.clickedButton()
    return RESTORE if clicked is restore else OPEN_COPY if clicked is copy else CANCEL


def confirm_restore(parent: QWidget | None, path: Path, latest: Path) -> bool:
    answer = QMessageBox.question(
        parent, "Restore the backup",
        f"Put the backup from {_backup_time(latest)} in place of {Path(path).name}?\n\nWork done since that backup"
        " stays only in the damaged file, which is kept in the backup folder.")
    return answer == QMessageBox.StandardButton.Yes


class _Ask:
    """The questions the window asks (tests put answers here instead)."""

    in_use: Callable[[QWidget | None, Path, str], str] = staticmethod(ask_in_use)
    damaged: Callable[[QWidget | None, Path, str, Path | None], str] = staticmethod(ask_damaged)
    confirm_restore: Callable[[QWidget | None, Path, Path], bool] = staticmethod(confirm_restore)


ASK = _Ask()


# ------------------------------------------------------------------- opening
def open_project(parent: QWidget | None, path: str | Path) -> Project | None:
    """Open ``path`` for the window, asking about the problems above; None when the user
    gave up. Other errors (not a project at all, from a newer program) are raised."""
    path = Path(path)
    while True:
        try:
            project = Project.open(path)
        except ProjectInUseError as e:
            if ASK.in_use(parent, path, str(e)) != RETRY:
                return None
            continue
        except ProjectDamagedError as e:
            return recover(parent, path, str(e))
        except NotAProjectError as e:
            if path.is_file() and backups.latest_backup(path) is not None:  # it was a project: its header is gone
                return recover(parent, path, str(e))
            raise
        problems = _quick_check(path) if path.stat().st_size <= QUICK_CHECK_MAX else []
        if not problems:
            return project
        project.close()
        return recover(parent, path, f"SQLite's check of the file found: {problems[0]}")


def recover(parent: QWidget | None, path: Path, problem: str,
            release: Callable[[], None] = lambda: None) -> Project | None:
    """Offer the latest backup of the damaged ``path``; the project to show, or None.
    ``release`` closes the damaged project when it is open (before it is replaced)."""
    latest = backups.latest_backup(path)
    answer = ASK.damaged(parent, path, problem, latest)
    if latest is None or answer == CANCEL:
        return None
    if answer == RESTORE:
        if not ASK.confirm_restore(parent, path, latest):
            return None
        release()
        backups.restore(path, latest)
        return Project.open(path)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    copy = backups.copy_backup(latest, path.with_name(f"{path.stem}.from-backup-{stamp}.annot"))
    return Project.open(copy)


def _quick_check(path: Path) -> list[str]:
    try:
        conn = dbmod.open_readonly(path)
    except (AnnotatorError, sqlite3.Error) as e:
        return [str(e)]
    try:
        return quick_problems(conn)
    finally:
        conn.close()


def _backup_time(path: Path) -> str:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    except OSError:
        return "an unknown time"


# --------------------------------------------------------- after opening
class Watcher(QObject):
    """Checks a big project and backs it up on a background thread, then tells the window
    (a queued signal: the window's slot runs on the GUI thread)."""

    done = Signal(object)  # ("damaged", message) | ("backup", BackupResult | None, error | None)

    def __init__(self, window, project: Project):
        super().__init__(window)
        self.window = window
        self.path = Path(project.path)
        self.keep = backups.keep_count(project.get_setting(backups.KEEP_SETTING))
        self.check = self.path.stat().st_size > QUICK_CHECK_MAX  # smaller ones were checked on opening
        self._cancel = threading.Event()
        self.done.connect(self._finished)
        self.thread = threading.Thread(target=self._run, name="backup", daemon=True)

    def start(self) -> "Watcher":
        self.thread.start()
        return self

    def stop(self) -> None:
        """Cancel (a backup stops between two steps and leaves nothing) and wait."""
        self._cancel.set()
        self.thread.join()

    def _run(self) -> None:
        outcome: tuple
        try:
            problems = _quick_check(self.path) if self.check else []
            if problems:
                outcome = ("damaged", f"SQLite's check of the file found: {problems[0]}")
            else:
                outcome = ("backup", backups.make_backup(self.path, self.keep, cancelled=self._cancel.is_set), None)
        except ProjectDamagedError as e:
            outcome = ("damaged", str(e))
        except backups.BackupCancelled:
            return
        except Exception as e:  # a failed backup is reported, and never stops the work
            outcome = ("backup", None, e)
        if not self._cancel.is_set():
            try:
                self.done.emit(outcome)
            except RuntimeError:  # the window is gone
                pass

    def _finished(self, outcome: tuple) -> None:
        window = self.window
        if window.project is None or Path(window.project.path) != self.path:
            return  # another project is shown by now
        if outcome[0] == "damaged":
            project = recover(window, self.path, outcome[1], release=window.project.close)
            if project is not None:
                window.set_project(project)
            else:
                window.say("This project is damaged: see `annotator check`; work on it is at risk", 0)
            return
        _kind, result, error = outcome
        if error is not None:
            window.say(f"No backup made: {error}", 0)
        elif result is not None and result.path is not None:
            window.say(f"Backed up to {result.path}")


def watch(window, project: Project) -> Watcher:
    """Start checking (big files) and backing up ``project`` for ``window``; stops the
    watcher of the project shown before."""
    stop(window)
    window._project_watcher = Watcher(window, project).start()
    return window._project_watcher


def stop(window) -> None:
    watcher = getattr(window, "_project_watcher", None)
    if watcher is not None:
        watcher.stop()
        window._project_watcher = None


def is_damage(error: BaseException) -> bool:
    return isinstance(error, ProjectDamagedError) or damaged(error)


__all__ = ["ASK", "CANCEL", "OPEN_COPY", "RESTORE", "RETRY", "Watcher", "open_project", "recover", "stop", "watch"]
