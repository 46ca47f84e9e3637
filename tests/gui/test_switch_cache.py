"""What the text view keeps between switches (tokens, widths, line breaks per text, the
documents prefetched next) and what it formats late (blocks off screen) must always give
what a fresh pass gives: after edits, switches away and back, undo, zoom and resize."""

from __future__ import annotations

from PySide6.QtCore import Qt

from annotator.core.model import DocumentData, SpanData
from tests.gui.test_wrapping import PARAGRAPH, block_formats

K = Qt.Key
M = Qt.KeyboardModifier

WORDS = ("ทำเนียบรัฐบาล", "ภูเก็ต", "เชียงใหม่", "กระทรวงอุตสาหกรรม", "งบประมาณ")


def long_article(window, copies=40, label="LOCATION"):
    """A document of ``copies`` wrapped paragraphs (far more than one screen), every
    occurrence of WORDS a suggestion."""
    text = "หัวข่าวยาว\n\n" + "\n".join(f"{k} " + PARAGRAPH for k in range(copies)) + "\n"
    doc_id = window.project.add_document(DocumentData(text, {"title": "ยาว"}, []))
    spans = []
    for word in WORDS:
        at = text.find(word)
        while at >= 0:
            spans.append(SpanData(at, at + len(word), label, origin="model", confidence=0.5))
            at = text.find(word, at + 1)
    window.project.add_suggestions(doc_id, spans, "test")
    window.list_panel.refresh()
    return doc_id


def settle(view, qtbot):
    """Wait until every block carries its formats (the off-screen ones come in idle time)."""
    qtbot.waitUntil(view.highlighting_done, timeout=5000)


def fresh(view):
    """(breaks, per-block formats) of a pass from scratch: nothing kept, every block formatted."""
    spans, text, tokens = view.spans(), view.text, view.grid().tokens
    view.forget_prepared()
    view.set_document(text, spans, tokens=lambda: tokens)
    view.highlighter.rehighlight()
    return list(view.offsets.breaks), block_formats(view)


def shown(view, qtbot):
    settle(view, qtbot)
    return list(view.offsets.breaks), block_formats(view)


def test_a_long_article_formats_the_screen_first_and_the_rest_in_idle_time(window, qtbot):
    view = window.text_view
    view.setFixedWidth(520)
    doc_id = long_article(window)
    window.show_document(doc_id)
    assert view.highlighter.pending  # the blocks below the screen are not formatted yet
    doc = view.document()
    on_screen = doc.findBlockByNumber(2)  # the first paragraph, under the title
    assert view.firstVisibleBlock().blockNumber() == 0 and on_screen.layout().formats()  # formatted at once
    assert doc.lastBlock().previous().blockNumber() in view.highlighter.pending  # far below: later
    got = shown(view, qtbot)
    assert any(got[1]) and got[0]
    assert got == fresh(view)


def test_edit_switch_away_and_back_gives_a_fresh_pass(window, ui, qtbot):
    view = window.text_view
    view.setFixedWidth(520)
    doc_id = long_article(window)
    window.show_document(doc_id)
    settle(view, qtbot)
    for _ in range(4):  # relabel as ORGANIZATION (a longer tag: paragraphs break again)
        ui.key(K.Key_2)
    confirmed = [s for s in window.project.spans(doc_id) if s.label == "ORGANIZATION"]
    assert len(confirmed) >= 4  # it reached the database
    window.show_document(1)
    qtbot.wait(300)  # idle: the window prefetches
    window.show_document(doc_id)
    assert shown(view, qtbot) == fresh(view)


def test_undo_in_another_document_then_back_gives_a_fresh_pass(window, ui, qtbot):
    view = window.text_view
    view.setFixedWidth(520)
    doc_id = long_article(window)
    window.show_document(doc_id)
    settle(view, qtbot)
    first = view.current_span()
    ui.key(K.Key_2)  # relabel the first suggestion (confirmed as ORGANIZATION)
    assert window.project.span(first.id).label == "ORGANIZATION"
    window.show_document(1)
    qtbot.wait(300)
    while window.project.span(first.id).label != "LOCATION":  # undo: back on the long article
        ui.key(K.Key_Z, M.ControlModifier)
        assert window.doc_id == doc_id
    assert view.span(first.id).label == "LOCATION"
    assert shown(view, qtbot) == fresh(view)


def test_the_prefetched_next_document_shows_as_a_fresh_pass_would(window, qtbot):
    view = window.text_view
    view.setFixedWidth(520)
    doc_id = long_article(window)
    window.show_document(doc_id - 1)  # the list's next is the long article
    assert window.list_panel.next_id(doc_id - 1) == doc_id
    qtbot.waitUntil(lambda: any(t.startswith("หัวข่าวยาว") for t in view._prepared), timeout=3000)
    window.project.reject(window.project.spans(doc_id)[0].id)  # its spans change after the prefetch
    window.step_document(True)
    assert window.doc_id == doc_id
    assert view.span(window.project.spans(doc_id)[0].id).state == "rejected"
    assert shown(view, qtbot) == fresh(view)


def staged_text(view, doc_id, qtbot):
    """Wait for the window's idle time to stage the long article; its staged document."""
    qtbot.waitUntil(lambda: any(t.startswith("หัวข่าวยาว") for t in view._staged), timeout=3000)
    return next(staged.doc for t, staged in view._staged.items() if t.startswith("หัวข่าวยาว"))


def test_the_staged_next_document_is_shown_by_a_swap_and_as_a_fresh_pass_would(window, qtbot):
    view = window.text_view
    view.setFixedWidth(520)
    doc_id = long_article(window)
    window.show_document(doc_id - 1)
    staged = staged_text(view, doc_id, qtbot)
    first_screen = staged.findBlockByNumber(2)
    assert first_screen.layout().formats()  # its first screen formatted in idle time
    window.step_document(True)
    assert window.doc_id == doc_id
    assert view.document() is staged  # no new text for Qt to take in: the staged one shown
    assert shown(view, qtbot) == fresh(view)


def test_a_zoom_after_staging_shows_the_next_document_afresh(window, ui, qtbot):
    view = window.text_view
    view.setFixedWidth(520)
    doc_id = long_article(window)
    window.show_document(doc_id - 1)
    staged = staged_text(view, doc_id, qtbot)
    ui.key(K.Key_Plus, M.ControlModifier)  # staged with the old font and tags: stale
    window.step_document(True)
    assert view.document() is not staged
    assert shown(view, qtbot) == fresh(view)


def test_zoom_and_resize_then_back_give_a_fresh_pass(window, ui, qtbot):
    view = window.text_view
    view.setFixedWidth(520)
    doc_id = long_article(window)
    window.show_document(doc_id)
    settle(view, qtbot)
    ui.key(K.Key_Plus, M.ControlModifier)
    window.show_document(1)
    view.setFixedWidth(610)
    qtbot.wait(100)
    window.show_document(doc_id)
    assert shown(view, qtbot) == fresh(view)
    ui.key(K.Key_Minus, M.ControlModifier)
    assert shown(view, qtbot) == fresh(view)
