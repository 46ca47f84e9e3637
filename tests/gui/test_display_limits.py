"""A document too large for the window is not shown, and the window says why at once."""

from __future__ import annotations

from annotator.core.model import DocumentData, SpanData
from annotator.gui.display_limits import MAX_PARAGRAPH_CHARS, MAX_SPANS

WORD = "นายสมชาย "


def many_spans(n: int, per_line: int = 40) -> DocumentData:
    parts, spans, pos = [], [], 0
    for i in range(n):
        if i and i % per_line == 0:
            parts.append("\n")
            pos += 1
        spans.append(SpanData(pos, pos + 8, "PERSON", origin="model", confidence=0.5))
        parts.append(WORD)
        pos += len(WORD)
    return DocumentData("".join(parts), {}, spans)


def test_more_spans_than_the_window_shows_is_refused_with_the_reason(window, qtbot):
    doc_id = window.project.add_document(many_spans(MAX_SPANS + 1))
    window.show_document(doc_id)
    assert window.doc_id == doc_id and window.document is None
    assert window.text_view.text == "" and window.text_view.spans() == []
    assert f"{MAX_SPANS + 1:,} spans" in window.text_view.placeholderText()
    assert "not shown" in window.header.text()
    # The next document opens as always.
    window.show_document(1)
    assert window.document is not None and window.text_view.spans()


def test_one_enormous_paragraph_is_refused(window):
    doc_id = window.project.add_document(DocumentData("ก" * (MAX_PARAGRAPH_CHARS + 1), {}, []))
    window.show_document(doc_id)
    assert window.document is None and "paragraph" in window.text_view.placeholderText()


def test_a_large_document_within_the_limits_is_shown(window):
    doc_id = window.project.add_document(many_spans(MAX_SPANS))
    window.show_document(doc_id)
    assert window.document is not None and len(window.text_view.spans()) == MAX_SPANS
