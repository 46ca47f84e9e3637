"""Review time in the window: keys and clicks on a document become its active time, kept
in the project; the report shows entities decided per hour."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from annotator.store.activity import document_time

K = Qt.Key
M = Qt.KeyboardModifier


class Clock:
    def __init__(self):
        self.t = 1e9  # far from time.monotonic(), which the window used until now

    def __call__(self) -> float:
        return self.t


def test_keys_on_a_document_are_its_active_time(window, ui, project_path):
    clock = Clock()
    window.activity.timer.stop()  # writes what the real clock counted while the window opened
    before = document_time(window.project, 1).get("tester", 0.0)
    window.activity.timer.clock = clock
    ui.key(K.Key_Tab)  # the first interaction starts the count
    clock.t += 4
    ui.key(K.Key_Return)  # accept: 4 s on document 1
    clock.t += 3
    ui.key(K.Key_Tab)
    clock.t += 300  # a long pause is left out
    ui.key(K.Key_X)
    clock.t += 2
    ui.key(K.Key_PageDown, M.ControlModifier)  # next document: the 2 s are still document 1's
    assert window.doc_id == 2
    clock.t += 6
    ui.key(K.Key_Tab)
    window.close()  # closing writes what is pending
    from annotator.store.project import Project

    with Project.open(project_path) as p:
        assert document_time(p, 1) == {"tester": pytest.approx(before + 9.0)}
        assert document_time(p, 2) == {"tester": pytest.approx(6.0)}


def test_the_report_shows_the_pace(window, ui, qtbot):
    clock = Clock()
    window.activity.timer.stop()  # forget what the real clock started
    window.activity.timer.clock = clock
    ui.key(K.Key_Tab)
    for _ in range(3):  # three accepts, 20 s apart: one minute
        clock.t += 20
        ui.key(K.Key_Return)
    window.show_report()
    dialog = window.model_tools.report_dialog
    qtbot.addWidget(dialog)
    table = dialog.pace_table
    heads = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    row = {heads[c]: table.item(0, c).text() for c in range(table.columnCount())}
    assert row["Annotator"] == "tester"
    assert row["Decided"] == "3"
    assert row["Per hour"] == "180"  # 3 entities in one minute
    assert row["Active"] == "1 min 0 s"


def test_a_pause_after_edits_puts_them_in_the_file_itself(window, ui, qtbot, project_path, tmp_path):
    """The file alone (copied while the window is open, without its -wal) holds the edit
    once the reviewer pauses."""
    import shutil
    import sqlite3

    window.idle_checkpoint.setInterval(50)  # the pause, shortened
    ui.key(K.Key_Return)  # accept the first suggestion
    accepted = window.project.query("SELECT COUNT(*) FROM spans WHERE state = 'accepted'")[0][0]
    assert accepted == 1

    def file_alone_has_it():
        copy = tmp_path / "copy.annot"
        shutil.copy(project_path, copy)  # the main file only, as a user copying it would
        conn = sqlite3.connect(copy)
        try:
            return conn.execute("SELECT COUNT(*) FROM spans WHERE state = 'accepted'").fetchone()[0] == 1
        finally:
            conn.close()

    qtbot.waitUntil(file_alone_has_it, timeout=3000)
