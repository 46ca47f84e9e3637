"""Making and changing spans with mouse and keys; what reaches the project file."""

from __future__ import annotations

import unicodedata

import pytest
from PySide6.QtCore import Qt

from annotator.core.model import EDITED, MANUAL
from annotator.gui.widgets.text_view import TokenGrid

K = Qt.Key
M = Qt.KeyboardModifier


def grid_of(window) -> TokenGrid:
    return TokenGrid(window.text_view.text, window.project.tokens(window.doc_id))


def inside(text: str, start: int, end: int) -> int:
    """An offset strictly inside [start, end) where the caret can stand (not on a mark)."""
    for offset in range(start + 1, end):
        if unicodedata.category(text[offset]) not in ("Mn", "Mc"):
            return offset
    raise AssertionError(f"no inner boundary in {text[start:end]!r}")


def long_tokens(window, start: int, end: int) -> list[tuple[int, int]]:
    text = window.text_view.text
    return [(s, e) for s, e in window.project.tokens(window.doc_id)
            if start <= s and e <= end and e - s >= 3 and not text[s:e].isspace()]


def test_select_and_hotkey_makes_span(window, ui):
    window.show_document(3)
    start, end = ui.find("นายกิตติพัฒน์ แสงอรุณ")
    ui.drag(start, end)
    ui.key(K.Key_1)  # PERSON
    spans = window.project.spans(3)
    assert [(s.start, s.end, s.label, s.state, s.origin) for s in spans] == [(start, end, "PERSON", MANUAL, "human")]
    assert window.text_view.current_span().id == spans[0].id
    assert window.project.document_status(3) == "in_progress"
    ui.qtbot.waitUntil(lambda: window.entity_panel.model.rowCount() == 1)  # the table, a turn later


def test_selection_snaps_to_words(window, ui):
    window.show_document(3)
    region = ui.find("กล่าวที่จังหวัดเชียงใหม่")
    words = long_tokens(window, *region)
    first, last = words[0], words[-1]
    a, b = inside(ui.text(), *first), inside(ui.text(), *last)
    ui.drag(a, b)
    # What the screen shows is already snapped …
    assert window.text_view.selection() == (first[0], last[1])
    ui.key(K.Key_3)  # LOCATION
    (span,) = window.project.spans(3)
    # … and so is what was stored: whole words, not the characters under the mouse.
    assert (span.start, span.end, span.label) == (first[0], last[1], "LOCATION")
    assert (span.start, span.end) != (a, b)


@pytest.mark.parametrize("modifier", [M.ControlModifier, M.AltModifier])
def test_modifier_keeps_exact_characters(window, ui, modifier):
    window.show_document(3)
    region = ui.find("กล่าวที่จังหวัดเชียงใหม่")
    words = long_tokens(window, *region)
    a, b = inside(ui.text(), *words[0]), inside(ui.text(), *words[-1])
    ui.drag(a, b, modifier)
    ui.key(K.Key_3)
    (span,) = window.project.spans(3)
    assert (span.start, span.end) == (a, b)


def test_shift_arrows_select_by_word(window, ui):
    window.show_document(3)
    start, _ = ui.find("นายกิตติพัฒน์")
    ui.drag(start, start)  # a click: caret at the start of the name
    ui.key(K.Key_Right, M.ShiftModifier)
    ui.key(K.Key_Right, M.ShiftModifier)
    grid = grid_of(window)
    expected_end = grid.next_word_end(grid.next_word_end(start))
    assert window.text_view.selection() == (start, expected_end)
    ui.key(K.Key_Left, M.ShiftModifier)  # back by one word
    assert window.text_view.selection() == (start, grid.next_word_end(start))
    ui.key(K.Key_1)
    (span,) = window.project.spans(3)
    assert (span.start, span.end, span.label) == (start, grid.next_word_end(start), "PERSON")


def test_ctrl_shift_arrows_select_exact_characters(window, ui):
    window.show_document(3)
    start, _ = ui.find("แสงอรุณ")
    ui.drag(start, start)
    for _ in range(3):
        ui.key(K.Key_Right, M.ControlModifier | M.ShiftModifier)
    ui.key(K.Key_1)
    (span,) = window.project.spans(3)
    assert ui.text()[span.start:span.end] == "แสง"


