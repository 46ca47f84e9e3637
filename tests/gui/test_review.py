"""Reviewing suggestions with the keyboard; progress; the entity panel."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QToolTip

from annotator.core.model import ACCEPTED, DONE, REJECTED, SUGGESTED

K = Qt.Key
M = Qt.KeyboardModifier


def open_suggestions(window, doc_id=None):
    return [s for s in window.project.spans(doc_id or window.doc_id) if s.state == SUGGESTED]


def current(window):
    span = window.text_view.current_span()
    return span.id if span else None


def test_tab_and_shift_tab_walk_the_open_suggestions(window, ui):
    ids = [s.id for s in open_suggestions(window)]  # in text order
    assert current(window) == ids[0]  # a document opens on its first open suggestion
    ui.key(K.Key_Tab)
    assert current(window) == ids[1]
    ui.key(K.Key_Backtab, M.ShiftModifier)
    assert current(window) == ids[0]
    ui.key(K.Key_Backtab, M.ShiftModifier)  # wraps round to the last
    assert current(window) == ids[-1]
    ui.key(K.Key_Tab)  # and forward again to the first
    assert current(window) == ids[0]
    # The entity panel follows the selection.
    assert window.entity_panel.selected_span_id() == ids[0]


def test_enter_accepts_and_moves_on(window, ui):
    ids = [s.id for s in open_suggestions(window)]
    window.show_document(1)  # opens on the first suggestion: one key accepts it
    ui.key(K.Key_Return)
    assert window.project.span(ids[0]).state == ACCEPTED
    assert current(window) == ids[1]
    ui.key(K.Key_A)
    assert window.project.span(ids[1]).state == ACCEPTED
    assert current(window) == ids[2]


def test_x_and_backspace_reject(window, ui):
    ids = [s.id for s in open_suggestions(window)]
    ui.key(K.Key_X)
    assert window.project.span(ids[0]).state == REJECTED
    assert current(window) == ids[1]
    ui.key(K.Key_Backspace)
    assert window.project.span(ids[1]).state == REJECTED


def test_relabelling_and_made_spans_move_on_and_return_passes_an_edited_span(window, ui):
    ids = [s.id for s in open_suggestions(window)]
    ui.key(K.Key_2)  # relabel the first suggestion: confirmed, and on to the next
    assert window.project.span(ids[0]).label == "ORGANIZATION"
    assert window.project.span(ids[0]).state != SUGGESTED
    assert current(window) == ids[1]
    ui.key(K.Key_Right, M.AltModifier)  # edges moved: edited, still selected
    assert window.project.span(ids[1]).state == "edited" and current(window) == ids[1]
    ui.key(K.Key_Return)  # Return on a decided span: just on to the next suggestion
    assert window.project.span(ids[1]).state == "edited"
    assert current(window) == ids[2]
    # A span made from a selection is decided too: on to the next open suggestion.
    start, end = ui.find("สสอช.")
    window.text_view.select_range(start, end, exact=True)
    ui.key(K.Key_2)
    assert current(window) in ids[2:]


def test_shift_a_accepts_every_suggestion_in_the_document(window, ui):
    ui.key(K.Key_A, M.ShiftModifier)
    assert open_suggestions(window) == []
    assert {s.state for s in window.project.spans(1)} == {ACCEPTED}
    assert open_suggestions(window, 2)  # other documents untouched
    assert "0 in this document" in window.progress_label.text()


def test_ctrl_enter_marks_done_and_opens_the_next_unfinished(window, ui):
    ui.key(K.Key_Return, M.ControlModifier)
    assert window.project.document_status(1) == DONE
    assert window.doc_id == 2
    assert "Done 1 / 3" in window.progress_label.text()
    ui.key(K.Key_Return, M.ControlModifier)
    ui.key(K.Key_Return, M.ControlModifier)  # the last one: nothing left to open
    assert [window.project.document_status(d) for d in (1, 2, 3)] == [DONE, DONE, DONE]
    assert "Done 3 / 3" in window.progress_label.text()


def test_progress_counts_follow_each_decision(window, ui):
    assert "Done 0 / 3" in window.progress_label.text()
    assert "5 in this document · 7 in project" in window.progress_label.text()
    ui.key(K.Key_Tab)
    ui.key(K.Key_X)
    assert "4 in this document · 6 in project" in window.progress_label.text()
    ui.key(K.Key_PageDown, M.ControlModifier)  # next document
    assert window.doc_id == 2
    assert "2 in this document · 6 in project" in window.progress_label.text()


def test_clicking_an_entity_row_selects_the_span(window, qtbot):
    panel = window.entity_panel
    row = 2
    span_id = panel.model.span_at(row).id
    rect = panel.table.visualRect(panel.model.index(row, 0))
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, M.NoModifier, rect.center())
    assert current(window) == span_id
    assert window.text_view.hasFocus()


def test_entity_panel_lists_text_label_state_origin_confidence(window):
    model = window.entity_panel.model
    cells = [model.data(model.index(0, c)) for c in range(model.columnCount())]
    assert cells == ["นายธนกฤต วงศ์ประเสริฐ", "PERSON", "suggestion", "model", "0.91"]


def test_hover_shows_label_state_origin_confidence(window, ui):
    start, _ = ui.find("จังหวัดขอนแก่น")
    view = window.text_view
    point = ui.point(start + 2)
    event = QHelpEvent(QHelpEvent.Type.ToolTip, point, view.viewport().mapToGlobal(point))
    view.viewportEvent(event)
    text = QToolTip.text()
    assert "LOCATION" in text and "suggestion" in text and "model" in text and "0.88" in text


def test_review_keys_do_nothing_outside_the_text(window, ui, qtbot):
    ui.key(K.Key_Tab)
    chosen = current(window)
    window.list_panel.view.setFocus()
    qtbot.waitUntil(lambda: not window.text_view.hasFocus())
    focus = window.focusWidget()
    ui.key(K.Key_X, widget=focus)
    assert window.project.span(chosen).state == SUGGESTED


def test_span_table_model_passes_the_model_tester(qtmodeltester, project):
    from annotator.gui.widgets.entity_panel import SpanTableModel

    model = SpanTableModel()
    model.set_labels(project.labels())
    text = project.document(1).text
    model.set_spans(text, project.spans(1))
    qtmodeltester.check(model, force_py=True)
    # The one-row updates after an edit keep the model consistent too.
    first = project.spans(1)[0]
    project.accept(first.id)
    model.set_spans(text, project.spans(1))
    made = project.add_span(1, 0, 3, "ORGANIZATION")
    model.set_spans(text, project.spans(1))
    assert model.row_of(made.id) == 0 and model.rowCount() == 6
    project.delete_span(first.id)
    model.set_spans(text, project.spans(1))
    assert model.rowCount() == 5 and model.row_of(first.id) is None
    qtmodeltester.check(model, force_py=True)


def test_a_window_opened_on_a_project_shows_the_text_from_its_top(qtbot, tmp_path):
    """The first document is shown while the window is still hidden (at a narrow width
    where the first line wraps over many lines); once shown, the text starts at its first
    line and the first open suggestion (on that line, in the demo) is on screen."""
    from annotator.gui.demo import build_demo
    from annotator.gui.main_window import MainWindow
    from annotator.store.project import Project

    path = tmp_path / "demo.annot"
    build_demo(path)
    win = MainWindow(Project.open(path), remember=False)
    qtbot.addWidget(win)
    win.resize(1300, 800)
    win.show()
    qtbot.waitExposed(win)
    view = win.text_view
    assert view.verticalScrollBar().value() == 0
    current = view.current_span()
    assert current is not None and current.start < view.text.index("\n")  # on the first line
    cursor = view.textCursor()
    cursor.setPosition(view.offsets.to_qt(current.start))
    assert view.viewport().rect().contains(view.cursorRect(cursor).center())
    win.close()
