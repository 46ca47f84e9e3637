"""Lines break between the project's words, never inside one; offsets stay the stored
text's whatever the view shows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from annotator.core.model import DocumentData
from annotator.gui.text_offsets import LINE_BREAK
from annotator.nlp.tokenizer import tokenize

K = Qt.Key
M = Qt.KeyboardModifier

# A long paragraph of words that Qt (libthai) likes to split: ทำเนียบรัฐบาล, อุตสาหกรรม, ภูเก็ต.
PARAGRAPH = (
    "นายกรัฐมนตรีเดินทางจากทำเนียบรัฐบาลไปประชุมกับกระทรวงอุตสาหกรรมและบริษัทพัฒนาเมืองภูเก็ตจำกัด "
    "เพื่อหารือเรื่องเมืองอัจฉริยะและการลงทุนด้านโครงสร้างพื้นฐานดิจิทัลในจังหวัดภูเก็ตและจังหวัดเชียงใหม่ "
    "โดยสำนักงานส่งเสริมเศรษฐกิจดิจิทัลจะสนับสนุนงบประมาณสำหรับโครงการนำร่องในปีงบประมาณหน้า"
)
TEXT = "หัวข่าว\n" + PARAGRAPH + "\r\n" + PARAGRAPH + "\n"


def line_starts(view):
    """Code-point offsets where each visual line starts (as Qt laid them out)."""
    doc = view.document()
    starts = []
    block = doc.begin()
    while block.isValid():
        layout = block.layout()
        for i in range(layout.lineCount()):
            starts.append(view.offsets.to_py(block.position() + layout.lineAt(i).textStart()))
        block = block.next()
    return starts


def open_narrow(window, qtbot, width=520):
    doc_id = window.project.add_document(DocumentData(TEXT, {}, []))
    window.list_panel.refresh() if hasattr(window.list_panel, "refresh") else None
    window.resize(width + 700, 800)
    window.show_document(doc_id)
    window.text_view.setFixedWidth(width)
    qtbot.waitUntil(lambda: bool(window.text_view.offsets.breaks), timeout=2000)
    return doc_id


def test_lines_break_only_between_words(window, qtbot):
    open_narrow(window, qtbot)
    view = window.text_view
    token_starts = {s for s, _ in tokenize(TEXT)} | {len(TEXT)}  # the empty last paragraph
    starts = line_starts(view)
    assert len(starts) > 8  # the paragraphs really wrap
    assert all(s in token_starts for s in starts), [TEXT[s - 3:s + 3] for s in starts if s not in token_starts]
    # Qt added no break of its own: every visual line starts after ours or a paragraph.
    doc = view.document()
    breaks = sum(1 for i in range(doc.characterCount()) if doc.characterAt(i) == LINE_BREAK)
    assert breaks == len(view.offsets.breaks) and len(starts) == breaks + doc.blockCount()


def test_a_selection_across_a_shown_break_is_labelled_with_stored_offsets(window, ui, qtbot):
    doc_id = open_narrow(window, qtbot)
    view = window.text_view
    b = view.offsets.breaks[0]
    grid = view.grid()
    start, end = grid.prev_word_start(b), grid.next_word_end(b)  # straddles the first shown break
    view.select_range(start, end, exact=True)
    view.setFocus()
    ui.key(K.Key_1)  # PERSON
    (span,) = [s for s in window.project.spans(doc_id) if s.label == "PERSON" and s.state == "manual"]
    assert (span.start, span.end) == (start, end)
    # Copy gives the stored text, without the shown break.
    view.select_range(start, end, exact=True)
    view.copy()
    assert QApplication.clipboard().text() == TEXT[start:end]


def test_a_wider_view_wraps_again(window, qtbot):
    open_narrow(window, qtbot, width=420)
    view = window.text_view
    narrow = list(view.offsets.breaks)
    view.setFixedWidth(900)
    qtbot.waitUntil(lambda: view.offsets.breaks != narrow and len(view.offsets.breaks) < len(narrow), timeout=2000)
    token_starts = {s for s, _ in tokenize(TEXT)} | {len(TEXT)}  # the empty last paragraph
    assert all(s in token_starts for s in line_starts(view))


def test_the_crlf_paragraph_keeps_its_offsets(window, ui, qtbot):
    doc_id = open_narrow(window, qtbot)
    view = window.text_view
    second = TEXT.index(PARAGRAPH, len("หัวข่าว\n") + 1)
    needle = "ภูเก็ต"
    start = TEXT.index(needle, second)
    view.select_range(start, start + len(needle))
    view.setFocus()
    ui.key(K.Key_3)  # LOCATION
    spans = [s for s in window.project.spans(doc_id) if s.label == "LOCATION"]
    assert any((s.start, s.end) == (start, start + len(needle)) for s in spans)


def test_label_tags_are_counted_in_the_line_width(window, ui, qtbot):
    doc_id = open_narrow(window, qtbot)
    view = window.text_view
    from annotator.core.model import SpanData

    words = ["ทำเนียบรัฐบาล", "กระทรวงอุตสาหกรรม", "ภูเก็ต", "เชียงใหม่", "สำนักงานส่งเสริมเศรษฐกิจดิจิทัล"]
    spans = []
    for word in words:
        at = TEXT.find(word)
        while at >= 0:
            spans.append(SpanData(at, at + len(word), "LOCATION" if len(word) < 10 else "ORGANIZATION",
                                  origin="model", confidence=0.5))
            at = TEXT.find(word, at + 1)
    window.project.add_suggestions(doc_id, spans, "test")
    window.show_document(doc_id)
    qtbot.waitUntil(lambda: bool(view.offsets.breaks), timeout=2000)
    token_starts = {s for s, _ in tokenize(TEXT)} | {len(TEXT)}
    starts = line_starts(view)
    assert all(s in token_starts for s in starts)
    doc = view.document()
    breaks = sum(1 for i in range(doc.characterCount()) if doc.characterAt(i) == LINE_BREAK)
    assert len(starts) == breaks + doc.blockCount()  # no line Qt had to break again
    # Accepting every suggestion keeps it so (tags change look, not width).
    ui.key(K.Key_A, M.ShiftModifier)
    assert all(s in token_starts for s in line_starts(view))


def with_suggestions(window, text, words, label):
    """A new document whose every occurrence of ``words`` is a suggestion of ``label``."""
    from annotator.core.model import SpanData

    doc_id = window.project.add_document(DocumentData(text, {}, []))
    spans = []
    for word in words:
        at = text.find(word)
        while at >= 0:
            spans.append(SpanData(at, at + len(word), label, origin="model", confidence=0.5))
            at = text.find(word, at + 1)
    window.project.add_suggestions(doc_id, spans, "test")
    return doc_id


def block_formats(view):
    out = []
    block = view.document().begin()
    while block.isValid():
        out.append([(f.start, f.length, f.format.fontLetterSpacing(), f.format.background().color().name())
                    for f in block.layout().formats()])
        block = block.next()
    return out


def test_highlights_stay_right_when_lines_are_broken_again(window, ui, qtbot):
    """Re-breaking paragraphs edits the shown text; every block's highlight must then be
    what a fresh pass gives (the blocks after an edited one included)."""
    # Two wrapped paragraphs with short ones between: Qt redoes only the block after an
    # edited one, so the second long paragraph shows whether the shift is right.
    text = PARAGRAPH + "\nสั้น\n\nสั้นมาก\n" + PARAGRAPH + "\n"
    doc_id = with_suggestions(window, text, ("ทำเนียบรัฐบาล", "ภูเก็ต", "เชียงใหม่"), "LOCATION")
    view = window.text_view
    view.setFixedWidth(900)
    window.show_document(doc_id)
    first = list(view.offsets.breaks)
    view.setFixedWidth(430)
    qtbot.waitUntil(lambda: view.offsets.breaks != first, timeout=2000)
    shown = block_formats(view)
    view.highlighter.rehighlight()
    assert shown == block_formats(view)
    assert any(shown)  # there were highlights to compare


def test_a_relabel_that_moves_line_breaks_leaves_every_highlight_right(window, ui, qtbot):
    """A longer label's tag re-breaks its paragraph; each block is highlighted once, and
    right (the blocks Qt redid while re-breaking are not redone)."""
    text = PARAGRAPH + "\nสั้น\n" + PARAGRAPH + "\n"
    doc_id = with_suggestions(window, text, ("ทำเนียบรัฐบาล", "ภูเก็ต", "เชียงใหม่", "กระทรวงอุตสาหกรรม"), "DATE")
    view = window.text_view
    view.setFixedWidth(520)
    window.show_document(doc_id)
    qtbot.waitUntil(lambda: bool(view.offsets.breaks), timeout=2000)
    moved = False
    for _ in range(6):  # relabel as ORGANIZATION (a longer tag), moving on each time
        before = list(view.offsets.breaks)
        ui.key(K.Key_2)
        moved |= view.offsets.breaks != before
    assert moved  # some relabel did re-break a paragraph
    shown = block_formats(view)
    view.highlighter.rehighlight()
    assert shown == block_formats(view)


def test_spans_placed_again_after_breaks_moved_are_where_a_fresh_placement_puts_them():
    """Breaks come and go in a few paragraphs after an edit: the spans kept are shifted,
    not placed from scratch; they must be where placing them from scratch puts them."""
    import random

    from annotator.core.model import Span
    from annotator.gui.text_offsets import OffsetMap
    from annotator.gui.widgets.text_view import _placement

    rng = random.Random(7)
    text = "".join(rng.choice("กขคงจ \n😀") for _ in range(400))
    for _ in range(200):
        spans = []
        for k in range(40):
            a = rng.randrange(len(text) - 1)
            spans.append(Span(k, 1, a, rng.randrange(a + 1, min(len(text), a + 12) + 1), "PERSON", "suggested", "model"))
        old_breaks = sorted(rng.sample(range(1, len(text)), 30))
        new_breaks = list(old_breaks)
        at = rng.randrange(len(new_breaks))  # breaks move in one stretch of the text
        for i in range(at, min(len(new_breaks), at + rng.randrange(1, 4))):
            new_breaks[i] += rng.choice((-2, -1, 1, 2))
        if rng.random() < 0.5:
            new_breaks.insert(at, max(1, new_breaks[at] - 3))
        new_breaks = sorted(set(b for b in new_breaks if 0 < b < len(text)))
        old = _placement(text, OffsetMap(text, old_breaks), spans, {}, {})
        shifted = _placement(text, OffsetMap(text, new_breaks), spans, {}, old, old_breaks)
        assert shifted == _placement(text, OffsetMap(text, new_breaks), spans, {}, {})


def test_tag_widths_kept_between_edits_are_those_worked_out_afresh():
    """The tags' widths are kept from one keystroke to the next (a span that is the same
    object costs a lookup); after any run of edits they must be what working them out
    afresh gives, and the places said to have changed must be every place that did."""
    import random
    from dataclasses import replace
    from types import SimpleNamespace

    from annotator.core.model import Span
    from annotator.gui.widgets.text_view import _TagExtras

    rng = random.Random(5)
    text = "".join(rng.choice("กขคงจ่้ำ ") for _ in range(300))
    width = {"PERSON": 40.0, "LOCATION": 63.5, "ORGANIZATION": 91.25}

    def style_for(span):
        return SimpleNamespace(tag_width=width[span.label])

    def fresh(spans):
        made = _TagExtras({})
        made.update(spans, text, {}, style_for)
        return made.extra

    spans = [Span(k, 1, a, a + rng.randrange(1, 6), "PERSON", "suggested", "model")
             for k, a in enumerate(rng.sample(range(290), 30))]
    kept = _TagExtras({})
    assert kept.update(spans, text, {}, style_for) is None  # the first time: everything
    next_id = 100
    for _ in range(300):
        spans = list(spans)
        before = dict(kept.extra)
        for _ in range(rng.randrange(1, 4)):
            i = rng.randrange(len(spans))
            kind = rng.choice(["label", "state", "edge", "drop", "add"])
            s = spans[i]
            if kind == "label":
                spans[i] = replace(s, label=rng.choice(list(width)))
            elif kind == "state":
                spans[i] = replace(s, state=rng.choice(["accepted", "rejected", "suggested"]))
            elif kind == "edge":
                spans[i] = replace(s, end=min(len(text), s.end + rng.choice((-1, 1, 2))))
            elif kind == "drop" and len(spans) > 5:
                del spans[i]
            else:
                a = rng.randrange(290)
                spans.append(Span(next_id, 1, a, a + rng.randrange(1, 6), "LOCATION", "accepted", "manual"))
                next_id += 1
        changed = kept.update(spans, text, {}, style_for)
        assert kept.extra == fresh(spans)
        moved = {p for p in set(before) | set(kept.extra) if before.get(p) != kept.extra.get(p)}
        assert moved <= changed
    # The same spans read again from the project (equal, not the same objects): nothing
    # changed, so the wrapper has no run to look at again.
    before = dict(kept.extra)
    assert kept.update([replace(s) for s in spans], text, {}, style_for) == set()
    assert kept.extra == before
