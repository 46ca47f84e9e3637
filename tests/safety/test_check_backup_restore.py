"""`annotator check`, rotating backups and `annotator restore`."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3

import pytest

from annotator.cli import main
from annotator.cli.opening import open_project
from annotator.core.errors import ProjectDamagedError, ProjectInUseError
from annotator.core.model import DocumentData, SpanData
from annotator.store import backup
from annotator.store.check import check_project
from annotator.store.project import Project
from annotator.store.token_cache import encode as encode_tokens


def make(path, docs: int = 30) -> None:
    with Project.create(path, annotator="tester") as project:
        for i in range(docs):
            doc = project.add_document(DocumentData(f"เอกสาร {i} นายสมชาย ใจดี ไปเชียงใหม่", {}, [
                SpanData(10 + len(str(i)), 23 + len(str(i)), "PERSON", origin="model")]))
            if i % 3 == 0:
                project.accept(project.spans(doc)[0].id)
        project.store_tokens(1, [(0, 6), (6, len(project.document(1).text))])


def raw(path) -> sqlite3.Connection:
    """A connection that goes round the program (no foreign keys): how damage happens."""
    return sqlite3.connect(path, isolation_level=None)


def damage_pages(path) -> None:
    conn = raw(path)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'spans'").fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(path, "r+b") as fh:
        fh.seek((root - 1) * size + 8)
        fh.write(bytes(random.Random(1).randrange(256) for _ in range(size - 8)))


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


# ---------------------------------------------------------------------- check
def test_check_a_sound_project(tmp_path, capsys):
    path = tmp_path / "p.annot"
    make(path)
    code, out, _ = run(capsys, "check", path)
    assert code == 0 and "OK" in out and "30 documents" in out


def test_check_names_each_kind_of_damage(tmp_path, capsys):
    path = tmp_path / "p.annot"
    make(path)
    with Project.open(path) as p:
        label = p.add_label("UNUSED")
    conn = raw(path)
    conn.execute('UPDATE spans SET "end" = 5000 WHERE id = 1')  # outside its text (and not as logged)
    conn.execute("INSERT OR REPLACE INTO document_counts (doc_id, open_suggestions) VALUES (2, 7)")
    conn.execute("UPDATE documents SET text = text || 'x' WHERE id = 3")  # text changed
    conn.execute("INSERT INTO spans (doc_id, start, \"end\", label_id, state, origin, created_at, updated_at)"
                 " VALUES (4, 0, 3, 1, 'manual', 'human', 'now', 'now')")  # made outside the log
    conn.execute("INSERT INTO tokens (doc_id, tokenizer, ends) VALUES (5, 'newmm', ?)", (encode_tokens([(0, 3)]),))
    conn.execute("UPDATE spans SET label_id = ? WHERE id = 6", (label.id + 50,))  # a label that does not exist
    conn.close()
    code, out, _ = run(capsys, "check", path)
    assert code == 1
    for kind, needle in [("spans", "span 1: 11-5000 is not inside its text"), ("counts", "document 2: open_suggestions is 7"),
                         ("documents", "document 3: the text changed"), ("log", "span 31: no entry"),
                         ("tokens", "tokens of document 5: cover 3"), ("spans", "span 6: its label"),
                         ("references", "spans row 6 refers to a missing row of labels"),
                         ("log", "span 1: end 5000 (log: 24)")]:
        assert f"  {kind}:" in out and needle in out, (kind, needle, out)
    code, out, _ = run(capsys, "check", path, "--json")
    assert code == 1 and '"ok": false' in out


def test_check_damaged_pages_and_unreadable_files(tmp_path, capsys):
    path = tmp_path / "p.annot"
    make(path)
    damage_pages(path)
    code, out, err = run(capsys, "check", path)
    assert code == 1 and "sqlite:" in out and "malformed" in out and "Traceback" not in err
    shutil.copy(path, tmp_path / "q.annot")
    with open(tmp_path / "q.annot", "r+b") as fh:
        fh.write(b"\0" * 100)  # the header gone
    code, out, _ = run(capsys, "check", tmp_path / "q.annot")
    assert code == 2 and "NOT READABLE" in out
    code, out, _ = run(capsys, "check", tmp_path / "missing.annot")
    assert code == 2 and "no such project file" in out
    # Other commands say the file is damaged when they meet the damage, instead of a traceback.
    code, _, err = run(capsys, "stats", path)
    assert code == 2 and "the project file is damaged" in err and "annotator restore" in err


# --------------------------------------------------------------------- backup
def test_opening_for_work_backs_up_when_changed_and_rotates(tmp_path, capsys):
    path = tmp_path / "p.annot"
    make(path, docs=3)
    for n in range(4):
        with open_project(path) as project:
            _wait_backups()  # the copy runs beside the work; here the work waits for it
            if n != 1:  # the second time nothing changes
                project.add_label(f"L{n}")
    # Four openings: the 1st backs up, the 2nd (L0 since) too, the 3rd finds nothing new
    # since the 2nd, the 4th (L2 since) backs up.
    backups = backup.list_backups(path)
    assert len(backups) == 3
    assert run(capsys, "backup", path, "--keep", "2")[0] == 0
    assert len(backup.list_backups(path)) == 2
    with open_project(path) as project:
        _wait_backups()
        project.add_label("L9")
    with open_project(path) as project:  # sees L9 is new: a new backup, the oldest removed
        _wait_backups()
    kept = backup.list_backups(path)
    assert len(kept) == 2 and kept[0] not in backups
    with Project.open(kept[0], readonly=True) as copy:  # a backup is the project as it was
        assert copy.has_label("L9") and copy.document_count() == 3
    code, out, _ = run(capsys, "backup", path, "--list")
    assert code == 0 and str(kept[0]) in out
    code, out, _ = run(capsys, "backup", path)
    assert "unchanged since the last backup" in out
    code, out, _ = run(capsys, "backup", path, "--force")
    assert "backed up to" in out


def _wait_backups() -> None:
    import threading

    for thread in threading.enumerate():
        if thread.name == "backup":
            thread.join()


def test_backup_refuses_a_damaged_file_and_keeps_the_good_backups(tmp_path):
    path = tmp_path / "p.annot"
    make(path)
    good = backup.make_backup(path).path
    damage_pages(path)
    conn = raw(path)
    conn.close()
    with pytest.raises(ProjectDamagedError, match="not backed up"):
        backup.make_backup(path, only_if_changed=False)
    assert backup.list_backups(path) == [good]


def test_a_killed_backup_is_never_taken_for_one(tmp_path):
    path = tmp_path / "p.annot"
    make(path)
    folder = backup.folder(path)
    folder.mkdir()
    part = folder / f".p.20250101T000000.000000Z.annot.part-{2**22 + 12345}"  # a pid no one has
    part.write_bytes(b"SQLite format 3\x00half")
    assert backup.list_backups(path) == []
    made = backup.make_backup(path).path
    assert backup.list_backups(path) == [made] and not part.exists()


def test_backup_cancelled_leaves_nothing(tmp_path):
    path = tmp_path / "p.annot"
    make(path)
    with pytest.raises(backup.BackupCancelled):
        backup.make_backup(path, cancelled=lambda: True)
    assert backup.list_backups(path) == [] and os.listdir(backup.folder(path)) == []


def test_backup_while_the_project_is_being_written(tmp_path):
    path = tmp_path / "p.annot"
    make(path, docs=200)
    with Project.open(path) as project:
        job = backup.BackgroundBackup(path, keep=3).start()
        for i in range(200):  # edits go on while the copy is made
            project.add_span(1 + i % 200, 0, 3, "DATE")
        job.wait()
    assert job.error is None and job.result.path is not None
    assert check_project(job.result.path).ok  # one consistent moment, whatever was written meanwhile


# --------------------------------------------------------------------- restore
def test_restore_the_latest_backup_of_a_damaged_project(tmp_path, capsys):
    path = tmp_path / "p.annot"
    make(path)
    backup.make_backup(path)
    with Project.open(path) as p:
        p.add_label("AFTER")  # newer than the backup: kept in the replaced file
    damage_pages(path)
    code, out, _ = run(capsys, "restore", path)
    assert code == 0 and "restored" in out and "kept as" in out and "OK" in out
    with Project.open(path) as p:
        assert p.document_count() == 30 and not p.has_label("AFTER")
    replaced = [f for f in backup.folder(path).iterdir() if ".replaced-" in f.name]
    assert len(replaced) == 1 and check_project(replaced[0]).exit_status() == 1  # kept as it was


def test_restore_from_a_chosen_backup_and_refusals(tmp_path, capsys):
    path = tmp_path / "p.annot"
    make(path)
    first = backup.make_backup(path).path
    with Project.open(path) as p:
        p.add_label("SECOND")
    second = backup.make_backup(path).path
    assert backup.latest_backup(path) == second
    code, out, _ = run(capsys, "restore", path, "--from", first)
    assert code == 0
    with Project.open(path) as p:
        assert not p.has_label("SECOND")
    with Project.open(path):
        with pytest.raises(ProjectInUseError):
            backup.restore(path)  # never under a program that has it open
    damage_pages(second)
    code, _, err = run(capsys, "restore", path, "--from", second)
    assert code == 2 and "damaged too" in err
    code, _, err = run(capsys, "restore", tmp_path / "other.annot")
    assert code == 2 and "no backups" in err


def test_a_damaged_project_imported_as_team_work_is_refused_not_taken_for_ours(tmp_path):
    from annotator.jobs.importer import run_import

    other = tmp_path / "other.annot"
    make(other)
    conn = raw(other)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'documents'").fetchone()[0]
    conn.close()
    with open(other, "r+b") as fh:
        fh.seek((root - 1) * 4096 + 8)
        fh.write(bytes(random.Random(3).randrange(256) for _ in range(4088)))
    (tmp_path / "a.txt").write_text("ข่าวดีหนึ่ง", encoding="utf-8")
    with Project.create(tmp_path / "p.annot") as project:
        report = run_import(project, [other, tmp_path / "a.txt"])
    assert report.imported == 1 and [p.path for p in report.failed] == [str(other)]
    assert "malformed" in report.failed[0].message
    assert check_project(tmp_path / "p.annot").ok
