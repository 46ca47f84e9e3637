"""One writer per project, across programs: a lock held while a project is open for writing.

The project rule is one writer connection per project file (SQLite 3.40 has a rare race
when several connections write or checkpoint the same WAL file at once). Inside one
program the :class:`~annotator.store.project.Project` object is that one writer; this
module extends the rule to every program on the machine: the window, a second window,
the command line.

``news.annot.lock`` beside the project (under its real name, so a symlink meets the same
lock) is locked with ``flock`` while a writer has the project open, and so is a lock named
by the file's device and inode in ``IDENTITY_DIR``, which every other name of the same
file (a hard link, a bind mount) meets too. It holds who that is (program, process id, host, user, since when), so the
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
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from annotator.core.errors import ProjectInUseError, StorageError

try:
    import fcntl
except ImportError:  # not POSIX (Windows): no lock between programs there
    fcntl = None  # type: ignore[assignment]

SUFFIX = ".lock"
_ATTEMPTS = 20
# Locks keyed by the project file's identity (device + inode), shared by every name the
# file has on this machine: symlinks, hard links, bind mounts, relative paths.
IDENTITY_DIR = Path(tempfile.gettempdir()) / "thai-ner-annotator-locks"


def lock_path(project_path: str | Path) -> Path:
    """The lock file beside the project, under its real name (a symlink leads to the file it
    points at, so both names meet at one lock)."""
    path = Path(os.path.realpath(project_path))
    return path.with_name(path.name + SUFFIX)


def identity_lock_path(project_path: str | Path) -> Path | None:
    """The machine-wide lock of the file itself, None while the file does not exist."""
    try:
        st = os.stat(project_path)
    except OSError:
        return None
    return IDENTITY_DIR / f"{st.st_dev}-{st.st_ino}{SUFFIX}"


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
        self.identity_path: Path | None = None
        self.identity_fd: int | None = None

    @classmethod
    def acquire(cls, project_path: str | Path, program: str | None = None) -> "ProjectLock":
        """Lock ``project_path`` for writing or raise ProjectInUseError naming the holder.

        Two locks: the named one beside the project (it says who holds it) and the file's
        identity lock, which a second name of the same file (a hard link) also meets."""
        project_path = Path(project_path)
        holder = {
            "program": program or program_name(),
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "user": _user(),
            "since": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        lock = cls(lock_path(project_path), _lock_file(lock_path(project_path), project_path, holder), holder)
        try:
            lock.take_identity(project_path)
        except BaseException:
            lock.release()
            raise
        return lock

    def take_identity(self, project_path: str | Path) -> None:
        """Also lock the file's identity (once it exists: Project.create calls this after
        making the file)."""
        identity = identity_lock_path(project_path)
        if identity is None or self.identity_fd is not None:
            return
        try:
            IDENTITY_DIR.mkdir(mode=0o1777, exist_ok=True)
        except OSError as e:
            raise StorageError(f"cannot lock {project_path} for writing: {IDENTITY_DIR}: {e.strerror}") from None
        self.identity_fd = _lock_file(identity, Path(project_path), self.holder, other_name=True)
        self.identity_path = identity

    def release(self) -> None:
        """Give the locks up (and remove the lock files, when they are still ours)."""
        fd, self.fd = self.fd, None
        identity, self.identity_fd = self.identity_fd, None
        if identity is not None and self.identity_path is not None:
            _unlock_file(self.identity_path, identity)
        if fd is not None:
            _unlock_file(self.path, fd)

    def __del__(self) -> None:  # a project dropped without close() must not keep its lock
        try:
            self.release()
        except Exception:
            pass


def _lock_file(path: Path, project_path: Path, holder: dict, other_name: bool = False) -> int:
    """flock ``path`` (made if need be), write ``holder`` into it, return its descriptor."""
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
            other = _read_holder(fd)
            os.close(fd)
            if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                message = in_use_message(project_path, other)
                if other_name:
                    message += " (it has this file open under another name: a hard link or another mount)"
                raise ProjectInUseError(message) from None
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
        try:
            data = (json.dumps(holder) + "\n").encode()
            os.ftruncate(fd, 0)
            os.pwrite(fd, data, 0)
        except OSError:
            pass  # a full disk: the lock holds all the same, only the "who" is missing
        return fd
    raise ProjectInUseError(f"{project_path}: its lock keeps changing hands; try again")


def _unlock_file(path: Path, fd: int) -> None:
    try:
        current = os.stat(path)
        mine = os.fstat(fd)
        if (current.st_dev, current.st_ino) == (mine.st_dev, mine.st_ino):
            os.unlink(path)  # while still locked: nobody can take a file being removed
    except OSError:
        pass
    os.close(fd)


def holder_of(project_path: str | Path) -> dict | None:
    """Who holds the writer lock of ``project_path`` now, under this name or another
    (None: nobody)."""
    for path in (lock_path(project_path), identity_lock_path(project_path)):
        if path is None:
            continue
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            if fcntl is None:
                return None
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError:
                return _read_holder(fd) or {}
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
    return None


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
