"""JobRunner: jobs run off the GUI thread, report progress, can be cancelled, and their
results and errors come back on the GUI thread."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sqlite3  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QThread, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget  # noqa: E402

from annotator.core.errors import Cancelled, LabelError  # noqa: E402
from annotator.gui.workers import JobRunner  # noqa: E402
from annotator.jobs.importer import run_import  # noqa: E402
from annotator.store.project import Project  # noqa: E402


@pytest.fixture
def parent(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def runner(parent):
    jobs = JobRunner(parent)
    yield jobs
    jobs.cancel()
    assert jobs.wait(10_000), "a job was left running"


class Outcome:
    def __init__(self):
        self.results: list = []
        self.errors: list = []
        self.threads: list = []

    def done(self, result):
        self.threads.append(QThread.currentThread())
        self.results.append(result)

    def error(self, exc):
        self.threads.append(QThread.currentThread())
        self.errors.append(exc)

    @property
    def finished(self) -> bool:
        return bool(self.results or self.errors)


def sleeper(steps: int, step_s: float = 0.01):
    """A job that works in small steps, checking for cancellation between them."""

    def job(progress, cancelled):
        for i in range(steps):
            if cancelled():
                raise Cancelled(f"stopped after {i} steps")
            time.sleep(step_s)
            progress(i + 1, steps, f"step {i + 1}")
        return steps

    return job


def test_gui_thread_keeps_running_while_a_job_works(runner, qtbot):
    # The job cannot finish until the GUI thread has handled a timer: if the job blocked
    # the event loop, it would time out and report False.
    ticked = threading.Event()
    timer = QTimer()
    timer.timeout.connect(ticked.set)
    timer.start(1)
    outcome = Outcome()
    runner.run("Waiting for the window", lambda progress, cancelled: ticked.wait(10), outcome.done, outcome.error)
    assert runner.is_running()
    qtbot.waitUntil(lambda: outcome.finished, timeout=15_000)
    timer.stop()
    assert outcome.results == [True]
    assert outcome.threads == [QApplication.instance().thread()]  # called back on the GUI thread
    assert not runner.is_running()


def test_import_in_background_reaches_the_database(runner, qtbot, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    n = 300
    for i in range(n):
        text = f"ข่าวที่ {i}\n\nรัฐบาลแถลงข่าวครั้งที่ {i} ที่จังหวัดเชียงใหม่\n"
        (corpus / f"{i:03d}.txt").write_text(text, encoding="utf-8")
    project = Project.create(tmp_path / "import.annot", annotator="tester")
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(runner.is_running()))
    timer.start(1)
    updates = []
    runner.progressed.connect(lambda done, total, message: updates.append((done, total)))
    outcome = Outcome()
    runner.run(
        "Importing",
        lambda progress, cancelled: run_import(project, [corpus], progress=progress, cancelled=cancelled),
        outcome.done,
    )
    qtbot.waitUntil(lambda: outcome.finished, timeout=60_000)
    timer.stop()
    report = outcome.results[0]
    assert report.imported == n and not report.failed
    assert any(ticks)  # the GUI thread kept handling events while the import ran
    assert updates and updates[-1] == (n, n)  # the last progress always arrives
    assert len(updates) <= n  # throttled, never more than the job's calls
    with sqlite3.connect(project.path) as conn:  # committed, as another reader sees it
        assert conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == n
    project.close()


def test_cancel_button_stops_the_job(parent, qtbot):
    runner = JobRunner(parent, show_after_ms=50)
    outcome = Outcome()
    runner.run("Sleeping", sleeper(2000), outcome.done, outcome.error)
    qtbot.waitUntil(lambda: runner.progress_dialog() is not None and runner.progress_dialog().isVisible())
    dialog = runner.progress_dialog()
    qtbot.waitUntil(lambda: dialog.value() > 0)  # progress reaches the dialog
    cancel = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Cancel")
    cancel.click()
    qtbot.waitUntil(lambda: outcome.finished, timeout=10_000)
    assert outcome.results == []
    assert isinstance(outcome.errors[0], Cancelled)
    assert runner.progress_dialog() is None
    assert not runner.is_running()


def test_cancel_a_real_import(runner, qtbot, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(50):
        (corpus / f"{i:02d}.txt").write_text(f"ข่าว {i}\n", encoding="utf-8")
    project = Project.create(tmp_path / "cancel.annot", annotator="tester")
    outcome = Outcome()
    started = threading.Event()
    go_on = threading.Event()

    def job(progress, cancelled):
        def progress_then_wait(done, total, message=""):
            progress(done, total, message)
            if done == 1:  # one file in: let the test cancel before the next
                started.set()
                go_on.wait(10)

        return run_import(project, [corpus], progress=progress_then_wait, cancelled=cancelled)

    runner.run("Importing", job, outcome.done)
    assert started.wait(10)
    runner.cancel()
    go_on.set()
    qtbot.waitUntil(lambda: outcome.finished, timeout=10_000)
    report = outcome.results[0]
    assert report.cancelled and report.imported == 1
    assert project.document_count() == 1
    project.close()


def test_short_job_shows_no_dialog(parent, qtbot):
    runner = JobRunner(parent, show_after_ms=100)
    outcome = Outcome()
    runner.run("Quick", lambda progress, cancelled: 42, outcome.done)
    assert runner.wait(5000)
    assert outcome.results == [42]
    qtbot.wait(150)  # past the delay: the dialog's timer fires and finds the job ended
    assert runner.progress_dialog() is None
    assert not [w for w in QApplication.topLevelWidgets() if w.isVisible() and w.windowTitle() == "Quick"]


def test_errors_are_shown_with_type_and_message(runner, qtbot):
    def boom(progress, cancelled):
        raise ValueError("boom")

    runner.run("Failing", boom, lambda result: None)
    qtbot.waitUntil(lambda: runner.last_error_box is not None)
    box = runner.last_error_box
    assert box.text() == "ValueError: boom"
    assert box.icon() == QMessageBox.Icon.Critical
    assert "Traceback" in box.detailedText()
    box.close()


def test_annotator_errors_are_shown_as_they_are(runner, qtbot):
    def refuse(progress, cancelled):
        raise LabelError("label X already exists")

    runner.run("Labels", refuse, lambda result: None)
    qtbot.waitUntil(lambda: runner.last_error_box is not None)
    assert runner.last_error_box.text() == str(LabelError("label X already exists"))
    assert runner.last_error_box.icon() == QMessageBox.Icon.Warning
    runner.last_error_box.close()


def test_on_error_replaces_the_message_box(runner, qtbot):
    outcome = Outcome()
    runner.run("Failing", lambda p, c: 1 / 0, outcome.done, outcome.error)
    assert runner.wait(5000)
    assert isinstance(outcome.errors[0], ZeroDivisionError)
    assert runner.last_error_box is None


def test_jobs_run_one_after_another(runner, qtbot):
    order = []
    lock = threading.Lock()

    def job(name):
        def run(progress, cancelled):
            with lock:
                order.append(("start", name))
            time.sleep(0.02)
            with lock:
                order.append(("end", name))
            return name

        return run

    outcome = Outcome()
    runner.run("a", job("a"), outcome.done)
    runner.run("b", job("b"), outcome.done)
    assert runner.wait(5000)
    assert outcome.results == ["a", "b"]
    assert order == [("start", "a"), ("end", "a"), ("start", "b"), ("end", "b")]


def test_wait_times_out_on_a_long_job(runner):
    runner.run("Long", sleeper(10_000), lambda result: None, lambda exc: None)
    assert not runner.wait(30)
    runner.cancel()
    assert runner.wait(5000)
    assert not runner.is_running()