def test_label_key_without_selection_changes_nothing(window, ui):
    window.show_document(3)
    ui.key(K.Key_1)
    assert window.project.spans(3) == []
    assert "Select some text" in window.statusBar().currentMessage()


def test_click_selects_span_and_hotkey_relabels(window, ui):
    start, end = ui.find("นายธนกฤต วงศ์ประเสริฐ")
    ui.click(start + 3)
    current = window.text_view.current_span()
    assert current is not None and current.label == "PERSON"
    ui.key(K.Key_2)  # ORGANIZATION
    span = window.project.span(current.id)
    assert (span.start, span.end, span.label, span.state) == (start, end, "ORGANIZATION", EDITED)


def test_delete_removes_span(window, ui):
    start, _ = ui.find("จังหวัดขอนแก่น")
    ui.click(start + 2)
    span_id = window.text_view.current_span().id
    ui.key(K.Key_Delete)
    assert span_id not in {s.id for s in window.project.spans(1)}
    assert window.text_view.current_span() is None


def test_grow_and_shrink_by_one_word(window, ui):
    start, end = ui.find("450 ล้านบาท")
    ui.click(start + 1)
    span_id = window.text_view.current_span().id
    grid = grid_of(window)

    def stored():
        s = window.project.span(span_id)
        return s.start, s.end

    ui.key(K.Key_Right, M.AltModifier | M.ShiftModifier)  # grow at end
    assert stored() == (start, grid.next_word_end(end))
    ui.key(K.Key_Left, M.AltModifier | M.ShiftModifier)  # shrink at end
    assert stored() == (start, end)
    ui.key(K.Key_Left, M.AltModifier)  # grow at start
    assert stored() == (grid.prev_word_start(start), end)
    ui.key(K.Key_Right, M.AltModifier)  # shrink at start
    assert stored() == (start, end)
    ui.key(K.Key_Right, M.AltModifier)  # shrink at start again: drops "450"
    assert stored() == (grid.next_word_start(start), end)
    assert window.project.span(span_id).state == EDITED


def test_shrinking_never_empties_a_span(window, ui):
    window.show_document(3)
    start, end = ui.find("แสง")
    ui.drag(start, end, M.ControlModifier)
    ui.key(K.Key_1)
    (span,) = window.project.spans(3)
    ui.key(K.Key_Right, M.AltModifier)
    ui.key(K.Key_Left, M.AltModifier | M.ShiftModifier)
    assert (window.project.span(span.id).start, window.project.span(span.id).end) == (start, end)
    assert "cannot shrink" in window.statusBar().currentMessage()


def test_overlap_with_a_confirmed_span_is_refused(window, ui):
    person = ui.find("นายธนกฤต วงศ์ประเสริฐ")
    ui.click(person[0] + 3)
    ui.key(K.Key_Return)  # accept the PERSON suggestion
    before = [(s.id, s.start, s.end, s.label, s.state) for s in window.project.spans(1)]
    ui.drag(person[0] + 3, person[1] + 6, M.ControlModifier)
    ui.key(K.Key_3)
    assert [(s.id, s.start, s.end, s.label, s.state) for s in window.project.spans(1)] == before
    message = window.statusBar().currentMessage()
    assert "Refused" in message and "overlaps PERSON" in message


def test_overlap_allowed_when_the_project_allows_it(window, ui):
    window.project.allow_overlap = True
    person = ui.find("นายธนกฤต วงศ์ประเสริฐ")
    ui.click(person[0] + 3)
    ui.key(K.Key_Return)
    ui.drag(person[0], person[0] + 3, M.ControlModifier)  # "นาย" inside the PERSON span
    ui.key(K.Key_3)
    labels = [s.label for s in window.project.spans(1) if s.start == person[0]]
    assert sorted(labels) == ["LOCATION", "PERSON"]


def test_new_span_rejects_the_suggestion_it_overlaps(window, ui):
    org = ui.find("สำนักงานส่งเสริมเมืองอัจฉริยะแห่งชาติ")
    ui.drag(org[0], org[0] + len("สำนักงาน"), M.ControlModifier)
    ui.key(K.Key_2)
    states = {(s.start, s.end): s.state for s in window.project.spans(1)}
    assert states[org] == "rejected"
    assert states[(org[0], org[0] + len("สำนักงาน"))] == MANUAL


