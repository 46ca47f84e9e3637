"""The document list model and panel over a generated project of 2,000 documents."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil  # noqa: E402
import sqlite3  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from annotator.core.model import DocumentData, SpanData  # noqa: E402
from annotator.gui.models.document_list import (  # noqa: E402
    BLOCK,
    CACHE_ROWS,
    DATE,
    OPEN,
    DocIdRole,
    STATUS,
    TITLE,
    DocumentListModel,
)
from annotator.gui.widgets.document_list import DocumentListPanel  # noqa: E402
from annotator.store.project import Project  # noqa: E402

N_DOCS = 2000
STATUSES = ("new", "in_progress", "done", "skipped")
# Words that occur only where put on purpose below (the filler never contains them).
RARE = "สงกรานต์"  # a Thai word, in every 50th document
TWO = "ปู"  # a two-character Thai word (too short for a trigram index), in every 40th
FILLER = "รัฐบาลจัดประชุมเรื่องการพัฒนาเศรษฐกิจของประเทศ"


def _doc(i: int) -> tuple[DocumentData, dict]:
    title = f"ข่าวที่ {(i * 7919) % N_DOCS:04d}"  # titles in a different order from ids
    body = [title, "", FILLER]
    if i % 50 == 0:
        body.append(f"เทศกาล{RARE}ปีนี้")
    if i % 40 == 0:
        body.append(f"ชาวประมงจับ{TWO}ได้มาก")
    if i % 100 == 0:
        body.append("บริษัท HuaWei ลงนาม" if i % 200 else "บริษัท HUAWEI ลงนาม")
    text = "\n".join(body) + "\n"
    start = text.index(FILLER)
    spans = [SpanData(start, start + 6, "ORGANIZATION")]  # รัฐบาล
    if i % 3 == 0:
        spans.append(SpanData(start + 10, start + 16, "LOCATION"))
    date = None if i % 9 == 0 else f"2024-{(i % 12) + 1:02d}-{(i % 28) + 1:02d}"
    meta = {"title": title}
    if date:
        meta["date"] = date
    expected = {"title": title, "date": date, "status": STATUSES[i % 4], "text": text}
    return DocumentData(text, meta, spans), expected


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A 2,000-document project file (built once) and what each document should show."""
    path = tmp_path_factory.mktemp("doclist") / "big.annot"
    project = Project.create(path, annotator="tester")
    expected = {}
    with project.transaction():
        for i in range(1, N_DOCS + 1):
            data, exp = _doc(i)
            doc_id = project.add_document(data)
            expected[doc_id] = exp
        for doc_id, exp in expected.items():
            project.execute("UPDATE document_status SET status = ? WHERE doc_id = ?", (exp["status"], doc_id))
    # Review some LOCATION spans: every 5th document's are rejected (so it no longer counts
    # for the LOCATION filter), every 7th's accepted (still counts, no longer open).
    loc = project.label("LOCATION").id
    with project.transaction():
        project.execute("UPDATE spans SET state = 'rejected' WHERE label_id = ? AND doc_id % 5 = 0", (loc,))
        project.execute(
            "UPDATE spans SET state = 'accepted' WHERE label_id = ? AND doc_id % 7 = 0 AND doc_id % 5 != 0", (loc,)
        )
    for doc_id, exp in expected.items():
        exp["open"] = project.query("SELECT COALESCE((SELECT open_suggestions FROM document_counts WHERE doc_id = documents.id), 0) FROM documents WHERE id = ?", (doc_id,))[0][0]
    project.close()
    return path, expected


@pytest.fixture
def project(corpus, tmp_path):
    path = tmp_path / "copy.annot"
    shutil.copy(corpus[0], path)
    project = Project.open(path)
    yield project
    project.close()


@pytest.fixture
def expected(corpus):
    return corpus[1]


def ids_of(model: DocumentListModel) -> list[int]:
    return [model.doc_id_at(r) for r in range(model.rowCount())]


def small_project(tmp_path, n: int = 30) -> Project:
    project = Project.create(tmp_path / "small.annot", annotator="tester")
    for i in range(1, n + 1):
        project.add_document(_doc(i)[0])
    return project


