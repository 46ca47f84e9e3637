"""An edit changes the window by difference: the spans read back are only those where
the edit (and its propagation) can have changed any, the entity table inserts, removes
and repaints only the rows that changed, and the text view repaints only what changed.
Whatever is merged must equal a fresh read of the file."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from annotator.core.model import SUGGESTED
from annotator.gui.widgets.entity_panel import CONFIDENCE, LABEL, SpanTable, _row_steps
from annotator.gui.widgets.text_view import TextView
from annotator.store.project import Project

K = Qt.Key
WORD = "แพลตฟอร์มข้อมูลเมือง"  # twice in the first article: title and body


def shown(window) -> list[tuple]:
    return [(s.id, s.start, s.end, s.label, s.state) for s in window.spans]


def stored(window) -> list[tuple]:
    return [(s.id, s.start, s.end, s.label, s.state) for s in window.project.spans(window.doc_id)]


def in_table(window) -> list[tuple]:
    return [(s.id, s.start, s.end, s.label, s.state) for s in window.entity_panel.model.spans()]


@pytest.fixture
def counting(monkeypatch):
    """Calls of Project.spans and Project.tokens, by name."""
    calls: dict[str, int] = {"spans": 0, "tokens": 0}
    for name in calls:
        original = getattr(Project, name)

        def wrapper(self, *args, _name=name, _original=original, **kwargs):
            calls[_name] += 1
            return _original(self, *args, **kwargs)
        monkeypatch.setattr(Project, name, wrapper)
    return calls


def test_keystroke_with_propagation_reads_back_only_the_places_it_changed(window, counting, qtbot):
    text = window.text_view.text
    first = text.index(WORD)
    second = text.index(WORD, first + 1)
    window.text_view.grid()  # the view's tokens, as after any look at the text
    window.text_view.select_range(first, first + len(WORD), exact=True)
    model = window.entity_panel.model
    resets, inserted = [], []
    model.modelReset.connect(lambda: resets.append(1))
    model.rowsInserted.connect(lambda _parent, a, b: inserted.append((a, b)))
    counting.update(spans=0, tokens=0)
    window.apply_label("ORGANIZATION")

    def at_second():
        counting["spans"] -= 1  # this look
        return [s for s in window.project.spans(window.doc_id) if (s.start, s.end) == (second, second + len(WORD))]
    # The label is saved and shown before the propagation runs, in the event loop's next turn.
    assert at_second() == [] and window.propagation.pending is not None
    assert [(s.label, s.state) for s in window.text_view.spans() if s.start == first] == [("ORGANIZATION", "manual")]
    assert not any(s.start == second for s in window.text_view.spans())
    qtbot.waitUntil(lambda: window.propagation.pending is None)
    # Propagation suggested the second mention; nothing read the document's spans or
    # tokens whole: the window's own were used and merged with the places read again.
    assert [(s.state, s.origin) for s in at_second()] == [(SUGGESTED, "gazetteer")]
    assert counting == {"spans": 0, "tokens": 0}
    assert shown(window) == stored(window) == in_table(window)
    assert sorted(s.id for s in window.text_view.spans()) == [row[0] for row in sorted(stored(window))]
    # Two rows came in (the span made and the one propagated), without a reset.
    assert resets == [] and len(inserted) == 2


def test_every_edit_leaves_the_window_spans_equal_to_a_fresh_read(window, ui):
    view = window.text_view

    def check():
        ui.qtbot.waitUntil(lambda: not window.deferred_table.behind)  # the table follows in the next turn
        assert shown(window) == stored(window) == in_table(window)
        assert sorted((s.id, s.start, s.end, s.state) for s in view.spans()) == sorted(
            (s.id, s.start, s.end, s.state) for s in window.project.spans(window.doc_id))

    ui.key(K.Key_Tab)
    ui.key(K.Key_Return)  # accept
    check()
    ui.key(K.Key_X)  # reject the next
    check()
    ui.key(K.Key_BraceRight)  # start one word later
    check()
    ui.key(K.Key_Greater)  # end one word later
    check()
    ui.key(K.Key_3)  # relabel
    check()
    ui.key(K.Key_Delete)
    check()
    start, end = ui.find("สยามดาต้าลิงก์")  # a selection over an open suggestion's place
    view.select_range(start, end, exact=True)
    ui.key(K.Key_2)
    check()
    window.undo()
    check()


@pytest.fixture
def painted_rows(monkeypatch):
    """Rows the entity table paints (as pictures kept or drawn), in order."""
    rows: list[int] = []
    original = SpanTable._picture

    def picture(self, model, row, selected, geometry):
        rows.append(row)
        return original(self, model, row, selected, geometry)
    monkeypatch.setattr(SpanTable, "_picture", picture)
    return rows


def test_a_changed_span_repaints_its_row_only(painted_rows, window, qtbot):
    table = window.entity_panel.table
    model = window.entity_panel.model
    qtbot.waitUntil(lambda: table.isVisible())
    QApplication.processEvents()
    spans = list(window.spans)
    assert len(spans) >= 5
    relabelled = replace(spans[1], label="LOCATION", state="edited")
    painted_rows.clear()
    drawn = table.rows_drawn
    window.entity_panel.set_spans(window.document.text, [spans[0], relabelled, *spans[2:]])
    QApplication.processEvents()  # the paint of what changed
    # The row, and at most a pixel's worth of its neighbours (the grid line between), is
    # painted again: not the rows further down; only the changed row is drawn anew.
    assert 1 in painted_rows
    assert set(painted_rows) <= {0, 1, 2}
    assert table.rows_drawn == drawn + 1
    assert model.data(model.index(1, 1)) == "LOCATION"


def test_the_table_paints_what_its_rows_say(window, qtbot):
    """Each row's picture holds its label's colour swatch; the selected row is painted
    in the selection colour; a relabel changes the swatch painted."""
    panel = window.entity_panel
    table = panel.table
    qtbot.waitUntil(lambda: table.isVisible())
    QApplication.processEvents()
    spans = list(window.spans)
    colors = {label.name: QColor(label.color) for label in window.project.labels()}

    def pixel(row, column, dx):
        image = table.viewport().grab().toImage()
        x = table.columnViewportPosition(column) + dx
        y = table.rowViewportPosition(row) + table.rowHeight(row) // 2
        return image.pixelColor(x, y)

    swatch_x = SpanTable.MARGIN + SpanTable.SWATCH // 2
    assert pixel(1, LABEL, swatch_x) == colors[spans[1].label]
    panel.select_span(spans[1].id)
    QApplication.processEvents()
    assert pixel(1, CONFIDENCE, 2) == table.palette().highlight().color()
    assert pixel(2, CONFIDENCE, 2) == table.palette().base().color()
    other = next(name for name in colors if name != spans[2].label)
    panel.set_spans(window.document.text, [*spans[:2], replace(spans[2], label=other), *spans[3:]])
    QApplication.processEvents()
    assert pixel(2, LABEL, swatch_x) == colors[other]


def test_the_next_article_s_rows_are_drawn_while_the_reviewer_reads(window, qtbot):
    table = window.entity_panel.table
    qtbot.waitUntil(lambda: table.isVisible())
    first = window.doc_id
    following = window.list_panel.next_id(first)
    assert following is not None
    qtbot.waitUntil(lambda: following in window._prefetched, timeout=3000)  # idle time: prefetched
    drawn = table.rows_drawn
    window.step_document(True)
    QApplication.processEvents()
    assert window.doc_id == following and window.entity_panel.model.rowCount()
    assert table.rows_drawn == drawn  # every row on screen was drawn in advance


def test_row_steps_turn_the_old_ids_into_the_new():
    cases = [
        ([1, 2, 3], [1, 9, 2, 3]),
        ([1, 2, 3], [1, 3]),
        ([1, 2, 3, 4], [7, 1, 8, 3, 4, 9]),
        ([1, 2, 3], [4, 5]),
        ([], [1]),
    ]
    for old, new in cases:
        rows = list(old)
        for kind, at, items in _row_steps(old, new):
            if kind == "remove":
                del rows[at:at + items]
            else:
                rows[at:at] = items
        assert rows == new
    assert _row_steps([1, 2, 3], [2, 1, 3]) is None  # an order changed: the table resets


@pytest.fixture
def painted(monkeypatch):
    """Share of the text viewport each of its paints covers (patched before the window
    is made)."""
    areas: list[float] = []
    original = TextView.paintEvent

    def paint(self, e):
        whole = self.viewport().width() * self.viewport().height()
        areas.append(sum(r.width() * r.height() for r in e.region()) / whole)
        return original(self, e)
    monkeypatch.setattr(TextView, "paintEvent", paint)
    return areas


def test_review_keys_repaint_part_of_the_text_not_all_of_it(painted, window, ui, qtbot):
    qtbot.wait(300)  # the window settled: a re-wrap after the first resize, idle formatting
    qtbot.waitUntil(window.text_view.highlighting_done)
    ui.key(K.Key_Tab)  # the frame moves: the old one and the new one are painted
    QApplication.processEvents()
    painted.clear()
    ui.key(K.Key_Tab)
    QApplication.processEvents()
    assert painted and max(painted) < 0.5
    painted.clear()
    ui.key(K.Key_Return)  # accepted (fill and tag change), on to the next
    QApplication.processEvents()
    assert painted and max(painted) < 0.5
    painted.clear()
    ui.key(K.Key_4)  # relabelled
    QApplication.processEvents()
    assert painted and max(painted) < 0.5
    assert shown(window) == stored(window)
