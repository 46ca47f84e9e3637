"""Code-point offsets <-> Qt UTF-16 positions, checked against Qt itself."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QTextCursor, QTextDocument

from annotator.gui.text_offsets import OffsetMap, display_text, utf16_length

THAI_EMOJI = "ข่าว 📱 ดีอีเอส 👍🏽 ร้อยละ 15 🇹🇭\nบรรทัดที่สอง 😀"


def test_plain_thai_is_identity():
    text = "นายธนกฤต วงศ์ประเสริฐ ผู้อำนวยการ"
    m = OffsetMap(text)
    assert m.identity
    assert [m.to_qt(i) for i in range(len(text) + 1)] == list(range(len(text) + 1))
    assert m.qt_length == len(text) == utf16_length(text)


def test_emoji_shift_later_positions():
    text = "ก📱ข"
    m = OffsetMap(text)
    assert not m.identity
    assert [m.to_qt(i) for i in range(4)] == [0, 1, 3, 4]
    assert [m.to_py(q) for q in range(5)] == [0, 1, 1, 2, 3]
    assert m.to_py(2, round_up=True) == 2  # inside the surrogate pair: past the emoji
    assert m.range_to_py(2, 3) == (1, 2)  # half an emoji selected: the whole emoji


def test_round_trip_thai_and_emoji():
    m = OffsetMap(THAI_EMOJI)
    for offset in range(len(THAI_EMOJI) + 1):
        assert m.to_py(m.to_qt(offset)) == offset
        assert m.to_py(m.to_qt(offset), round_up=True) == offset
    assert m.qt_length == len(THAI_EMOJI.encode("utf-16-le")) // 2


def test_positions_match_a_qt_document(qapp):
    """What Qt finds at each converted position is the character Python has there."""
    text = THAI_EMOJI + "\r\nท้าย\rจบ"
    doc = QTextDocument()
    doc.setPlainText(display_text(text))
    m = OffsetMap(text)
    assert doc.characterCount() - 1 == m.qt_length  # no position lost or added
    for offset, ch in enumerate(text):
        cursor = QTextCursor(doc)
        cursor.setPosition(m.to_qt(offset))
        cursor.setPosition(m.to_qt(offset + 1), QTextCursor.MoveMode.KeepAnchor)
        got = cursor.selectedText()
        if ch in "\r\n":
            assert len(got) == 1  # a line break (Qt shows U+2029) or the space for \r
        else:
            assert got == ch


def test_display_text_keeps_length():
    for text in ("a\r\nb", "a\rb", "a\nb", "\r\r\n\r"):
        shown = display_text(text)
        assert len(shown) == len(text)
        assert "\r" not in shown


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["ก", "่", "ำ", " ", "\n", "a", "📱", "👍🏽", "🇹🇭", "😀"]), max_size=40))
def test_round_trip_any_mix(chars):
    text = "".join(chars)
    m = OffsetMap(text)
    assert m.qt_length == utf16_length(text)
    for offset in range(len(text) + 1):
        q = m.to_qt(offset)
        assert m.to_py(q) == offset
    # Every UTF-16 position maps back inside the text, rounding inside pairs.
    for q in range(m.qt_length + 1):
        assert 0 <= m.to_py(q) <= m.to_py(q, round_up=True) <= len(text)
