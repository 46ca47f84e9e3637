"""Opening a project file: pragmas, the file-type check and the schema version guard."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from annotator.core.errors import NotAProjectError, SchemaTooNewError

from . import migrations

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
        uri = path.resolve().as_uri() + "?mode=ro"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False, timeout=10)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout = 10000")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version != migrations.LATEST:
            conn.close()
            raise SchemaTooNewError(f"{path}: schema {version}; open it once for writing to migrate it")
        return conn
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per change.
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=10)
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
    except BaseException:
        conn.close()
        raise
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
