"""The window on a project in use, or damaged: it says so and offers the latest backup.

The questions are answered through project_problems.ASK (no modal dialog blocks a test).
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from annotator.gui.dialogs import project_problems as pp
from annotator.gui.main_window import MainWindow
from annotator.store import backup
from annotator.store.check import check_project
from annotator.store.project import Project

ROOT = Path(__file__).resolve().parents[2]


def damage(path: Path, table: str) -> None:
    conn = sqlite3.connect(path)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(path, "r+b") as fh:
        fh.seek((root - 1) * size + 8)
        fh.write(bytes(random.Random(7).randrange(256) for _ in range(size - 8)))


class Answers:
    """Records the questions asked and gives the answers set."""

    def __init__(self, monkeypatch, damaged=pp.CANCEL, confirm=True, in_use=(pp.CANCEL,)):
        self.asked: list[tuple] = []
        self._in_use = list(in_use)
        monkeypatch.setattr(pp.ASK, "damaged", lambda parent, path, problem, latest: self._ask(
            ("damaged", path, problem, latest), damaged))
        monkeypatch.setattr(pp.ASK, "confirm_restore", lambda parent, path, latest: self._ask(
            ("confirm", path, latest), confirm))
        monkeypatch.setattr(pp.ASK, "in_use", lambda parent, path, message: self._ask(
            ("in_use", path, message), self._in_use.pop(0)))

    def _ask(self, question, answer):
        self.asked.append(question)
        return answer


@pytest.fixture
def blank(qtbot):
    window = MainWindow(None, remember=False)
    qtbot.addWidget(window)
    return window


def test_damaged_project_restored_from_the_latest_backup(blank, project_path, monkeypatch):
    good = backup.make_backup(project_path).path
    damage(project_path, "spans")
    answers = Answers(monkeypatch, damaged=pp.RESTORE, confirm=True)
    assert blank.open_project(project_path)
    kind, path, problem, latest = answers.asked[0]
    assert kind == "damaged" and latest == good and "check of the file found" in problem
    assert answers.asked[1][0] == "confirm"
    assert blank.project.path == project_path and len(blank.project.spans(1)) == 5  # the backup's spans
    assert check_project(project_path).ok
    kept = [f for f in backup.folder(project_path).iterdir() if ".replaced-" in f.name]
    assert len(kept) == 1  # the damaged file is kept, not thrown away


def test_damaged_project_opened_as_a_copy_of_the_backup(blank, project_path, monkeypatch):
    backup.make_backup(project_path)
    damage(project_path, "spans")
    before = project_path.read_bytes()
    Answers(monkeypatch, damaged=pp.OPEN_COPY)
    assert blank.open_project(project_path)
    assert blank.project.path != project_path and ".from-backup-" in blank.project.path.name
    assert blank.project.document_count() == 3
    assert project_path.read_bytes() == before  # the damaged file is left alone


def test_damaged_project_without_a_backup_or_cancelled(blank, project_path, monkeypatch):
    damage(project_path, "spans")
    answers = Answers(monkeypatch, damaged=pp.CANCEL)
    assert not blank.open_project(project_path)
    assert answers.asked[0][3] is None  # no backup to offer: the dialog says so
    assert blank.project is None


def test_header_gone_but_a_backup_exists(blank, project_path, monkeypatch):
    backup.make_backup(project_path)
    with open(project_path, "r+b") as fh:
        fh.write(b"\0" * 100)
    answers = Answers(monkeypatch, damaged=pp.RESTORE)
    assert blank.open_project(project_path)
    assert "not an SQLite file" in answers.asked[0][2]
    assert blank.project.document_count() == 3


def test_project_in_use_by_another_program(blank, project_path, monkeypatch):
    hold = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from annotator.store.project import Project
        project = Project.open({str(project_path)!r})
        print("ready", flush=True)
        time.sleep(120)
    """)
    holder = subprocess.Popen([sys.executable, "-c", hold], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        answers = Answers(monkeypatch, in_use=(pp.CANCEL,))
        assert not blank.open_project(project_path)
        kind, _path, message = answers.asked[0]
        assert kind == "in_use" and f"process {holder.pid}" in message and "since" in message
        assert blank.project is None
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    answers = Answers(monkeypatch, in_use=())
    assert blank.open_project(project_path)  # the holder is gone (killed): its lock went with it
    assert answers.asked == []


def test_a_second_window_on_the_same_project_is_told(qtbot, project_path, monkeypatch):
    first = MainWindow(Project.open(project_path), remember=False)
    qtbot.addWidget(first)
    second = MainWindow(None, remember=False)
    qtbot.addWidget(second)
    answers = Answers(monkeypatch, in_use=(pp.RETRY, pp.CANCEL))
    assert not second.open_project(project_path)
    assert [q[0] for q in answers.asked] == ["in_use", "in_use"]  # asked again after "Try again"
    assert first.open_project(project_path)  # the window that has it open: nothing to do


def test_window_backs_up_on_opening_and_checks_big_files_in_the_background(qtbot, project_path, monkeypatch):
    window = MainWindow(None, remember=True)
    qtbot.addWidget(window)
    assert window.open_project(project_path)
    qtbot.waitUntil(lambda: not window._project_watcher.thread.is_alive())
    qtbot.waitUntil(lambda: "Backed up to" in window.statusBar().currentMessage())
    assert len(backup.list_backups(project_path)) == 1

    # A file past the size checked at once is checked in the background; damage there is
    # found after the window shows the project, and the backup is offered then.
    window.close()
    damage(project_path, "spans_label")  # an index the window does not read on opening
    monkeypatch.setattr(pp, "QUICK_CHECK_MAX", 0)
    answers = Answers(monkeypatch, damaged=pp.RESTORE)
    window = MainWindow(None, remember=True)
    qtbot.addWidget(window)
    assert window.open_project(project_path)
    qtbot.waitUntil(lambda: len(answers.asked) >= 2)
    assert [q[0] for q in answers.asked] == ["damaged", "confirm"]
    qtbot.waitUntil(lambda: window.project is not None and check_project(project_path).ok)
    assert window.project.document_count() == 3
    assert len(backup.list_backups(project_path)) == 1  # the damaged file was never copied over it


def test_a_full_disk_while_editing_says_so_and_loses_nothing(window, project_path, monkeypatch):
    """SQLite's own size cap (max_page_count) gives the window's connection the error a full
    disk gives: the edit is refused with a message, every earlier edit stays."""
    warned: list[str] = []
    monkeypatch.setattr("annotator.gui.main_window.QMessageBox.warning",
                        lambda parent, title, text: warned.append(f"{title}: {text}"))
    project = window.project
    pages = project.query("PRAGMA page_count")[0][0]
    project.execute(f"PRAGMA max_page_count = {pages}")
    made = 0
    text = window.text_view.text
    for start in range(0, len(text) - 2):
        window.text_view.select_range(start, start + 1)
        before = len(project.spans(1))
        window.apply_label("DATE")
        if warned:
            break
        made += len(project.spans(1)) > before
    assert warned and "Change not saved" in warned[0] and "disk is full" in warned[0]
    project.execute("PRAGMA max_page_count = 1000000")
    window.close()
    report = check_project(project_path)
    assert report.ok, report.summary()
    with Project.open(project_path) as p:
        assert sum(1 for s in p.spans(1) if s.label == "DATE") == made
