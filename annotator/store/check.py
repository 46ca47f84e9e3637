"""``annotator check``: is a project file whole, and does it agree with itself?

Two layers:

* SQLite's own: ``PRAGMA integrity_check`` (every page, every index entry) and
  ``PRAGMA foreign_key_check``;
* the project's: every span lies inside its text (``0 <= start < end <= length``) and
  uses a label that exists; ``document_counts.open_suggestions`` equals the number of suggested
  spans; every document has its ``document_status`` row (schema 6 on); each text still has
  the hash it was imported with and readable metadata; the cached tokens decode, cover
  their text exactly and are words of it (no token starts inside a character cluster); the
  change log is valid JSON and agrees with the spans (see :func:`_check_log`).

The file is opened read-only (no lock, no migration), so a project can be checked while
the window has it open, and a damaged file is never made worse. Problems are listed by
kind with the first few examples each; :attr:`CheckReport.readable` is False when the file
could not be read as a project at all.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from annotator.core.model import MERGE_ACTION

from . import db as dbmod
from . import migrations, token_cache

EXAMPLES = 10  # problems shown per kind; the rest are counted
# Tables and triggers every project has had since schema 1.
_TABLES = ("meta", "labels", "documents", "spans", "tokens", "changes")
_TRIGGERS = ("spans_open_insert", "spans_open_delete", "spans_open_update", "changes_no_update",
             "changes_no_delete")
_SPAN_KEYS = ("start", "end", "label_id", "state")


@dataclass
class CheckReport:
    path: str
    readable: bool = True
    schema_version: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    problems: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    totals: Counter = field(default_factory=Counter)  # problems per kind, shown or not
    checked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.readable and not self.totals

    def add(self, kind: str, message: str) -> None:
        self.totals[kind] += 1
        if len(self.problems[kind]) < EXAMPLES:
            self.problems[kind].append(message)

    def exit_status(self) -> int:
        """0: sound; 1: problems found; 2: not readable as a project."""
        return 0 if self.ok else (1 if self.readable else 2)

    def summary(self) -> str:
        counts = ", ".join(f"{v} {k}" for k, v in self.counts.items())
        if not self.readable:
            lines = [f"{self.path}: NOT READABLE as a project"]
        elif self.ok:
            lines = [f"{self.path}: OK (schema {self.schema_version}; {counts})"]
        else:
            n = sum(self.totals.values())
            lines = [f"{self.path}: {n} PROBLEM{'S' if n != 1 else ''} (schema {self.schema_version}; {counts})"]
        for kind, examples in self.problems.items():
            total = self.totals[kind]
            lines.append(f"  {kind}: {total}")
            lines.extend(f"    - {m}" for m in examples)
            if total > len(examples):
                lines.append(f"    … and {total - len(examples)} more")
        if self.checked:
            lines.append("  checked: " + ", ".join(self.checked))
        if not self.ok:
            lines.append(
                "  what to do: `annotator restore PROJECT` puts the latest backup in place (the"
                " current file is kept beside it); `annotator backup PROJECT --list` shows the backups"
            )
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "ok": self.ok,
            "readable": self.readable,
            "schema_version": self.schema_version,
            "counts": self.counts,
            "problems": {k: {"total": self.totals[k], "examples": v} for k, v in self.problems.items()},
        }


def check_project(path: str | Path, sqlite_only: bool = False) -> CheckReport:
    """Check ``path``; never raises for a damaged file (that is what the report is for)."""
    path = Path(path)
    report = CheckReport(str(path))
    try:
        dbmod._check_header(path)
        conn = dbmod.open_readonly(path)
    except Exception as e:  # not there, not SQLite, cannot be opened
        report.readable = False
        report.add("file", str(e))
        return report
    try:
        _check(conn, report, sqlite_only)
    finally:
        conn.close()
    return report


def quick_problems(conn: sqlite3.Connection) -> list[str]:
    """SQLite's quick_check (pages and records, not index contents): [] when sound."""
    try:
        rows = [r[0] for r in conn.execute("PRAGMA quick_check(20)")]
    except sqlite3.DatabaseError as e:
        return [str(e)]
    if rows == ["ok"]:
        return []
    lines = [line.strip() for row in rows for line in str(row).splitlines()]
    return [line for line in lines if line and not line.startswith("*** in database")]


