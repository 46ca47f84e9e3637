"""Opening a project file: pragmas, the file-type check and the schema version guard."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from annotator.core.errors import NotAProjectError, SchemaTooNewError

from . import migrations
from .sqlite_errors import translate

# Written into the SQLite header so a project file can be told from any other database.
APPLICATION_ID = 0x54484E52  # "THNR"
SQLITE_MAGIC = b"SQLite format 3\x00"


def connect(path: Path, create: bool = False, readonly: bool = False) -> sqlite3.Connection:
    """Open (or create) a project file and bring its schema up to date.

    Refuses files that are not SQLite, SQLite files that are not projects, and projects
    written by a newer version of the program.
    """
    path = Path(path)
    if create:
        if path.exists():
            raise NotAProjectError(f"{path}: already exists; choose a new file name")
        path.parent.mkdir(parents=True, exist_ok=True)
    else:
        _check_header(path)
    if readonly:
        # A reader next to the writer: it cannot write, so it never checkpoints the WAL.
        conn = open_readonly(path)
        conn.row_factory = sqlite3.Row
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as e:
            conn.close()
            raise (translate(e, path, "read") or e) from e
        if version != migrations.LATEST:
            conn.close()
            raise SchemaTooNewError(f"{path}: schema {version}; open it once for writing to migrate it")
        return conn
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per change.
    try:
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=10)
    except sqlite3.DatabaseError as e:
        raise (translate(e, path, "open") or e) from e
    try:
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA synchronous = FULL")
        if create:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        else:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            if app_id != APPLICATION_ID:
                raise NotAProjectError(f"{path}: is an SQLite database but not an annotator project")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > migrations.LATEST:
            raise SchemaTooNewError(
                f"{path}: was written by a newer version of the program (schema {version}; "
                f"this version reads up to {migrations.LATEST}). Upgrade the program to open it."
            )
        migrations.migrate(conn, version)
    except BaseException as e:
        conn.close()
        translated = translate(e, path, "open")
        if translated is not None:  # damaged, read-only, full: say so plainly
            raise translated from e
        raise
    return conn


def open_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection (no version guard). In a read-only folder SQLite cannot make
    the WAL index it needs; when no WAL file is waiting there, the file is then read as
    immutable, which is exact because nobody can be writing it."""
    path = Path(path)
    uri = path.resolve().as_uri() + "?mode=ro"
    conn = None
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False, timeout=10)
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.DatabaseError as e:
        if conn is not None:
            conn.close()
        wal = Path(f"{path}-wal")
        cannot_write = getattr(e, "sqlite_errorname", "").startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN"))
        if not cannot_write or (wal.exists() and wal.stat().st_size > 0):
            raise (translate(e, path, "read") or e) from e
    conn = sqlite3.connect(uri + "&immutable=1", uri=True, isolation_level=None, check_same_thread=False)
    return conn


def _check_header(path: Path) -> None:
    if not path.exists():
        raise NotAProjectError(f"{path}: no such project file")
    if path.is_dir():
        raise NotAProjectError(f"{path}: is a folder, not a project file")
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head != SQLITE_MAGIC:
        raise NotAProjectError(f"{path}: is not an annotator project (not an SQLite file)")