def test_palette_click_applies_label(window, ui, qtbot):
    window.show_document(3)
    start, end = ui.find("จังหวัดเชียงใหม่")
    ui.drag(start, end)
    qtbot.mouseClick(window.label_palette.buttons["LOCATION"], Qt.MouseButton.LeftButton)
    (span,) = window.project.spans(3)
    assert (span.start, span.end, span.label) == (start, end, "LOCATION")
    assert window.text_view.hasFocus()  # the palette never takes the focus


def test_double_click_selects_one_word(window, ui, qtbot):
    window.show_document(3)
    start, _ = ui.find("เชียงใหม่")
    grid = grid_of(window)
    word = grid.token_at(start + 1)
    qtbot.mouseDClick(window.text_view.viewport(), Qt.MouseButton.LeftButton, M.NoModifier, ui.point(start + 1))
    assert window.text_view.selection() == word


def test_emoji_before_a_span_keeps_offsets_right(window, ui):
    window.show_document(2)  # has 📈 before "และจะขยายตัว"
    start, end = ui.find("ร้อยละ 9.5")
    ui.drag(start, end)
    ui.key(K.Key_7)  # PERCENT
    (span,) = [s for s in window.project.spans(2) if s.label == "PERCENT"]
    assert ui.text()[span.start:span.end] == "ร้อยละ 9.5"
    assert span.state == MANUAL


def test_white_space_alone_is_not_a_span(window, ui):
    window.show_document(3)
    start = ui.text().index(" ")
    ui.drag(start, start + 1, M.ControlModifier)
    ui.key(K.Key_1)
    assert window.project.spans(3) == []


def test_what_is_highlighted_is_what_gets_labelled(window, ui):
    """Exact characters first, then a word step: the span starts where the highlight does,
    not at the start of the word it began in."""
    window.show_document(3)
    region = ui.find("กล่าวที่จังหวัดเชียงใหม่")
    first = long_tokens(window, *region)[0]
    a = inside(ui.text(), *first)
    window.text_view.select_range(a, a)  # the caret inside the first word
    ui.key(K.Key_Right, M.ControlModifier | M.ShiftModifier)  # one exact character
    ui.key(K.Key_Right, M.ShiftModifier)  # then a word further
    shown = window.text_view.textCursor()
    highlighted = window.text_view.offsets.range_to_py(shown.selectionStart(), shown.selectionEnd())
    assert highlighted[0] == a
    ui.key(K.Key_3)  # LOCATION
    (span,) = window.project.spans(3)
    assert (span.start, span.end) == highlighted


def test_span_edges_move_by_one_character_cluster(window, ui):
    """Trim a title off a name one character at a time; a vowel or tone mark moves with
    its consonant, so no edge ever cuts a syllable."""
    window.show_document(3)
    start, end = ui.find("นายกิตติพัฒน์ แสงอรุณ")
    ui.drag(start, end)
    ui.key(K.Key_1)  # PERSON
    (span,) = window.project.spans(3)

    def stored():
        s = window.project.span(span.id)
        return s.start, s.end

    qtbot_key(ui, "]")  # นา is one cluster: the vowel goes with its consonant
    assert stored() == (start + 2, end)
    qtbot_key(ui, "]")  # ย: นาย is trimmed off
    assert stored() == (start + 3, end)
    qtbot_key(ui, "[")
    assert stored() == (start + 2, end)
    qtbot_key(ui, ",")  # ณ is one cluster
    assert stored() == (start + 2, end - 1)
    qtbot_key(ui, ",")  # รุ: the vowel stays with its consonant
    assert stored() == (start + 2, end - 3)
    qtbot_key(ui, ".")
    assert stored() == (start + 2, end - 1)
    assert window.project.span(span.id).state == MANUAL


def qtbot_key(ui, char):
    keys = {"[": K.Key_BracketLeft, "]": K.Key_BracketRight, ",": K.Key_Comma, ".": K.Key_Period}
    ui.qtbot.keyClick(ui.view, keys[char])
