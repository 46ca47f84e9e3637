"""Model → Train through the real window; propagation after a confirm; least confident
first in the document list; the models and suggestion report."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "nlp"))

from ner_fixture import UNSEEN, UNSEEN_ENTITIES, add_gold  # noqa: E402

from annotator.core.model import DocumentData, SpanData  # noqa: E402
from annotator.gui.main_window import MainWindow  # noqa: E402
from annotator.gui.models.document_list import LEAST_CONFIDENT  # noqa: E402
from annotator.store.models import list_models  # noqa: E402
from annotator.store.project import Project  # noqa: E402

SECOND = "ข่าวสั้น นายอนุชา บุญมาก เยี่ยมชมสมาคมผู้ค้าข้าวไทย ที่อำเภอหาดใหญ่"
REPEATED = "นายสมชาย ใจดี เปิดงาน ต่อมา นายสมชาย ใจดี กล่าวขอบคุณ"


@pytest.fixture
def gold_window(qtbot, tmp_path):
    path = tmp_path / "gold.annot"
    with Project.create(path, annotator="tester") as project:
        add_gold(project)
        project.add_document(DocumentData(UNSEEN, {"title": "unseen"}))
        project.add_document(DocumentData(SECOND, {"title": "second"}))
    win = MainWindow(Project.open(path), remember=False)
    win.preannotate_workers = 1
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.jobs.cancel()
    win.jobs.wait(60_000)


def test_model_train_stores_a_model_and_resuggests_new_documents(qtbot, gold_window):
    win = gold_window
    project = win.project
    assert win.model_tools.from_bundled.isChecked()  # the default: on top of the bundled model
    win.commands["train_model"].trigger()
    assert win.jobs.wait(120_000)
    models = list_models(project)
    assert len(models) == 1 and models[0].base == "bundled" and models[0].documents > 30
    assert models[0].settings["params"]["algorithm"] == "ap"  # from bundled: the averaged perceptron
    trained, suggested = win.model_tools.last_train
    # A few held-out documents cannot show it is not worse: stored, but it does not take over.
    assert trained.version == "project-crf-1" and not trained.adopted and suggested is None
    assert "too little held-out gold" in win.statusBar().currentMessage()
    assert not any(project.spans(d) for d in project.document_ids() if project.document_status(d) == "new")
    # Model → Suggest with…: the reviewer chooses it, by keyboard, and it re-suggests.
    win.commands["choose_model"].trigger()
    dialog = win.model_tools.choice_dialog
    qtbot.waitExposed(dialog)
    dialog.activateWindow()  # as a window manager does; keys then go to the dialog, not the window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    assert dialog.list.currentItem().text().startswith("● Bundled")
    qtbot.keyClick(dialog.list, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.list, Qt.Key.Key_Return)
    assert win.jobs.wait(120_000)
    from annotator.store.models import suggesting_version

    assert suggesting_version(project) == "project-crf-1"
    new = [d for d in project.document_ids() if project.document_status(d) == "new"]
    spans = [s for d in new for s in project.spans(d)]
    assert spans and all(s.model_version.startswith("project-crf-1+") for s in spans)
    unseen = next(d for d in new if project.document(d).text == UNSEEN)
    found = {(UNSEEN[s.start:s.end], s.label) for s in project.spans(unseen)}
    assert UNSEEN_ENTITIES <= found
    assert "Suggestions now come from project-crf-1" in win.statusBar().currentMessage()
    # The report lists it.
    win.commands["model_report"].trigger()
    dialog = win.model_tools.report_dialog
    assert dialog is not None and dialog.models_table.rowCount() == 1
    assert dialog.models_table.item(0, 0).text() == "project-crf-1"
    assert dialog.report_table.item(dialog.report_table.rowCount() - 1, 0).text() == "all"
    dialog.close()


def test_training_from_scratch_and_cancelling(gold_window):
    win = gold_window
    win.model_tools.from_bundled.setChecked(False)
    assert win.project.get_setting("train_base") == "scratch"
    win.commands["train_model"].trigger()
    win.jobs.cancel()
    assert win.jobs.wait(60_000)
    assert list_models(win.project) == []
    assert "cancelled" in win.statusBar().currentMessage()


def test_accepting_suggests_the_same_text_elsewhere_in_the_document(qtbot, project):
    doc = project.add_document(DocumentData(REPEATED))
    first = REPEATED.index("นายสมชาย ใจดี")
    project.replace_suggestions(doc, [SpanData(first, first + 13, "PERSON", origin="model", confidence=0.8)], "m")
    win = MainWindow(project, remember=False)
    qtbot.addWidget(win)
    win.show()
    win.show_document(doc)
    win.text_view.setFocus()
    qtbot.waitUntil(win.text_view.hasFocus)
    qtbot.keyClick(win.text_view, Qt.Key.Key_Tab)
    rereads = []
    reread = win.reread
    win.reread = lambda *a, **k: (rereads.append(a), reread(*a, **k))
    qtbot.keyClick(win.text_view, Qt.Key.Key_A)
    second = REPEATED.index("นายสมชาย ใจดี", first + 1)
    assert [s.state for s in project.spans(doc)] == ["accepted"]  # the accept, shown at once
    assert len(rereads) == 1 and "No open suggestions left" in win.statusBar().currentMessage()
    qtbot.waitUntil(lambda: win.propagation.pending is None)  # then, in the next turn, its propagation
    opened = [s for s in project.spans(doc) if s.state == "suggested"]
    assert [(s.start, s.label, s.origin) for s in opened] == [(second, "PERSON", "gazetteer")]
    # Each shown by a re-read of only the places it changed (counted in test_incremental_updates.py).
    assert len(rereads) == 2 and all(spans is not None for _, spans in rereads)
    assert sorted(s.id for s in win.text_view.spans()) == sorted(s.id for s in project.spans(doc))
    assert win.text_view.current_span().id == opened[0].id  # the review goes on to it
    assert "1 more time" in win.statusBar().currentMessage()
    # Model → Suggest this span everywhere, with the accepted span selected.
    other = project.add_document(DocumentData("วันนี้ นายสมชาย ใจดี มาอีก"))
    win.text_view.set_current_span(project.spans(doc)[0].id)
    win.commands["propagate_everywhere"].trigger()
    assert win.jobs.wait(30_000)
    assert [s.label for s in project.spans(other)] == ["PERSON"]


def test_document_list_least_confident_first(qtbot, tmp_path):
    project = Project.create(tmp_path / "queue.annot")
    ids = []
    for title, conf in (("a", 0.9), ("b", 0.2), ("c", None), ("d", 0.5)):
        text = f"ข่าว {title} นายสมชาย ใจดี"
        doc = project.add_document(DocumentData(text, {"title": title}))
        if conf is not None:
            start = text.index("นาย")
            project.replace_suggestions(doc, [SpanData(start, len(text), "PERSON", origin="model",
                                                       confidence=conf)], "m")
        ids.append(doc)
    win = MainWindow(project, remember=False)
    qtbot.addWidget(win)
    panel = win.list_panel
    panel.order_combo.setCurrentIndex(panel.order_combo.findData("least-confident"))
    assert list(panel.model.ids()) == [ids[1], ids[3], ids[0], ids[2]]
    assert panel.model._sort_column == LEAST_CONFIDENT
    # Clicking a column replaces the review order; choosing document order restores ids.
    panel.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert panel.order_combo.currentData() == "document"
    assert panel.order_combo.currentText() == "By title ↓"  # says what the list is sorted by
    panel.set_order("least-confident")
    assert list(panel.model.ids()) == [ids[1], ids[3], ids[0], ids[2]]
    assert panel.view.horizontalHeader().sortIndicatorSection() == -1
    panel.set_order("document")
    assert list(panel.model.ids()) == ids