# ------------------------------------------------------------------- the model
def test_model_passes_qt_model_tester(qtmodeltester, tmp_path):
    project = small_project(tmp_path)
    model = DocumentListModel(project)
    qtmodeltester.check(model, force_py=True)
    # Every way the id list changes goes through the tester's signal checks too.
    model.set_filter(status="new")
    model.sort(DATE, Qt.SortOrder.DescendingOrder)
    model.set_filter(text=RARE)
    model.set_filter()
    project.set_status(3, "done")
    model.refresh_document(3)
    project.add_document(DocumentData("เอกสารใหม่\n", {"title": "ใหม่"}))
    model.refresh()
    assert model.rowCount() == 31
    project.close()


def test_qt_cpp_model_tester_reports_nothing(qtmodeltester, qtlog, tmp_path):
    project = small_project(tmp_path)
    model = DocumentListModel(project)
    qtmodeltester.check(model)  # Qt's own tester: problems come out as warnings
    model.sort(TITLE, Qt.SortOrder.AscendingOrder)
    model.set_filter(label="LOCATION")
    model.refresh()
    assert not [r.message for r in qtlog.records if "FAIL" in r.message]
    project.close()


def test_all_documents_in_id_order(project, expected):
    model = DocumentListModel(project)
    assert ids_of(model) == sorted(expected)
    assert model.rowCount() == N_DOCS
    assert model.columnCount() == 4
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] == ["Title", "Date", "Status", "Open"]


def test_cells_show_the_database(project, expected):
    model = DocumentListModel(project)
    for row in (0, 1, 777, N_DOCS - 1):
        doc_id = model.doc_id_at(row)
        exp = expected[doc_id]
        cells = [model.data(model.index(row, c)) for c in range(4)]
        status_name = {"new": "New", "in_progress": "In progress", "done": "Done", "skipped": "Skipped"}
        assert cells == [exp["title"], exp["date"] or "", status_name[exp["status"]], exp["open"]]


@pytest.mark.parametrize("status", STATUSES)
def test_filter_by_status(project, expected, status):
    model = DocumentListModel(project)
    model.set_filter(status=status)
    assert ids_of(model) == sorted(d for d, e in expected.items() if e["status"] == status)


@pytest.mark.parametrize("column", [-1, STATUS, TITLE, OPEN])
def test_status_and_label_filters_together_under_every_sort(project, expected, column):
    # A status read from the status rows alone (no sort by a column of the documents) or
    # joined to the documents: the same documents either way.
    model = DocumentListModel(project)
    model.sort(column, Qt.SortOrder.AscendingOrder)
    for status in STATUSES:
        model.set_filter(status=status, label="LOCATION")
        want = {d for d, e in expected.items() if e["status"] == status and d % 3 == 0 and d % 5 != 0}
        assert set(ids_of(model)) == want and len(ids_of(model)) == len(want)


def test_filter_by_label_ignores_rejected_spans(project, expected):
    model = DocumentListModel(project)
    model.set_filter(label="LOCATION")
    want = sorted(d for d in expected if d % 3 == 0 and d % 5 != 0)
    assert ids_of(model) == want
    model.set_filter(label="ORGANIZATION")
    assert model.rowCount() == N_DOCS
    model.set_filter(label="PERSON")
    assert model.rowCount() == 0
    model.set_filter(label="NO_SUCH_LABEL")
    assert model.rowCount() == 0


@pytest.mark.parametrize("needle", [RARE, TWO, "huawei", "HuaWei", "ข่าวที่ 0042"])
def test_filter_by_text(project, expected, needle):
    model = DocumentListModel(project)
    model.set_filter(text=needle)
    if needle.isascii():  # Latin letters match in any case
        want = sorted(d for d, e in expected.items() if needle.lower() in e["text"].lower())
    else:
        want = sorted(d for d, e in expected.items() if needle in e["text"] or needle in e["title"])
    assert want  # the test means something
    assert ids_of(model) == want


def test_two_character_thai_search_is_exact(project, expected):
    model = DocumentListModel(project)
    model.set_filter(text=TWO)
    assert ids_of(model) == [d for d in sorted(expected) if d % 40 == 0]


def test_filters_combine(project, expected):
    model = DocumentListModel(project)
    model.set_filter(status="done", label="LOCATION", text=RARE)
    want = sorted(
        d for d, e in expected.items()
        if e["status"] == "done" and d % 3 == 0 and d % 5 != 0 and RARE in e["text"]
    )
    assert ids_of(model) == want
    assert model.filter == {"status": "done", "label": "LOCATION", "text": RARE}
    with pytest.raises(ValueError):
        model.set_filter(status="finished")


