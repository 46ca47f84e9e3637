"""What SQLite's errors mean for the person using the program.

SQLite reports a full disk as ``SQLITE_FULL``, but a file that reached the process's file
size limit (``ulimit -f``) or a failing disk as ``SQLITE_IOERR_WRITE`` ("disk I/O error"),
a read-only file or folder as ``SQLITE_READONLY`` / ``SQLITE_CANTOPEN``, and a damaged
file as ``SQLITE_CORRUPT`` / ``SQLITE_NOTADB``. :func:`translate` turns those into the
program's own errors with a message that says what happened and what to do; every other
error is left alone (None).
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from annotator.core.errors import AnnotatorError, Cancelled, ProjectDamagedError, StorageError

LOW_SPACE = 1 << 20  # below this much free space, a write error is put down to a full disk


def translate(error: BaseException, path: str | Path, doing: str = "write") -> AnnotatorError | None:
    """The AnnotatorError that explains ``error`` (an sqlite3 error) for the file ``path``."""
    if _undecodable_schema(error):
        return ProjectDamagedError(
            f"{path}: the project file is damaged (its schema holds bytes that are not UTF-8)."
            f" `annotator check {path}` lists the problems; `annotator restore {path}` goes back to the latest backup"
        )
    if not isinstance(error, sqlite3.DatabaseError):
        return None
    name = getattr(error, "sqlite_errorname", "") or ""
    text = str(error)
    if name == "SQLITE_INTERRUPT" or text == "interrupted":
        return Cancelled(f"stopped (Ctrl+C) while it was working on {path}; what was not finished was"
                         " rolled back, everything saved before is intact")
    if damaged(error):
        return ProjectDamagedError(
            f"{path}: the project file is damaged ({text}). `annotator check {path}` lists the"
            f" problems; `annotator restore {path}` goes back to the latest backup"
        )
    if name == "SQLITE_FULL" or name.startswith("SQLITE_IOERR") or "disk is full" in text:
        after = (" The change being saved was not saved; everything saved before it is intact"
                 if doing == "write" else "")
        return StorageError(f"cannot {doing} {path}: {_why_write_failed(Path(path), name)} ({text}).{after}")
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN")) or name == "SQLITE_PERM" or "readonly" in text:
        return StorageError(
            f"cannot {doing} {path}: the file or its folder is read-only, or the file cannot be"
            f" opened ({text}). Copy the project somewhere writable, or open it read-only"
            " (stats, export and check work on a read-only project)"
        )
    return None


def damaged(error: BaseException) -> bool:
    """Does ``error`` say the database file itself is damaged?"""
    if _undecodable_schema(error):
        return True
    if not isinstance(error, sqlite3.DatabaseError):
        return False
    name = getattr(error, "sqlite_errorname", "") or ""
    text = str(error)
    return (
        name.startswith("SQLITE_CORRUPT")
        or name == "SQLITE_NOTADB"
        or "malformed" in text
        or "file is not a database" in text
    )


def _undecodable_schema(error: BaseException) -> bool:
    # SQLite reports a schema it cannot parse with the schema's own text in the message;
    # when those bytes are not UTF-8, Python's sqlite3 raises this instead of the error.
    return isinstance(error, UnicodeDecodeError)


def _why_write_failed(path: Path, name: str) -> str:
    try:
        free = shutil.disk_usage(path.resolve().parent).free
    except OSError:
        free = None
    if name == "SQLITE_FULL" or (free is not None and free < LOW_SPACE):
        return "the disk is full"
    limit = _file_size_limit()
    if limit is not None:
        sizes = [p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists()]
        if any(size >= limit - 65536 for size in sizes):
            return f"the file reached this process's file size limit ({limit:,} bytes, see ulimit -f)"
    return "the disk is full, the file is too large for its file system or quota, or the disk failed"


def _file_size_limit() -> int | None:
    try:
        import resource
    except ImportError:  # not on POSIX
        return None
    soft, _hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    return None if soft == resource.RLIM_INFINITY else soft


__all__ = ["translate", "damaged"]