def _check(conn: sqlite3.Connection, report: CheckReport, sqlite_only: bool) -> None:
    try:
        conn.execute("BEGIN")  # one read transaction: every check sees the same moment
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as e:
        report.readable = False
        report.add("file", f"SQLite cannot read it: {e}")
        return
    report.schema_version = version
    if app_id != dbmod.APPLICATION_ID:
        report.readable = False
        report.add("file", "an SQLite database, but not an annotator project")
        return
    if version > migrations.LATEST:
        report.readable = False
        report.add("file", f"written by a newer program (schema {version}; this one knows {migrations.LATEST})")
        return
    # SQLite's own checks first: when pages are damaged, the other checks may not get far.
    report.checked.append("integrity_check")
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check(100)")]
    except sqlite3.DatabaseError as e:
        rows = [f"integrity_check stopped: {e}"]
    if rows != ["ok"]:
        for row in rows:
            for line in str(row).splitlines():
                if line.strip() and not line.startswith("*** in database"):
                    report.add("sqlite", line.strip())
    report.checked.append("foreign_key_check")
    try:
        for table, rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check"):
            report.add("references", f"{table} row {rowid} refers to a missing row of {parent}")
    except sqlite3.DatabaseError as e:
        report.add("references", f"foreign_key_check stopped: {e}")
    # Before any row is read: rows are read through the file's own schema, and a view or
    # trigger in a crafted file is SQL of someone else's that would run here.
    report.checked.append("schema")
    foreign = dbmod.schema_problems(conn, version)
    for problem in foreign:
        report.add("schema", problem)
    if sqlite_only or foreign or any(t not in names for t in _TABLES):
        return
    seen: dict[str, Any] = {}  # what one step learnt and the next needs (text lengths)
    for step in (_counts, _documents_and_spans, _tokens, _check_log):
        report.checked.append(step.__name__.strip("_").replace("_", " "))
        try:
            step(conn, report, seen)
        except sqlite3.DatabaseError as e:
            report.add("sqlite", f"reading for the {step.__name__.strip('_')} check failed: {e}")


def _counts(conn: sqlite3.Connection, report: CheckReport, seen: dict[str, Any]) -> None:
    for table in ("documents", "spans", "labels", "changes"):
        report.counts[table] = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def _documents_and_spans(conn: sqlite3.Connection, report: CheckReport, seen: dict[str, Any]) -> None:
    lengths: dict[int, int] = seen.setdefault("lengths", {})
    for doc_id, text, digest, meta in conn.execute("SELECT id, text, content_hash, meta FROM documents"):
        if not isinstance(text, str):
            report.add("documents", f"document {doc_id}: its text is not text ({type(text).__name__})")
            continue
        lengths[doc_id] = len(text)  # in Python: SQL's length() stops at a NUL character
        try:
            same = hashlib.sha1(text.encode("utf-8")).hexdigest() == digest
        except UnicodeEncodeError:
            same = False
        if not same:
            report.add("documents", f"document {doc_id}: the text changed since it was imported (hash differs)")
        try:
            if not isinstance(json.loads(meta), dict):
                raise ValueError("not an object")
        except (TypeError, ValueError, RecursionError) as e:
            report.add("documents", f"document {doc_id}: unreadable metadata ({str(e)[:80]})")
    labels = set()
    for label_id, *values in conn.execute("SELECT id, name, color, hotkey, description FROM labels"):
        labels.add(label_id)
        for what, value in zip(("name", "colour", "hotkey", "description"), values):
            if not isinstance(value, str) and not (what == "hotkey" and value is None):
                report.add("labels", f"label {label_id}: its {what} is not text ({type(value).__name__})")
    suggested: Counter = Counter()
    for span_id, doc_id, start, end, label_id, state in conn.execute(
        'SELECT id, doc_id, start, "end", label_id, state FROM spans'
    ):
        size = lengths.get(doc_id)
        if size is None:
            report.add("spans", f"span {span_id}: its document {doc_id} does not exist")
        elif not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= size):
            report.add("spans", f"span {span_id}: {start}-{end} is not inside its text (document {doc_id},"
                                f" length {size})")
        if label_id not in labels:
            report.add("spans", f"span {span_id}: its label {label_id} does not exist")
        if state == "suggested":
            suggested[doc_id] += 1
    if _has_table(conn, "document_status"):  # schema 6 on: every document has its status row
        statuses = {r[0] for r in conn.execute("SELECT doc_id FROM document_status")}
        for doc_id in lengths:
            if doc_id not in statuses:
                report.add("documents", f"document {doc_id}: it has no status (no row in document_status)")
    open_count = _open_counts(conn)
    for doc_id in lengths:
        stored = open_count.get(doc_id, 0)
        if stored != suggested[doc_id]:
            report.add("counts", f"document {doc_id}: open_suggestions is {stored}, but it has"
                                 f" {suggested[doc_id]} suggested spans")