def _status_rank(status: str) -> int:
    return STATUSES.index(status)


@pytest.mark.parametrize(
    "column, key",
    [
        (TITLE, lambda d, e: (e["title"], d)),
        (DATE, lambda d, e: (e["date"] is None, e["date"] or "", d)),
        (STATUS, lambda d, e: (_status_rank(e["status"]), d)),
        (OPEN, lambda d, e: (e["open"], d)),
    ],
)
def test_sort_by_each_column(project, expected, column, key):
    model = DocumentListModel(project)
    model.sort(column, Qt.SortOrder.AscendingOrder)
    ascending = sorted(expected, key=lambda d: key(d, expected[d]))
    assert ids_of(model) == ascending
    model.sort(column, Qt.SortOrder.DescendingOrder)
    got = ids_of(model)
    if column == DATE:  # undated documents stay last either way
        dated = [d for d in ascending if expected[d]["date"] is not None]
        undated = [d for d in ascending if expected[d]["date"] is None]
        assert got == dated[::-1] + undated[::-1]
    else:
        assert got == ascending[::-1]
    model.sort(-1, Qt.SortOrder.AscendingOrder)
    assert ids_of(model) == sorted(expected)


def test_sort_keeps_the_filter(project, expected):
    model = DocumentListModel(project)
    model.set_filter(status="done")
    model.sort(OPEN, Qt.SortOrder.DescendingOrder)
    assert sorted(ids_of(model)) == sorted(d for d, e in expected.items() if e["status"] == "done")


def test_rows_are_fetched_lazily_and_cache_is_bounded(project):
    model = DocumentListModel(project)
    assert model.fetch_count == 0 and model.cached_rows() == 0  # ids only
    for row in range(N_DOCS):
        for column in range(4):
            model.flags(model.index(row, column))
        assert model.data(model.index(row, 0), DocIdRole) == model.doc_id_at(row)
    assert model.fetch_count == 0  # flags() and the id role never read a row

    model.data(model.index(1500, TITLE))  # not seen yet: one query for its block
    assert model.fetch_count == 1
    assert model.cached_rows() == BLOCK
    model.data(model.index(1501, DATE))  # same block: no query
    assert model.fetch_count == 1
    model.data(model.index(10, TITLE))
    assert model.fetch_count == 2

    for row in range(N_DOCS):  # read everything once: memory stays bounded
        model.data(model.index(row, TITLE))
    assert model.cached_rows() <= CACHE_ROWS < N_DOCS


def test_row_of_and_doc_id_at(project, expected):
    model = DocumentListModel(project)
    model.sort(TITLE, Qt.SortOrder.AscendingOrder)
    for row in (0, 5, 1999):
        assert model.row_of(model.doc_id_at(row)) == row
    model.set_filter(status="done")
    not_done = next(d for d, e in expected.items() if e["status"] != "done")
    assert model.row_of(not_done) is None


def test_refresh_document_updates_one_row(project, qtbot):
    model = DocumentListModel(project)
    row = model.row_of(2)
    assert model.data(model.index(row, STATUS)) == "Done"
    project.set_status(2, "skipped")
    assert model.data(model.index(row, STATUS)) == "Done"  # cached until told
    with qtbot.waitSignal(model.dataChanged) as signal:
        model.refresh_document(2)
    assert [i.row() for i in signal.args[:2]] == [row, row]
    assert model.data(model.index(row, STATUS)) == "Skipped"


def test_refresh_document_repaints_only_the_cells_that_changed(project):
    """An edit refreshes the shown document's row: a row shown as it was is not repainted,
    a changed status repaints its status cell alone."""
    model = DocumentListModel(project)
    row = model.row_of(2)
    model.data(model.index(row, TITLE))  # shown: in the cache
    changed = []
    model.dataChanged.connect(lambda a, b: changed.append((a.row(), a.column(), b.row(), b.column())))
    model.refresh_document(2)
    assert changed == []
    project.set_status(2, "skipped")
    model.refresh_document(2)
    assert changed == [(row, STATUS, row, STATUS)]
    assert model.data(model.index(row, STATUS)) == "Skipped"


def test_refresh_document_keeps_a_row_that_left_the_filter(project):
    model = DocumentListModel(project)
    model.set_filter(status="done")
    assert model.row_of(2) is not None
    project.set_status(2, "new")
    model.refresh_document(2)
    assert model.row_of(2) is not None  # the reviewer's place does not jump
    model.refresh()
    assert model.row_of(2) is None


