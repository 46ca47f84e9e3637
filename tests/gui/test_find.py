"""Find in the document at the keyboard: the match is selected, and a label key labels it."""

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from annotator.core.model import MANUAL

K = Qt.Key
M = Qt.KeyboardModifier


def type_text(widget, text):
    """Type Thai the way a keyboard does: key events carrying the characters (QTest's
    keyClicks only knows ASCII)."""
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))


def test_find_selects_the_match_and_a_label_key_labels_it(window, ui, qtbot):
    text = ui.text()  # document 1: เมือง three times
    needle = "เมือง"
    first = text.index(needle)
    window.text_view.setFocus()
    ui.key(K.Key_Home, M.ControlModifier)  # find searches from the caret
    ui.key(K.Key_F, M.ControlModifier)
    bar = window.find_bar
    assert bar.isVisible() and bar.edit.hasFocus()
    type_text(bar.edit, needle)  # typing finds as it goes
    assert window.text_view.selection() == (first, first + len(needle))
    qtbot.keyClick(bar.edit, K.Key_Return)  # Return: this match to the text, keys back there
    assert window.text_view.hasFocus()
    matches = [i for i in range(len(text)) if text.startswith(needle, i)]
    assert len(matches) == 3
    assert window.text_view.selection() == (first, first + len(needle))
    ui.key(K.Key_F3)  # F3 from the text: the next match
    expected = matches[1]
    assert window.text_view.selection() == (expected, expected + len(needle))
    ui.key(K.Key_1)  # PERSON: what is highlighted is what is labelled
    spans = [(s.start, s.end, s.label, s.state) for s in window.project.spans(1)]
    assert (expected, expected + len(needle), "PERSON", MANUAL) in spans
    # On to the last match, then round to the first; Shift+F3 back.
    window.text_view.select_range(expected, expected + len(needle))
    ui.key(K.Key_F3)
    assert window.text_view.selection() == (matches[2], matches[2] + len(needle))
    assert window.find_bar.status.text() == "3 of 3"
    ui.key(K.Key_F3)
    assert window.text_view.selection() == (matches[0], matches[0] + len(needle))
    ui.key(K.Key_F3, M.ShiftModifier)
    assert window.text_view.selection() == (matches[2], matches[2] + len(needle))


def test_typing_more_keeps_the_match_that_still_fits(window, ui, qtbot):
    """The needle grows while typing: a match that still matches stays; it never jumps
    past one (ก at 5, then กข must stay at 5, not go on to 10)."""
    from annotator.core.model import DocumentData

    text = "ข่าว กข ก กข ค"
    doc_id = window.project.add_document(DocumentData(text, {}, []))
    window.show_document(doc_id)
    window.text_view.setFocus()
    ui.key(K.Key_F, M.ControlModifier)
    bar = window.find_bar
    type_text(bar.edit, "ก")
    assert window.text_view.selection() == (5, 6)
    type_text(bar.edit, "ข")
    assert window.text_view.selection() == (5, 7)
    qtbot.keyClick(bar.edit, K.Key_Return)
    ui.key(K.Key_2)  # ORGANIZATION on the match typed
    made = [(s.start, s.end, s.label) for s in window.project.spans(doc_id) if s.state == MANUAL]
    assert made == [(5, 7, "ORGANIZATION")]


def test_find_says_when_nothing_matches_and_esc_closes(window, ui, qtbot):
    ui.key(K.Key_F, M.ControlModifier)
    bar = window.find_bar
    type_text(bar.edit, "ไม่มีคำนี้ในข่าว")
    assert bar.status.text() == "not found"
    qtbot.keyClick(bar.edit, K.Key_Escape)
    assert not bar.isVisible() and window.text_view.hasFocus()


def test_home_and_end_move_and_select_to_the_line_edges(window, ui):
    text = ui.text()
    line_end = text.index("\n") if "\n" in text else len(text)
    ui.key(K.Key_End, M.ControlModifier)
    ui.key(K.Key_Home, M.ControlModifier)
    ui.key(K.Key_End, M.ShiftModifier)
    assert window.text_view.selection() == (0, line_end)
    ui.key(K.Key_Home)
    cursor = window.text_view.textCursor()
    assert not cursor.hasSelection() and window.text_view.offsets.to_py(cursor.position()) == 0


def test_save_a_copy_while_the_window_has_the_project_open(window, tmp_path):
    from annotator.store.check import check_project
    from annotator.store.project import Project

    start, end = 0, 4
    window.project.add_span(1, start, end, "PERSON")
    out = tmp_path / "shared.annot"
    window.save_copy(str(out))
    assert check_project(out).ok and "Saved a copy" in window.statusBar().currentMessage()
    with Project.open(out, readonly=True) as copy:
        assert any((s.start, s.end, s.label) == (start, end, "PERSON") for s in copy.spans(1))


def test_a_found_match_inside_a_cluster_is_labelled_whole(window, ui, qtbot):
    """Find can stop inside a character cluster (ก of กำ): the label key takes the cluster."""
    from annotator.core.model import DocumentData

    text = "ข่าว กำหนด วันนี้"
    doc_id = window.project.add_document(DocumentData(text, {}, []))
    window.show_document(doc_id)
    window.text_view.setFocus()
    ui.key(K.Key_F, M.ControlModifier)
    type_text(window.find_bar.edit, "ก")
    qtbot.keyClick(window.find_bar.edit, K.Key_Return)
    assert window.text_view.selection() == (5, 6)  # ก alone, as found
    ui.key(K.Key_4)  # DATE
    made = [(s.start, s.end) for s in window.project.spans(doc_id) if s.state == MANUAL]
    assert made == [(5, 7)] and text[5:7] == "กำ"
    assert "whole characters" in window.statusBar().currentMessage()
