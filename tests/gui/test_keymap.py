"""Keys that no desktop takes for the span edges, and every key rebindable from the sheet."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from annotator.gui import actions as action_table
from annotator.gui.keymap import Keymap, KeymapError

K = Qt.Key
M = Qt.KeyboardModifier


def type_char(qtbot, widget, key, char, modifier=M.NoModifier):
    """A printable key as a keyboard sends it (Shift+[ is Key_BraceLeft with text "{")."""
    for kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
        event = QKeyEvent(kind, key, modifier, char)
        QApplication.sendEvent(widget, event)
        if kind == QEvent.Type.ShortcutOverride and not event.isAccepted():
            # What Qt's shortcut map does for an unclaimed override: try the shortcuts.
            break
    qtbot.keyClick(widget, key, modifier)  # the real path, through the shortcut map


def stored(window, span_id):
    s = window.project.span(span_id)
    return s.start, s.end


def test_brace_and_angle_keys_move_the_edges_by_a_word(window, ui):
    start, end = ui.find("450 ล้านบาท")
    ui.click(start + 1)
    span_id = window.text_view.current_span().id
    grid = window.text_view.grid()
    ui.key(K.Key_Greater, M.ShiftModifier)  # > : end one word later
    assert stored(window, span_id) == (start, grid.next_word_end(end))
    ui.key(K.Key_Less, M.ShiftModifier)  # < : end one word earlier
    assert stored(window, span_id) == (start, end)
    ui.key(K.Key_BraceLeft, M.ShiftModifier)  # { : start one word earlier
    assert stored(window, span_id) == (grid.prev_word_start(start), end)
    ui.key(K.Key_BraceRight, M.ShiftModifier)  # } : start one word later
    assert stored(window, span_id) == (start, end)


def press_in_capture_dialog(qtbot, key, modifier=M.NoModifier):
    """Answer the modal "press the new key" dialog once it is up."""
    def answer():
        dialog = QApplication.activeModalWidget()
        assert dialog is not None and dialog.windowTitle() == "Change key"
        qtbot.keyClick(dialog.edit, key, modifier)
    QTimer.singleShot(50, answer)


def open_sheet(window, ui, qtbot, monkeypatch):
    from annotator.gui.dialogs import shortcuts

    monkeypatch.setattr(shortcuts.ShortcutsDialog, "exec", lambda self: self.show())
    ui.key(K.Key_F1)
    sheet = window.shortcuts_dialog
    qtbot.addWidget(sheet)
    sheet.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is sheet)
    return sheet


def select_row(qtbot, sheet, text):
    qtbot.keyClicks(sheet.search_edit, text)
    row = next(r for r in range(sheet.table.rowCount()) if not sheet.table.isRowHidden(r))
    sheet.table.setFocus()
    sheet.table.setCurrentCell(row, 0)
    return row


def test_rebinding_a_key_from_the_sheet_by_keyboard(window, ui, qtbot, monkeypatch):
    sheet = open_sheet(window, ui, qtbot, monkeypatch)
    row = select_row(qtbot, sheet, "end one word earlier")
    press_in_capture_dialog(qtbot, K.Key_J, M.ControlModifier)
    qtbot.keyClick(sheet.table, K.Key_Return)  # Return on a row: "press the new key"
    assert "Ctrl+J" in sheet.table.item(row, 1).text() and "(changed)" in sheet.table.item(row, 1).text()
    assert "Alt+Shift+Left" not in sheet.table.item(row, 1).text()
    sheet.close()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)

    # The new key works at once, the old one no longer does.
    start, end = ui.find("450 ล้านบาท")
    ui.click(start + 1)
    span_id = window.text_view.current_span().id
    grid = window.text_view.grid()
    ui.key(K.Key_Right, M.AltModifier | M.ShiftModifier)  # grow at end: still bound
    grown = grid.next_word_end(end)
    assert stored(window, span_id) == (start, grown)
    ui.key(K.Key_Left, M.AltModifier | M.ShiftModifier)  # the old shrink key: nothing now
    assert stored(window, span_id) == (start, grown)
    ui.key(K.Key_J, M.ControlModifier)
    assert stored(window, span_id) == (start, end)
    # Kept in the user's settings: the next window has it, and the sheet shows it.
    assert Keymap.load().keys("shrink_end") == ("Ctrl+J",)
    rows = dict(action_table.shortcut_rows([], Keymap.load().keys))
    assert rows["Span: end one word earlier"] == "Ctrl+J"


def test_a_key_in_use_is_refused_naming_its_command(window, ui, qtbot, monkeypatch):
    sheet = open_sheet(window, ui, qtbot, monkeypatch)
    row = select_row(qtbot, sheet, "end one word earlier")
    before = sheet.table.item(row, 1).text()
    press_in_capture_dialog(qtbot, K.Key_Z, M.ControlModifier)  # Undo's key
    qtbot.keyClick(sheet.table, K.Key_Return)
    assert sheet.table.item(row, 1).text() == before
    assert "Undo" in sheet.message.text() and "Not changed" in sheet.message.text()
    press_in_capture_dialog(qtbot, K.Key_1)  # PERSON's hotkey
    qtbot.keyClick(sheet.table, K.Key_Return)
    assert "label" in sheet.message.text()
    assert Keymap.load().overrides == {}


def test_reset_brings_the_default_back(window, ui, qtbot, monkeypatch):
    sheet = open_sheet(window, ui, qtbot, monkeypatch)
    row = select_row(qtbot, sheet, "Accept the selected")
    press_in_capture_dialog(qtbot, K.Key_K)
    qtbot.keyClick(sheet.table, K.Key_Return)
    assert Keymap.load().keys("accept") == ("K",)
    qtbot.mouseClick(sheet.reset_button, Qt.MouseButton.LeftButton)
    assert Keymap.load().keys("accept") == action_table.spec("accept").keys
    assert sheet.table.item(row, 1).text().startswith("Return")


def test_a_freed_default_key_can_go_to_a_label_and_back(qtbot):
    keymap = Keymap()
    keymap.bind("accept", "K")
    assert action_table.review_key_owner("A", keymap.keys) is None  # A is free for a label now
    keymap.bind("reject", "A")  # and for another command
    with pytest.raises(KeymapError):
        keymap.reset("accept")  # its default A now means Reject
    keymap.reset()
    assert keymap.keys("accept") == action_table.spec("accept").keys