def test_refresh_sees_new_and_deleted_documents(project):
    model = DocumentListModel(project)
    new_id = project.add_document(DocumentData("บทความใหม่\n", {"title": "ใหม่"}))
    with project.transaction():
        project.execute("DELETE FROM documents WHERE id = 5")
    model.data(model.index(model.row_of(5), TITLE))  # a row deleted under the model still answers
    model.refresh()
    assert model.rowCount() == N_DOCS
    assert model.row_of(new_id) == N_DOCS - 1 and model.row_of(5) is None


# ------------------------------------------------------------------- the panel
@pytest.fixture
def panel(qtbot, project):
    widget = DocumentListPanel(project)
    qtbot.addWidget(widget)
    widget.resize(700, 500)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_panel_shows_count_and_reads_only_visible_rows(panel):
    assert panel.count_label.text() == f"{N_DOCS:,} of {N_DOCS:,}"
    assert panel.model.rowCount() == N_DOCS
    # Painting the first screen read one or two blocks, not the project.
    assert 1 <= panel.model.fetch_count <= 2
    assert panel.model.cached_rows() <= 2 * BLOCK
    header = panel.view.verticalHeader()
    assert header.sectionResizeMode(0) == header.ResizeMode.Fixed
    assert not panel.view.wordWrap()


def test_a_row_whose_status_changed_is_painted_anew_and_shows_it(panel, qtbot, project):
    """The list paints rows from kept pictures: a document whose row reads differently
    gets a new picture, with the new status in it; the other rows are reused."""
    from PySide6.QtWidgets import QApplication

    from annotator.gui.widgets.pictured_table import DISPLAY, answers_from_data

    view, model = panel.view, panel.model
    QApplication.processEvents()
    row = model.row_of(2)
    drawn = view.rows_drawn
    project.set_status(2, "skipped")
    panel.refresh_document(2)
    view.viewport().repaint()
    assert view.rows_drawn == drawn + 1
    assert answers_from_data(model, row, model.columnCount())[DISPLAY][STATUS] == "Skipped"
    view.viewport().repaint()  # nothing changed since: every row found kept
    assert view.rows_drawn == drawn + 1


def test_clicking_a_row_emits_its_document(panel, qtbot):
    row = 3
    rect = panel.view.visualRect(panel.model.index(row, TITLE))
    with qtbot.waitSignal(panel.documentActivated) as signal:
        qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert signal.args == [panel.model.doc_id_at(row)]
    assert panel.current_document() == panel.model.doc_id_at(row)


def test_keyboard_moves_emit_documents(panel, qtbot):
    panel.select_document(10)
    panel.view.setFocus()
    with qtbot.waitSignal(panel.documentActivated) as signal:
        qtbot.keyClick(panel.view, Qt.Key.Key_Down)
    assert signal.args == [11]
    with qtbot.waitSignal(panel.documentActivated) as signal:
        qtbot.keyClick(panel.view, Qt.Key.Key_Up)
    assert signal.args == [10]


def test_select_document_and_neighbours(panel, qtbot):
    seen = []
    panel.documentActivated.connect(seen.append)
    assert panel.select_document(1234)
    assert panel.current_document() == 1234
    assert panel.select_document(1234)  # already current: announced once
    assert seen == [1234]
    assert panel.next_id(1234) == 1235 and panel.previous_id(1234) == 1233
    assert panel.previous_id(1) is None and panel.next_id(N_DOCS) is None
    index = panel.view.currentIndex()
    assert panel.view.visualRect(index).intersects(panel.view.viewport().rect())  # scrolled into view


def test_selecting_a_hidden_document_clears_the_list(panel, qtbot):
    panel.status_combo.setCurrentIndex(panel.status_combo.findData("done"))  # even ids 2, 6, 10...
    panel.select_document(2)
    seen = []
    panel.documentActivated.connect(seen.append)
    assert not panel.select_document(3)  # skipped: not in the list
    assert panel.current_document() is None
    rect = panel.view.visualRect(panel.model.index(panel.model.row_of(2), TITLE))
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert seen == [2]  # going back to the row that was current still opens it


def test_neighbours_follow_the_sort(panel, qtbot):
    panel.view.sortByColumn(TITLE, Qt.SortOrder.AscendingOrder)
    model = panel.model
    doc = model.doc_id_at(100)
    assert panel.next_id(doc) == model.doc_id_at(101)
    assert panel.previous_id(doc) == model.doc_id_at(99)


