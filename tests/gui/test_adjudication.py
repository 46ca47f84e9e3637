"""Adjudication in the real window: keys decide the conflicts, the gold is in the file."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from annotator.core.model import ACCEPTED, DONE, REJECTED, SUGGESTED, DocumentData
from annotator.store.project import Project
from annotator.store.team import team_spans
from annotator.team.merge import run_merge

K = Qt.Key
ALT = Qt.KeyboardModifier.AltModifier

T1 = "นายสมชาย ใจดี เดินทางไปจังหวัดเชียงใหม่ เมื่อวันจันทร์"
T2 = "บริษัท สยามดาต้า จำกัด ลงทุนที่ภูเก็ต 250 ล้านบาท"


def span(text, needle):
    start = text.index(needle)
    return start, start + len(needle)


def annotator_project(path, name, work):
    with Project.create(path, annotator=name) as project:
        for text, marks in work.items():
            doc_id = project.add_document(DocumentData(text, {"title": text[:12]}))
            for needle, label in marks:
                project.add_span(doc_id, *span(text, needle), label)
            project.set_status(doc_id, DONE)
    return path


@pytest.fixture
def merged(tmp_path):
    """a and b agree on T1's person; disagree on T1's place (1 conflict), T2's company and
    T2's place, which only b marked (2 conflicts)."""
    a = annotator_project(tmp_path / "a.annot", "a", {
        T1: [("นายสมชาย ใจดี", "PERSON"), ("จังหวัดเชียงใหม่", "LOCATION")],
        T2: [("สยามดาต้า", "ORGANIZATION")],
    })
    b = annotator_project(tmp_path / "b.annot", "b", {
        T1: [("นายสมชาย ใจดี", "PERSON"), ("เชียงใหม่", "LOCATION")],
        T2: [("บริษัท สยามดาต้า จำกัด", "ORGANIZATION"), ("ภูเก็ต", "LOCATION")],
    })
    run_merge([a, b], tmp_path / "merged.annot", annotator="judge")
    project = Project.open(tmp_path / "merged.annot")
    yield project
    project.close()


@pytest.fixture
def win(qtbot, merged):
    from annotator.gui.main_window import MainWindow

    window = MainWindow(merged, remember=False)
    qtbot.addWidget(window)
    window.resize(1300, 800)
    window.show()
    qtbot.waitExposed(window)
    window.show_document(1)
    window.text_view.setFocus()
    qtbot.waitUntil(lambda: window.text_view.hasFocus())
    return window


def gold(project, text):
    doc_id = project.query("SELECT id FROM documents WHERE text = ?", (text,))[0][0]
    return {(s.start, s.end, s.label) for s in project.spans(doc_id, [ACCEPTED])}, project.document_status(doc_id)


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(window.text_view, key, modifier)


def test_keys_decide_every_conflict_and_the_gold_is_in_the_file(qtbot, win, merged):
    mode, panel = win.adjudication, win.adjudication.panel
    press(qtbot, win, K.Key_F8)
    assert mode.active() and win.doc_id == 1
    assert "Conflicts resolved 0 / 3" in panel.progress_label.text()
    assert panel.documents.count() == 2
    headers = [panel.versions.horizontalHeaderItem(c).text() for c in range(panel.versions.columnCount())]
    assert [h.split(" · ")[1] for h in headers] == ["a", "b", "nobody"]  # side by side, with authors
    assert panel.versions.item(0, 1).text() == "LOCATION: เชียงใหม่"
    assert win.text_view.current_span().id in mode.current().span_ids  # the text shows it

    press(qtbot, win, K.Key_2, ALT)  # b's place in T1
    assert gold(merged, T1) == ({span(T1, "นายสมชาย ใจดี") + ("PERSON",), span(T1, "เชียงใหม่") + ("LOCATION",)},
                                DONE)
    t1 = {(s.start, s.end): s for s in team_spans(merged, 1)}
    won, lost = t1[span(T1, "เชียงใหม่")], t1[span(T1, "จังหวัดเชียงใหม่")]
    assert (won.state, lost.state) == (ACCEPTED, REJECTED)
    assert won.provenance["adjudicated_by"] == "judge" and won.provenance["chosen_from"] == ["b"]
    assert win.doc_id == 2  # on to the next document with an open conflict
    assert "Conflicts resolved 1 / 3" in panel.progress_label.text()

    press(qtbot, win, K.Key_1, ALT)  # a's company
    press(qtbot, win, K.Key_0, ALT)  # nobody but b saw a place: no entity
    assert gold(merged, T2) == ({span(T2, "สยามดาต้า") + ("ORGANIZATION",)}, DONE)
    place = [s for s in team_spans(merged, 2) if s.label == "LOCATION"][0]
    assert place.state == REJECTED and place.provenance["chosen_from"] == ["a"]
    assert "Conflicts resolved 3 / 3" in panel.progress_label.text()
    assert panel.documents.count() == 0
    assert "Every conflict is resolved" in win.statusBar().currentMessage()

    press(qtbot, win, K.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo the last decision
    assert place.id in {s.id for s in team_spans(merged, 2) if s.state == SUGGESTED}
    assert "Conflicts resolved 2 / 3" in panel.progress_label.text()


def test_steps_between_conflicts_and_follows_clicks(qtbot, win):
    mode = win.adjudication
    press(qtbot, win, K.Key_F8)
    press(qtbot, win, K.Key_Down, ALT)  # T1 has one conflict: the next is in T2
    assert win.doc_id == 2 and mode.index == 0
    press(qtbot, win, K.Key_Down, ALT)
    assert win.doc_id == 2 and mode.index == 1
    assert mode.current().readings[0].authors == ("b",) and mode.current().none.authors == ("a",)
    first = mode.conflicts[0]
    win.text_view.set_current_span(first.versions[-1].id)  # as a click on a version does
    assert mode.index == 0
    press(qtbot, win, K.Key_Up, ALT)
    assert win.doc_id == 1


def test_version_keys_outside_adjudication_say_so(qtbot, window):
    press(qtbot, window, K.Key_1, Qt.KeyboardModifier.AltModifier)
    assert "F8 shows the conflicts" in window.statusBar().currentMessage()
    assert not window.adjudication.active()
    press(qtbot, window, K.Key_F8)  # a project nobody merged into has no conflicts
    assert "No open conflicts" in window.statusBar().currentMessage()
    press(qtbot, window, K.Key_1, Qt.KeyboardModifier.AltModifier)
    assert "No open conflict here" in window.statusBar().currentMessage()
    assert {s.state for s in window.project.spans(1)} == {SUGGESTED}  # the review is untouched


def test_annotator_name_from_the_edit_menu(window, monkeypatch):
    from annotator.gui.dialogs import annotator_name

    monkeypatch.setattr(annotator_name.QInputDialog, "getText", lambda *a, **k: ("  nok ", True))
    action = next(a for a in window.menus["&Edit"].actions() if a.objectName() == "annotator_name")
    action.trigger()
    assert window.project.annotator == "nok"
    assert "(nok)" in window.windowTitle()
    start, end = 0, 3
    span_ = window.project.add_span(1, start, end, "PERSON")
    assert span_.author == "nok"
