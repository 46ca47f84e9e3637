"""Opening a project file: pragmas, the file-type check and the schema version guard.

A project file may come from someone else (a teammate's project, a merged file), and
SQLite runs a file's own SQL: its views when a table name is read, its triggers when a
row is written. So every connection sets ``trusted_schema = OFF``, and before any row is
read the file's schema (tables, columns, indexes, views, triggers) must be exactly one
this program writes (:func:`schema_problems`, against the migration ladder up to the
file's version); anything else is refused, and ``annotator check`` lists it.
"""

from __future__ import annotations

import sqlite3
from functools import lru_cache
from pathlib import Path

from annotator.core.errors import NotAProjectError, SchemaTooNewError


class ForeignSchemaError(NotAProjectError):
    """The file holds SQL objects (views, triggers, tables, columns) this program never writes."""

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
        interruptible(conn)
        conn.row_factory = sqlite3.Row
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except (sqlite3.DatabaseError, UnicodeDecodeError) as e:
            conn.close()
            raise (translate(e, path, "read") or e) from e
        if version != migrations.LATEST:
            conn.close()
            raise SchemaTooNewError(f"{path}: schema {version}; open it once for writing to migrate it")
        _refuse_foreign_schema(conn, path, version)
        return conn
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per change.
    try:
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=10)
    except sqlite3.DatabaseError as e:
        raise (translate(e, path, "open") or e) from e
    interruptible(conn)
    try:
        conn.execute("PRAGMA trusted_schema = OFF")
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
        if not create:
            _refuse_foreign_schema(conn, path, version)
        migrations.migrate(conn, version)
    except BaseException as e:
        conn.close()
        translated = translate(e, path, "open")
        if translated is not None:  # damaged, read-only, full: say so plainly
            raise translated from e
        raise
    return conn


# SQLite runs a long statement in C, where Python never looks at Ctrl+C. A progress
# handler is Python code that SQLite calls every so many steps: the pending KeyboardInterrupt
# is raised in it, SQLite stops the statement ("interrupted", rolled back) and the command
# says it was stopped (sqlite_errors.translate).
PROGRESS_STEPS = 200_000


def _tick() -> int:
    return 0


def interruptible(conn: sqlite3.Connection) -> None:
    conn.set_progress_handler(_tick, PROGRESS_STEPS)


def open_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection (no version guard). In a read-only folder SQLite cannot make
    the WAL index it needs; when no WAL file is waiting there, the file is then read as
    immutable, which is exact because nobody can be writing it."""
    path = Path(path)
    uri = path.resolve().as_uri() + "?mode=ro"
    conn = None
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False, timeout=10)
        conn.execute("PRAGMA trusted_schema = OFF")
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return conn
    except (sqlite3.DatabaseError, UnicodeDecodeError) as e:  # the latter: a schema not UTF-8
        if conn is not None:
            conn.close()
        wal = Path(f"{path}-wal")
        cannot_write = getattr(e, "sqlite_errorname", "").startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN"))
        if not cannot_write or (wal.exists() and wal.stat().st_size > 0):
            raise (translate(e, path, "read") or e) from e
    conn = sqlite3.connect(uri + "&immutable=1", uri=True, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA trusted_schema = OFF")
    return conn


@lru_cache(maxsize=None)
def expected_schema(version: int) -> frozenset[tuple[str, str, str, str]]:
    """(type, name, table, SQL) of every object a file at schema ``version`` holds: what the
    migration ladder makes, run on an empty database."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        migrations.migrate(conn, 0, upto=version)
        return frozenset(_objects(conn))
    finally:
        conn.close()


def _objects(conn: sqlite3.Connection) -> list[tuple[str, str, str, str]]:
    # sqlite_master itself runs nothing: reading it is safe whatever the file holds.
    return [(r[0], r[1], r[2], " ".join(str(r[3] or "").split()))
            for r in conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")
            if not (r[0] == "table" and str(r[1]).startswith("sqlite_"))]  # SQLite's own tables


def schema_problems(conn: sqlite3.Connection, version: int) -> list[str]:
    """What in the file's schema this program did not write, or lacks; [] when exact."""
    if not 0 < version <= migrations.LATEST:
        return [f"schema version {version} is not one this program writes"]
    expected = expected_schema(version)
    found = set(_objects(conn))
    names = {(t, n) for t, n, _, _ in expected}
    found_names = {(t, n) for t, n, _, _ in found}
    problems = []
    for kind, name, _table, _sql in sorted(found - expected):
        if (kind, name) in names:
            problems.append(f"{kind} {name} is not defined as this program defines it")
        else:
            problems.append(f"{kind} {name} is not one this program makes")
    for kind, name, _table, _sql in sorted(expected - found):
        if (kind, name) not in found_names:
            problems.append(f"{kind} {name} is missing")
    return problems


def _refuse_foreign_schema(conn: sqlite3.Connection, path: Path, version: int) -> None:
    problems = schema_problems(conn, version)
    if problems:
        more = f" and {len(problems) - 3} more" if len(problems) > 3 else ""
        raise ForeignSchemaError(
            f"{path}: not opened, it holds SQL this program never writes ({'; '.join(problems[:3])}{more})."
            " A project file runs its own SQL when read; `annotator check` lists what is there")


def _check_header(path: Path) -> None:
    if not path.exists():
        raise NotAProjectError(f"{path}: no such project file")
    if path.is_dir():
        raise NotAProjectError(f"{path}: is a folder, not a project file")
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head != SQLITE_MAGIC:
        raise NotAProjectError(f"{path}: is not an annotator project (not an SQLite file)")
