"""A label is saved and painted before its text is suggested elsewhere in the document;
the propagation follows in the event loop's next turn, in the label's change group, and
runs before anything else the window does to the project."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from annotator.core.model import DocumentData, SUGGESTED

K = Qt.Key
M = Qt.KeyboardModifier
NAME = "นายสมชาย ใจดี"
TEXT = f"{NAME} เปิดงาน ต่อมา {NAME} กล่าวขอบคุณ และ {NAME} กลับบ้าน\nเมื่อวาน สมหญิง รักดี และ สมหญิง รักดี มาด้วย"


def spans_of(window, doc_id=None):
    return [(s.start, s.end, s.label, s.state) for s in window.project.spans(doc_id or window.doc_id)]


@pytest.fixture
def repeated(window, ui):
    doc = window.project.add_document(DocumentData(TEXT, {"title": "ซ้ำ"}))
    window.show_document(doc)
    return doc


def label(ui, string, nth=0, key=K.Key_1):
    start, end = ui.find(string, nth)
    ui.drag(start, end)
    ui.key(key)
    return start


def test_the_label_is_shown_first_and_its_propagation_next(window, ui, qtbot, repeated):
    label(ui, NAME)
    # Saved and painted: the label alone; the other two places are pending.
    assert [state for *_, state in spans_of(window)] == ["manual"]
    assert [s.state for s in window.text_view.spans()] == ["manual"]
    assert window.propagation.pending is not None
    qtbot.waitUntil(lambda: window.propagation.pending is None)
    assert [(s, state) for s, _, _, state in spans_of(window)] == [
        (0, "manual"), (ui.find(NAME, 1)[0], SUGGESTED), (ui.find(NAME, 2)[0], SUGGESTED)]
    assert sorted(s.id for s in window.text_view.spans()) == sorted(s.id for s in window.project.spans(repeated))
    assert "2 more times" in window.statusBar().currentMessage()
    # The review went on to the nearest suggestion the propagation made.
    assert window.text_view.current_span().start == ui.find(NAME, 1)[0]


def test_an_undo_before_the_propagation_ran_takes_back_both(window, ui, repeated):
    label(ui, NAME)
    ui.key(K.Key_Z, M.ControlModifier)  # no event loop turn in between: it runs first
    assert window.propagation.pending is None
    assert spans_of(window) == [] and window.text_view.spans() == []
    ui.key(K.Key_Z, M.ControlModifier | M.ShiftModifier)
    assert [state for *_, state in spans_of(window)] == ["manual", SUGGESTED, SUGGESTED]


def test_two_labels_in_a_row_each_keep_their_own_propagation(window, ui, repeated):
    label(ui, NAME)
    second = label(ui, "สมหญิง รักดี", key=K.Key_1)  # before the first propagation's turn
    window.propagation.flush()
    assert [(label, state) for _, _, label, state in spans_of(window)] == [
        ("PERSON", "manual"), ("PERSON", SUGGESTED), ("PERSON", SUGGESTED), ("PERSON", "manual"), ("PERSON", SUGGESTED)]
    ui.key(K.Key_Z, M.ControlModifier)  # the second label and its one suggestion
    assert [(s, state) for s, _, _, state in spans_of(window)] == [
        (0, "manual"), (ui.find(NAME, 1)[0], SUGGESTED), (ui.find(NAME, 2)[0], SUGGESTED)]
    assert second not in [s for s, *_ in spans_of(window)]
    ui.key(K.Key_Z, M.ControlModifier)  # then the first and its two
    assert spans_of(window) == []


def test_switching_documents_first_finishes_the_propagation(window, ui, repeated):
    label(ui, NAME)
    window.show_document(1)
    assert window.propagation.pending is None
    assert [state for *_, state in spans_of(window, repeated)] == ["manual", SUGGESTED, SUGGESTED]
    window.show_document(repeated)
    assert len(window.text_view.spans()) == 3


def test_closing_the_window_first_finishes_the_propagation(window, ui, repeated, project_path):
    from annotator.store.project import Project

    label(ui, NAME)
    window.close()
    with Project.open(project_path) as again:
        assert [s.state for s in again.spans(repeated)] == ["manual", SUGGESTED, SUGGESTED]


def test_a_string_found_once_leaves_nothing_pending(window, ui, repeated):
    label(ui, "เปิดงาน")
    assert window.propagation.pending is None  # nothing elsewhere to suggest: no turn spent on it
    assert [state for *_, state in spans_of(window)] == ["manual"]
