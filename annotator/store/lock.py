"""One writer per project, across programs: a lock held while a project is open for writing.

The project rule is one writer connection per project file (SQLite 3.40 has a rare race
when several connections write or checkpoint the same WAL file at once). Inside one
program the :class:`~annotator.store.project.Project` object is that one writer; this
module extends the rule to every program on the machine: the window, a second window,
the command line.

``news.annot.lock`` beside the project is locked with ``flock`` while a writer has the
project open. It holds who that is (program, process id, host, user, since when), so the
second writer is told exactly what to close. The kernel releases a flock when its holder
exits in any way, SIGKILL included, so a crashed program never leaves a stale lock: the
file may stay behind, but it is no longer locked and the next writer takes it over.

Readers (``Project.open(path, readonly=True)``: export workers, ``stats``, ``check``,
another annotator's project imported as a team member's work) take no lock and work next
to the writer; SQLite's WAL gives them a consistent view of what it has committed.

Limits: flock is POSIX (Linux, macOS); elsewhere there is no lock between programs. It is
per machine: on a network file system two machines may not see each other's locks; keep a
project on a local disk (or open it on one machine at a time).
"""

from __future__ import annotations

import errno
import getpass
import json
import os
import socket
import sys
from datetime import datetime, timezone
from pathlib import Path

from annotator.core.errors import ProjectInUseError, StorageError

try:
    import fcntl
except ImportError:  # not POSIX (Windows): no lock between programs there
    fcntl = None  # type: ignore[assignment]

SUFFIX = ".lock"
_ATTEMPTS = 20


def lock_path(project_path: str | Path) -> Path:
    path = Path(project_path)
    return path.with_name(path.name + SUFFIX)


def program_name(argv: list[str] | None = None) -> str:
    """What this program is, as the holder of a lock: "annotator import", "annotator window"…"""
    argv = list(sys.argv if argv is None else argv)
    first = Path(argv[0]).name if argv and argv[0] not in ("", "-c", "-m") else "python"
    if first == "__main__.py":  # python -m annotator
        first = Path(argv[0]).parent.name
    if first.startswith("annotator"):
        sub = next((a for a in argv[1:] if not a.startswith("-")), "")
        return "annotator window" if sub in ("", "gui") else f"annotator {sub}"
    return first


class ProjectLock:
    """The writer lock of one project file; :meth:`acquire` it, :meth:`release` it."""

    def __init__(self, path: Path, fd: int, holder: dict):
        self.path = path
        self.fd: int | None = fd
        self.holder = holder

    @classmethod
    def acquire(cls, project_path: str | Path, program: str | None = None) -> "ProjectLock":
        """Lock ``project_path`` for writing or raise ProjectInUseError naming the holder."""
        project_path = Path(project_path)
        path = lock_path(project_path)
        for _ in range(_ATTEMPTS):
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            except OSError as e:
                raise StorageError(
                    f"cannot open {project_path} for writing: its lock file {path.name} cannot be"
                    f" created ({e.strerror}); the folder may be read-only. Stats, export and check"
                    " can still read it"
                ) from None
            try:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as e:
                holder = _read_holder(fd)
                os.close(fd)
                if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise ProjectInUseError(in_use_message(project_path, holder)) from None
                raise StorageError(f"cannot lock {project_path} for writing: {e.strerror}") from None
            # The holder before us may have released and removed the file between our open
            # and our flock: then we locked a file nobody else will ever look at. Try again.
            try:
                current = os.stat(path)
                mine = os.fstat(fd)
                same = (current.st_dev, current.st_ino) == (mine.st_dev, mine.st_ino)
            except FileNotFoundError:
                same = False
            if not same:
                os.close(fd)
                continue
            holder = {
                "program": program or program_name(),
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "user": _user(),
                "since": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            }
            try:
                data = (json.dumps(holder) + "\n").encode()
                os.ftruncate(fd, 0)
                os.pwrite(fd, data, 0)
            except OSError:
                pass  # a full disk: the lock holds all the same, only the "who" is missing
            return cls(path, fd, holder)
        raise ProjectInUseError(f"{project_path}: its lock keeps changing hands; try again")

    def release(self) -> None:
        """Give the lock up (and remove the lock file, when it is still ours)."""
        fd, self.fd = self.fd, None
        if fd is None:
            return
        try:
            current = os.stat(self.path)
            mine = os.fstat(fd)
            if (current.st_dev, current.st_ino) == (mine.st_dev, mine.st_ino):
                os.unlink(self.path)  # while still locked: nobody can take a file being removed
        except OSError:
            pass
        os.close(fd)

    def __del__(self) -> None:  # a project dropped without close() must not keep its lock
        try:
            self.release()
        except Exception:
            pass


def holder_of(project_path: str | Path) -> dict | None:
    """Who holds the writer lock of ``project_path`` now (None: nobody)."""
    path = lock_path(project_path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if fcntl is None:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return _read_holder(fd) or {}
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def in_use_message(project_path: Path, holder: dict | None) -> str:
    who = describe(holder)
    return (
        f"{project_path} is in use by {who}. Only one program at a time can change a project:"
        " close it there (or let it finish) and try again. Reading works alongside it:"
        " `annotator stats`, `export` and `check` open it read-only"
    )


def describe(holder: dict | None) -> str:
    if not holder:
        return "another program"
    since = holder.get("since", "")
    try:
        since = datetime.fromisoformat(since).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError):
        pass
    here = holder.get("host") == socket.gethostname()
    where = "" if here else f" on {holder.get('host', '?')}"
    user = holder.get("user")
    by = f", user {user}" if user else ""
    return f"{holder.get('program', 'a program')} (process {holder.get('pid', '?')}{where}{by}, since {since})"


def _read_holder(fd: int) -> dict | None:
    try:
        data = os.pread(fd, 4096, 0)
        holder = json.loads(data.decode("utf-8"))
    except (OSError, ValueError):
        return None
    return holder if isinstance(holder, dict) else None


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no name for this uid (containers)
        return str(os.getuid())


__all__ = ["ProjectLock", "lock_path", "holder_of", "describe", "program_name", "in_use_message"]