def test_status_filter_keeps_the_current_document(panel, qtbot, expected):
    panel.select_document(3)  # 3 % 4 == 3: skipped
    panel.status_combo.setCurrentIndex(panel.status_combo.findData("skipped"))
    n = sum(1 for e in expected.values() if e["status"] == "skipped")
    assert panel.count_label.text() == f"{n:,} of {N_DOCS:,}"
    assert panel.view.verticalHeader().count() == n  # the view followed the new row count
    assert panel.current_document() == 3
    assert panel.view.selectionModel().isRowSelected(panel.model.row_of(3))


def test_label_filter_from_the_combo(panel, expected):
    panel.label_combo.setCurrentIndex(panel.label_combo.findData("LOCATION"))
    assert ids_of(panel.model) == sorted(d for d in expected if d % 3 == 0 and d % 5 != 0)
    panel.label_combo.setCurrentIndex(0)
    assert panel.model.rowCount() == N_DOCS


def test_search_box_filters_after_a_pause(panel, qtbot, expected):
    qtbot.keyClicks(panel.search_edit, "huawei")  # real key events (QTest cannot type Thai)
    assert panel.model.rowCount() == N_DOCS  # not per key
    want = sum(1 for e in expected.values() if "huawei" in e["text"].lower())
    qtbot.waitUntil(lambda: panel.model.rowCount() == want)
    assert panel.count_label.text() == f"{want:,} of {N_DOCS:,}"
    panel.search_edit.clear()
    qtbot.waitUntil(lambda: panel.model.rowCount() == N_DOCS)


def test_search_box_thai_word(panel, qtbot):
    for ch in RARE:  # one character at a time, as an input method delivers them
        panel.search_edit.insert(ch)
    qtbot.waitUntil(lambda: panel.model.rowCount() == N_DOCS // 50)
    assert panel.model.filter["text"] == RARE


def test_next_after_the_current_document_left_the_list(panel, project):
    panel.status_combo.setCurrentIndex(panel.status_combo.findData("done"))
    ids = ids_of(panel.model)
    current = ids[10]
    panel.select_document(current)
    project.set_status(current, "skipped")
    panel.refresh()
    assert panel.model.row_of(current) is None
    assert panel.next_id(current) == ids[11]
    assert panel.previous_id(current) == ids[9]


def test_refresh_rereads_labels_and_count(panel, project):
    project.add_label("PRODUCT")
    project.add_document(DocumentData("สินค้าใหม่\n", {"title": "สินค้า"}))
    panel.refresh()
    assert panel.label_combo.findData("PRODUCT") > 0
    assert panel.count_label.text() == f"{N_DOCS + 1:,} of {N_DOCS + 1:,}"


def test_removed_label_drops_its_filter(panel, project):
    project.add_label("PRODUCT")
    panel.refresh()
    panel.label_combo.setCurrentIndex(panel.label_combo.findData("PRODUCT"))
    assert panel.model.rowCount() == 0
    project.remove_label("PRODUCT")
    panel.refresh()
    assert panel.label_combo.currentData() is None
    assert panel.model.rowCount() == N_DOCS


def test_set_filter_from_code(panel):
    panel.set_filter(status="done", text=RARE)
    assert panel.status_combo.currentData() == "done"
    assert panel.search_edit.text() == RARE
    assert panel.model.filter == {"status": "done", "label": None, "text": RARE}


def test_refresh_document_shows_new_status(panel, project):
    panel.select_document(8)
    project.set_status(8, "done")
    panel.refresh_document(8)
    row = panel.model.row_of(8)
    assert panel.model.data(panel.model.index(row, STATUS)) == "Done"
    assert sqlite3.connect(project.path).execute("SELECT status FROM document_status WHERE doc_id = 8").fetchone() == ("done",)


def test_shift_tab_from_the_list_reaches_the_search_field(qtbot, tmp_path):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from annotator.gui.main_window import MainWindow

    project = small_project(tmp_path, 5)
    win = MainWindow(project, remember=False)
    qtbot.addWidget(win)
    win.show()
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    panel = win.list_panel
    panel.view.setFocus()
    qtbot.waitUntil(panel.view.hasFocus)
    qtbot.keyClick(panel.view, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert panel.search_edit.hasFocus()
    project.close()