def _open_counts(conn: sqlite3.Connection) -> dict[int, int]:
    """Each document's stored count of open suggestions: in their own table from schema 5,
    in the document's row before."""
    if _has_table(conn, "document_counts"):
        return dict(conn.execute("SELECT doc_id, open_suggestions FROM document_counts"))
    return dict(conn.execute("SELECT id, open_suggestions FROM documents"))


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def _tokens(conn: sqlite3.Connection, report: CheckReport, seen: dict[str, Any]) -> None:
    for doc_id, blob, text in conn.execute(
        "SELECT t.doc_id, t.ends, d.text FROM tokens t LEFT JOIN documents d ON d.id = t.doc_id"
    ):
        if not isinstance(text, str):
            report.add("tokens", f"tokens of document {doc_id}: the document does not exist")
            continue
        problem = token_cache.problem(blob, text)
        if problem:
            report.add("tokens", f"tokens of document {doc_id}: {problem}")


def _check_log(conn: sqlite3.Connection, report: CheckReport, seen: dict[str, Any]) -> None:
    """The change log agrees with the spans.

    Replaying the log's record of each span (rows naming it by ``span_id`` with its state
    after the change, or ``null`` when it went; the ``spans`` lists of imports, suggestion
    runs and merges, which create spans; the ``removed`` lists of suggestion runs, which
    remove them) must give the spans in the file: every span has an entry that made it,
    none that the log says is gone is still there, none the log says is there is missing,
    and each one's edges, label and state are those of its latest entry.
    """
    bad_json = conn.execute(
        "SELECT id FROM changes WHERE (before IS NOT NULL AND NOT json_valid(before))"
        " OR (after IS NOT NULL AND NOT json_valid(after)) LIMIT 100"
    ).fetchall()
    for (change_id,) in bad_json:
        report.add("log", f"change {change_id}: before/after is not valid JSON")
    # The latest the log says of each span id: (change id, kind, detail) with kind GONE,
    # ROW (detail: its logged columns) or LISTED (detail: its (start, end) or None). The
    # entry with the highest change id wins, whichever kind of entry it is.
    last: dict[int, tuple[int, int, Any]] = {}

    def note(span_id: int, change_id: int, kind: int, detail: Any) -> None:
        if span_id not in last or last[span_id][0] <= change_id:
            last[span_id] = (change_id, kind, detail)

    for change_id, span_id, after in conn.execute(
        "SELECT id, span_id, after FROM changes WHERE span_id IS NOT NULL ORDER BY id"
    ):
        state = _loads(after)
        if isinstance(span_id, int):
            if isinstance(state, dict):
                note(span_id, change_id, _ROW, state)
            else:
                note(span_id, change_id, _GONE, None)
    # Imports and suggestion runs list the rows they made under "spans"; a merge lists its
    # annotator's versions there ([start, end, label], not rows) and the rows it made and
    # changed under "added" and "changed".
    listed = [*_listed(conn, "after", "$.spans", skip_action=MERGE_ACTION),
              *_listed(conn, "after", "$.added"), *_listed(conn, "after", "$.changed")]
    for change_id, span_id, start, end in listed:
        edges = (start, end) if isinstance(start, int) and isinstance(end, int) else None
        note(span_id, change_id, _LISTED, edges)
    for change_id, span_id, _start, _end in _listed(conn, "before", "$.removed"):
        note(span_id, change_id, _GONE, None)
    live: set[int] = set()
    for span_id, start, end, label_id, state in conn.execute(
        'SELECT id, start, "end", label_id, state FROM spans'
    ):
        live.add(span_id)
        entry = last.get(span_id)
        if entry is None:
            report.add("log", f"span {span_id}: no entry in the change log made it")
            continue
        change_id, kind, detail = entry
        if kind == _LISTED:
            if detail is not None and detail != (start, end):
                report.add("log", f"span {span_id}: at {start}-{end}, but change {change_id} made it at"
                                  f" {detail[0]}-{detail[1]}")
        elif kind == _ROW:
            current = (start, end, label_id, state)
            if any(k in detail and detail[k] != v for k, v in zip(_SPAN_KEYS, current)):
                what = ", ".join(f"{k} {v!r} (log: {detail[k]!r})" for k, v in zip(_SPAN_KEYS, current)
                                 if k in detail and detail[k] != v)
                report.add("log", f"span {span_id}: {what} since change {change_id}")
        else:
            report.add("log", f"span {span_id}: still in the file though change {change_id} removed it")
    docs = {r[0] for r in conn.execute("SELECT id FROM documents")}
    for span_id, (change_id, kind, detail) in last.items():
        if span_id in live or kind == _GONE:
            continue
        doc_id = detail.get("doc_id") if kind == _ROW else None
        if doc_id is None or doc_id in docs:  # a removed document takes its spans along
            report.add("log", f"span {span_id}: change {change_id} left it in place, but it is missing")


