"""Hostile project files: a teammate's ``.annot`` mutated the ways a crafted or damaged file
can be (used by test_fuzz_annot.py and benchmarks/fuzz_annot.py).

A mutation is SQL run on a good file (a view, a trigger, a column, values of the wrong
type or size, a schema version) or bytes changed in it. Whatever was done, importing the
file into a good project must leave that project passing ``check`` with nothing but
whole, typed spans in it, and ``check`` on the hostile file must return (no hang, no
exception), naming a problem whenever the mutation broke a rule of the format.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from hypothesis import strategies as st

from annotator.core.model import DocumentData, SpanData
from annotator.jobs.importer import run_import
from annotator.store.check import check_project
from annotator.store.project import Project

TEXT = "นายสมชาย ใจดี ไปจังหวัดเชียงใหม่ เมื่อวันที่ 5 มกราคม 2567"

# SQL mutations that break a rule of the format: check must then report a problem.
SCHEMA = [
    "CREATE VIEW extra AS SELECT 1",
    "CREATE TRIGGER wipe AFTER UPDATE ON documents BEGIN DELETE FROM spans; END",
    "CREATE INDEX extra_index ON spans (author)",
    "ALTER TABLE labels ADD COLUMN payload TEXT",
    "CREATE TABLE extra (x)",
    "DROP INDEX spans_label",
]
VALUES = [
    "UPDATE spans SET start = 6.5",
    "UPDATE spans SET \"end\" = 'x'",
    "UPDATE spans SET start = -3",
    "UPDATE spans SET \"end\" = 1000000",
    "UPDATE spans SET label_id = 999",
    "UPDATE labels SET name = X'00FF'",
    "UPDATE documents SET meta = '{broken'",
    "UPDATE documents SET meta = '" + "[" * 5000 + "]" * 5000 + "'",
    "UPDATE documents SET text = X'FFFE'",
    "UPDATE documents SET content_hash = 'x'",
    "UPDATE document_counts SET open_suggestions = 7",
]
VERSIONS = ["PRAGMA user_version = 0", "PRAGMA user_version = -1", "PRAGMA user_version = 99",
            "PRAGMA user_version = 2", "PRAGMA application_id = 1"]
# Allowed changes: check must still pass after them.
HARMLESS = ["UPDATE meta SET value = 'nok' WHERE key = 'annotator'"]


def good_teammate(path: Path) -> Path:
    with Project.create(path, annotator="nok") as p:
        d = p.add_document(DocumentData(TEXT, {"title": "ข่าว"}, [
            SpanData(0, 13, "PERSON", origin="model", confidence=0.9),
            SpanData(17, 32, "LOCATION", origin="model", confidence=0.8)]))
        for s in p.spans(d):
            p.accept(s.id)
        p.set_status(d, "done")
    return path


@st.composite
def mutation(draw) -> tuple[list[str], list[tuple[int, int]], bool]:
    """(SQL statements, byte changes as (offset, value), whether a rule is broken)."""
    sql = draw(st.lists(st.sampled_from(SCHEMA + VALUES + VERSIONS + HARMLESS), max_size=3))
    flips = draw(st.lists(st.tuples(st.integers(0, 120_000), st.integers(0, 255)), max_size=3))
    breaks = any(s not in HARMLESS for s in sql)
    return sql, flips, breaks


def apply(path: Path, sql: list[str], flips: list[tuple[int, int]]) -> list[str]:
    """Run the mutations; returns the statements that took effect."""
    done = []
    conn = sqlite3.connect(path)
    for statement in sql:
        try:
            before = conn.total_changes
            conn.execute(statement)
            conn.commit()
            if conn.total_changes > before or not statement.startswith("UPDATE"):
                done.append(statement)
        except sqlite3.DatabaseError:
            conn.rollback()  # e.g. a column added twice, a UNIQUE name: that mutation did not happen
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    if flips:
        data = bytearray(path.read_bytes())
        for offset, value in flips:
            if offset < len(data):
                data[offset] = value
        path.write_bytes(bytes(data))
    return done


def import_hostile(folder: Path, sql: list[str], flips: list[tuple[int, int]]) -> dict:
    """Mutate a teammate's file, import it into a good project; assert the invariants."""
    base = folder / "base.annot"
    if not base.exists():
        good_teammate(base)
    hostile = folder / "teammate.annot"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{hostile}{suffix}").unlink(missing_ok=True)
    shutil.copy(base, hostile)
    applied = _really_applied(apply(hostile, sql, flips))
    checked = check_project(hostile)  # returns, whatever the file holds
    if applied and not flips:
        assert not checked.ok, (sql, checked.format() if hasattr(checked, "format") else checked)
    good = folder / "good.annot"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{good}{suffix}").unlink(missing_ok=True)
    with Project.create(good, annotator="me") as p:
        p.add_document(DocumentData("ข่าวเดิม ของโครงการ", {}, []))
        report = run_import(p, [hostile])  # a report, whatever the file holds
        texts = {r[0]: r[1] for r in p.query("SELECT id, text FROM documents")}
        assert texts[1] == "ข่าวเดิม ของโครงการ"
        for start, end, doc_id, label in p.query(
                'SELECT s.start, s."end", s.doc_id, l.name FROM spans s JOIN labels l ON l.id = s.label_id'):
            assert isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(texts[doc_id])
            assert isinstance(label, str) and label
    assert check_project(good).ok
    return {"imported": report.imported, "failed": len(report.failed), "check_ok": checked.ok,
            "broke_a_rule": applied}


def _really_applied(sql: list[str]) -> bool:
    return any(s not in HARMLESS for s in sql)


__all__ = ["HARMLESS", "SCHEMA", "VALUES", "VERSIONS", "apply", "good_teammate", "import_hostile", "mutation"]
