"""A teammate's project file is untrusted input: its own SQL (views, triggers) never runs.

Each test crafts a real project file with SQL this program never writes, then points the
commands that read other people's files at it: they refuse before reading a row, the
good project is unchanged, and `check` names what is there instead of hanging.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from annotator.core.model import DocumentData, SpanData
from annotator.store.check import check_project
from annotator.store.db import ForeignSchemaError
from annotator.store.project import Project

from killing import env

ENDLESS = ("CREATE VIEW endless AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n)"
           " SELECT x FROM n")
ATTACKS = {
    # A table replaced by a view that never ends: reading "documents" would spin forever.
    "endless view": ["ALTER TABLE documents RENAME TO documents_real", ENDLESS,
                     "CREATE VIEW documents AS SELECT d.* FROM documents_real d, endless"],
    # A trigger that wipes the spans whenever anything is written.
    "wiping trigger": ["CREATE TRIGGER wipe AFTER UPDATE ON documents BEGIN DELETE FROM spans; END"],
    # A view that builds a huge blob when read.
    "zeroblob view": ["CREATE VIEW fat AS SELECT zeroblob(2000000000) AS b"],
    # A column this program never made.
    "extra column": ["ALTER TABLE labels ADD COLUMN payload TEXT"],
}


def crafted(path, statements):
    with Project.create(path, annotator="mallory") as p:
        doc = p.add_document(DocumentData("นายสมชาย ใจดี ไปเชียงใหม่", {}, [SpanData(0, 13, "PERSON")]),
                             status="done", span_state="accepted")
        assert doc
    conn = sqlite3.connect(path)
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()
    return path


def run(*argv, timeout=60):
    return subprocess.run([sys.executable, "-m", "annotator", *map(str, argv)], env=env(), capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_a_crafted_file_is_refused_before_a_row_is_read(tmp_path, attack):
    bad = crafted(tmp_path / "teammate.annot", ATTACKS[attack])
    for readonly in (True, False):
        with pytest.raises(ForeignSchemaError) as info:
            Project.open(bad, readonly=readonly)
        assert "holds SQL this program never writes" in str(info.value)
    report = check_project(bad)  # names it, quickly, without running it
    assert not report.ok and report.totals["schema"] >= 1
    assert "log" not in report.totals and "documents" not in report.totals


@pytest.mark.parametrize("command", ["import", "merge", "agreement", "stats", "export", "check"])
def test_commands_refuse_a_crafted_file_and_leave_the_good_project_alone(tmp_path, command):
    bad = crafted(tmp_path / "teammate.annot", ATTACKS["endless view"] + ATTACKS["wiping trigger"][1:])
    good = tmp_path / "good.annot"
    with Project.create(good, annotator="me") as p:
        p.add_document(DocumentData("ข่าวของเรา", {}))
    argv = {
        "import": ("import", good, bad),
        "merge": ("merge", bad, good, "-o", tmp_path / "merged.annot"),
        "agreement": ("agreement", bad, good),
        "stats": ("stats", bad),
        "export": ("export", bad, tmp_path / "out.jsonl", "--format", "jsonl"),
        "check": ("check", bad),
    }[command]
    done = run(*argv)  # finishes (a view that never ends would make it hang past the timeout)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    if command != "check":
        assert "never writes" in done.stderr or "never writes" in done.stdout
    with Project.open(good, readonly=True) as p:
        assert p.document_count() == 1
    assert check_project(good).ok
    assert not (tmp_path / "merged.annot").exists() or check_project(tmp_path / "merged.annot").ok


@pytest.mark.parametrize("poison", ["fractional offset", "text offset", "huge annotator name", "long author"])
def test_values_from_a_teammates_file_are_type_checked_before_they_are_stored(tmp_path, poison):
    from annotator.jobs.importer import run_import

    bad = crafted(tmp_path / "teammate.annot", [])
    conn = sqlite3.connect(bad)
    if poison == "fractional offset":
        conn.execute("UPDATE spans SET start = 6.5")
    elif poison == "text offset":
        conn.execute("UPDATE spans SET \"end\" = 'x13'")
    elif poison == "huge annotator name":
        conn.execute("UPDATE meta SET value = ? WHERE key = 'annotator'", ("ม" * 5_000_000,))
    else:
        conn.execute("UPDATE spans SET author = ?", ("x" * 10_000,))
    conn.commit()
    conn.close()
    good = tmp_path / "good.annot"
    Project.create(good, annotator="me").close()
    with Project.open(good) as p:
        report = run_import(p, [bad])
        assert report.imported == 0 and len(report.failed) == 1
        assert "teammate.annot" in str(report.failed[0])
        assert p.query("SELECT COUNT(*) FROM spans")[0][0] == 0
        assert p.query("SELECT MAX(length(value)) FROM meta")[0][0] < 1000
    assert good.stat().st_size < 1_000_000
    assert check_project(good).ok


ODD_VALUES = {
    # Values of the right schema but of a kind this program never writes.
    "blob label name": ["UPDATE labels SET name = X'00FF' WHERE name = 'PERSON'"],
    "metadata not JSON": ["UPDATE documents SET meta = '{not json'"],
    "metadata nested deep": ["UPDATE documents SET meta = '" + "[" * 100_000 + "]" * 100_000 + "'"],
    "text as a blob": ["UPDATE documents SET text = X'FFFE41'"],
}


@pytest.mark.parametrize("odd", sorted(ODD_VALUES))
@pytest.mark.parametrize("command", ["stats", "export", "labels", "check"])
def test_odd_values_get_a_message_not_a_traceback(tmp_path, odd, command):
    path = crafted(tmp_path / "odd.annot", ODD_VALUES[odd])
    argv = {"stats": ["stats", str(path)], "labels": ["labels", str(path)], "check": ["check", str(path)],
            "export": ["export", str(path), str(tmp_path / "out.jsonl"), "--format", "jsonl"]}[command]
    result = run(*argv)
    assert "Traceback" not in result.stderr, result.stderr
    if command == "check":
        assert result.returncode == 1 and "PROBLEM" in result.stdout  # and it says which
    elif result.returncode != 0:
        assert "annotator check" in result.stderr and "E004" in result.stderr
    if command == "export":
        assert result.returncode != 0 and not (tmp_path / "out.jsonl").exists()


def _schema_not_utf8(path):
    """A good project whose stored schema text has a byte that is not UTF-8 (a flipped bit):
    SQLite's own error then quotes bytes Python cannot decode."""
    with Project.create(path) as p:
        p.add_document(DocumentData("นายสมชาย ใจดี ไปเชียงใหม่", {}, []))
    data = bytearray(path.read_bytes())
    at = data.find(b"CREATE TABLE documents")
    assert at > 0
    data[at + 3] = 0x80
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("command", ["stats", "export", "labels", "check", "import"])
def test_a_schema_that_is_not_utf8_is_reported_damaged_not_a_traceback(tmp_path, command):
    bad = _schema_not_utf8(tmp_path / "flipped.annot")
    good = tmp_path / "good.annot"
    argv = {"stats": ["stats", bad], "labels": ["labels", bad], "check": ["check", bad],
            "export": ["export", bad, tmp_path / "out.jsonl", "--format", "jsonl"],
            "import": ["import", good, bad]}[command]
    if command == "import":
        run("init", good)
    result = run(*argv)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode != 0
    said = result.stdout + result.stderr
    assert "damaged" in said and "not UTF-8" in said and "codec" not in said
    if command == "check":
        assert check_project(bad).readable is False