_GONE, _ROW, _LISTED = 0, 1, 2


def _listed(conn: sqlite3.Connection, column: str, where: str, skip_action: str | None = None
            ) -> Iterator[tuple[int, int, Any, Any]]:
    """(change id, span id, start, end) of each span in the JSON list at ``where`` in
    ``column``: items are [id, start, end, label] (imports, suggestion runs), objects with
    "id", "start", "end", or bare ids. Done in SQL: an import lists every span it made."""
    sql = (
        f"SELECT c.id, CASE j.type WHEN 'array' THEN json_extract(j.value, '$[0]')"
        f" WHEN 'object' THEN json_extract(j.value, '$.id') WHEN 'integer' THEN j.value END,"
        f" CASE j.type WHEN 'array' THEN json_extract(j.value, '$[1]')"
        f" WHEN 'object' THEN json_extract(j.value, '$.start') END,"
        f" CASE j.type WHEN 'array' THEN json_extract(j.value, '$[2]')"
        f" WHEN 'object' THEN json_extract(j.value, '$.end') END"
        f" FROM changes c, json_each(c.{column}, '{where}') j"
        f" WHERE c.{column} IS NOT NULL AND json_valid(c.{column})"
        f" AND json_type(c.{column}, '{where}') = 'array' AND c.action IS NOT ?"
        f" ORDER BY c.id"
    )
    for change_id, span_id, start, end in conn.execute(sql, (skip_action,)):
        if isinstance(span_id, int):
            yield change_id, span_id, start, end


def _loads(text: Any) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return None


__all__ = ["CheckReport", "check_project", "quick_problems"]
