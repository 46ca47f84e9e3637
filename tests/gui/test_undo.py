"""Undo and redo through the project's change log; nothing waits for a Save."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from PySide6.QtCore import Qt

from annotator.core.model import ACCEPTED, DONE, IN_PROGRESS, SUGGESTED
from annotator.store.project import Project

K = Qt.Key
M = Qt.KeyboardModifier


def spans_of(window, doc_id=None):
    return [(s.start, s.end, s.label, s.state) for s in window.project.spans(doc_id or window.doc_id)]


def test_undo_and_redo_a_new_span(window, ui):
    window.show_document(3)
    start, end = ui.find("แสงอรุณ")
    ui.drag(start, end)
    ui.key(K.Key_1)
    made = spans_of(window)
    assert len(made) == 1
    ui.key(K.Key_Z, M.ControlModifier)
    assert spans_of(window) == []
    assert window.text_view.spans() == []  # the view followed
    ui.key(K.Key_Z, M.ControlModifier | M.ShiftModifier)
    assert spans_of(window) == made
    ui.key(K.Key_Z, M.ControlModifier)
    ui.key(K.Key_Y, M.ControlModifier)
    assert spans_of(window) == made
    assert len(window.text_view.spans()) == 1


def test_one_undo_takes_back_a_label_and_what_it_propagated(window, ui, qtbot):
    from annotator.core.model import DocumentData

    text = "นายสมชาย ใจดี เปิดงาน ต่อมา นายสมชาย ใจดี กล่าวขอบคุณ และ นายสมชาย ใจดี กลับบ้าน"
    doc = window.project.add_document(DocumentData(text, {"title": "ซ้ำ"}))
    window.show_document(doc)
    start, end = ui.find("นายสมชาย ใจดี")
    ui.drag(start, end)
    ui.key(K.Key_1)  # PERSON, suggested at the two other places too, in the event loop's next turn
    qtbot.waitUntil(lambda: len(spans_of(window)) == 3)
    made = spans_of(window)
    assert [(s, state) for s, _, _, state in made] == [
        (start, "manual"), (ui.find("นายสมชาย ใจดี", 1)[0], SUGGESTED), (ui.find("นายสมชาย ใจดี", 2)[0], SUGGESTED)]
    ui.key(K.Key_Z, M.ControlModifier)
    assert spans_of(window) == []  # the label and its two suggestions, in one step
    assert window.text_view.spans() == []
    assert window.entity_panel.model.rowCount() == 0
    ui.key(K.Key_Z, M.ControlModifier | M.ShiftModifier)
    assert spans_of(window) == made
    assert len(window.text_view.spans()) == 3


def test_undo_accept_relabel_and_delete(window, ui):
    before = spans_of(window)
    ui.key(K.Key_Return)  # accept the PERSON (selected on open); the ORGANIZATION is next
    ui.key(K.Key_3)  # relabel it LOCATION (and on to the next suggestion)
    ui.key(K.Key_Delete)  # and delete that one
    assert spans_of(window) != before
    for _ in range(3):
        ui.key(K.Key_Z, M.ControlModifier)
    assert spans_of(window) == before
    assert "Undone" in window.statusBar().currentMessage()
    ui.key(K.Key_Z, M.ControlModifier)
    assert "Nothing to undo" in window.statusBar().currentMessage()


def test_undo_returns_to_the_document_it_changed(window, ui):
    ui.key(K.Key_Tab)
    ui.key(K.Key_Return)  # accept in document 1
    ui.key(K.Key_Return, M.ControlModifier)  # done, on to document 2
    assert window.doc_id == 2
    ui.key(K.Key_Z, M.ControlModifier)  # undoes "done": back on document 1
    assert window.doc_id == 1
    assert window.project.document_status(1) == IN_PROGRESS
    ui.key(K.Key_Z, M.ControlModifier)  # and the accept
    assert {s.state for s in window.project.spans(1)} == {SUGGESTED}
    ui.key(K.Key_Y, M.ControlModifier)
    ui.key(K.Key_Y, M.ControlModifier)
    assert window.project.document_status(1) == DONE
    assert ACCEPTED in {s.state for s in window.project.spans(1)}
    assert "Done 1 / 3" in window.progress_label.text()


def test_every_change_is_in_the_file_at_once(window, ui, project_path):
    ui.key(K.Key_Tab)
    ui.key(K.Key_Return)
    other = Project.open(project_path, readonly=True)  # a second reader sees it with the window still open
    try:
        assert ACCEPTED in {s.state for s in other.spans(1)}
    finally:
        other.close()


def test_killing_the_window_loses_nothing(project_path, tmp_path):
    """A window process killed with SIGKILL right after an edit: the edit is in the file."""
    script = textwrap.dedent(f"""
        import os, signal
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtCore import QCoreApplication, QSettings
        from PySide6.QtWidgets import QApplication
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, {str(tmp_path)!r})
        app = QApplication([])
        from annotator.gui.main_window import MainWindow
        from annotator.store.project import Project
        window = MainWindow(Project.open({str(project_path)!r}), remember=False)
        window.show()
        window.show_document(3)
        start = window.text_view.text.index("แสงอรุณ")
        window.text_view.select_range(start, start + len("แสงอรุณ"))
        window.apply_label("PERSON")
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == -signal.SIGKILL, result.stderr
    project = Project.open(project_path)
    try:
        assert [(s.label, s.state) for s in project.spans(3)] == [("PERSON", "manual")]
    finally:
        project.close()
