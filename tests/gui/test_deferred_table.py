"""An edit is painted in the text first; the entity table follows in the event loop's next
turn, once, with a pending propagation's suggestions too, and always ends equal to the
project, with the current span selected."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from annotator.core.model import DocumentData, SUGGESTED
from annotator.gui.widgets.entity_panel import EntityPanel

K = Qt.Key
NAME = "นายสมชาย ใจดี"
TEXT = f"{NAME} เปิดงาน ต่อมา {NAME} กล่าวขอบคุณ\nเมื่อวาน สมหญิง รักดี มาด้วย และ นายวิชัย มั่นคง ด้วย"


def rows(window):
    return [(s.id, s.start, s.end, s.label, s.state) for s in window.entity_panel.model.spans()]


def stored(window):
    return [(s.id, s.start, s.end, s.label, s.state) for s in window.project.spans(window.doc_id)]


@pytest.fixture
def calls(monkeypatch):
    """EntityPanel.set_spans calls, each the spans it was given."""
    made = []
    original = EntityPanel.set_spans

    def counted(self, text, spans):
        made.append(list(spans))
        return original(self, text, spans)
    monkeypatch.setattr(EntityPanel, "set_spans", counted)
    return made


@pytest.fixture
def doc(window):
    doc_id = window.project.add_document(DocumentData(TEXT, {"title": "ตาราง"}))
    window.show_document(doc_id)
    return doc_id


def test_a_label_is_in_the_text_at_once_and_in_the_table_a_turn_later(window, ui, qtbot, doc, calls):
    start, end = ui.find("สมหญิง รักดี")  # stands once: no propagation
    ui.drag(start, end)
    calls.clear()
    ui.key(K.Key_1)
    assert window.propagation.pending is None
    assert [(s.start, s.state) for s in window.text_view.spans()] == [(start, "manual")]
    assert rows(window) == [] and calls == [] and window.deferred_table.behind
    qtbot.waitUntil(lambda: not window.deferred_table.behind)
    assert rows(window) == stored(window) and len(calls) == 1
    assert window.entity_panel.selected_span_id() == window.text_view.current_span().id


def test_with_a_propagation_the_table_catches_up_once_with_both(window, ui, qtbot, doc, calls):
    ui.drag(*ui.find(NAME))
    calls.clear()
    ui.key(K.Key_1)
    assert window.propagation.pending is not None and calls == []
    qtbot.waitUntil(lambda: window.propagation.pending is None and not window.deferred_table.behind)
    qtbot.wait(20)  # a second catch-up, if one were due, would have come by now
    assert [state for *_, state in rows(window)] == ["manual", SUGGESTED]
    assert rows(window) == stored(window)
    assert len(calls) == 1  # the table re-done once, not for the label and again for the propagation
    # The review went on to the propagated suggestion; the table selects it.
    assert window.entity_panel.selected_span_id() == window.text_view.current_span().id == rows(window)[1][0]


def test_review_keys_in_a_row_leave_the_table_equal_and_on_the_current_span(window, ui, qtbot, doc):
    window.project.replace_suggestions(doc, _suggestions(window), "m")
    window.show_document(doc)
    ui.key(K.Key_Return)  # accept the first, on to the next
    ui.key(K.Key_X)  # reject it, on to the next: no turn in between
    ui.key(K.Key_Tab)  # the current span moves while the table is behind
    current = window.text_view.current_span().id
    qtbot.waitUntil(lambda: not window.deferred_table.behind and window.propagation.pending is None)
    assert rows(window) == stored(window)
    assert window.entity_panel.selected_span_id() == window.text_view.current_span().id
    assert current in [r[0] for r in rows(window)]


def test_a_document_shown_while_the_table_is_behind_is_not_overwritten(window, ui, qtbot, doc):
    ui.drag(*ui.find("สมหญิง รักดี"))
    ui.key(K.Key_1)
    assert window.deferred_table.behind
    window.show_document(1)
    assert not window.deferred_table.behind
    qtbot.wait(20)
    assert rows(window) == stored(window) and window.doc_id == 1


def _suggestions(window):
    from annotator.core.model import SpanData

    text = window.document.text
    out = []
    for string, label in ((NAME, "PERSON"), ("สมหญิง รักดี", "PERSON"), ("นายวิชัย มั่นคง", "PERSON")):
        at = text.index(string)
        out.append(SpanData(at, at + len(string), label, origin="model", confidence=0.7))
    return out
