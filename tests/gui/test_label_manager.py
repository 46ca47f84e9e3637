"""The label manager, driven through its widgets; every change is checked in the file.
Also the shortcuts dialog (the other small table dialog)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sqlite3  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402

from annotator.core.model import DocumentData, SpanData  # noqa: E402
from annotator.gui.dialogs.label_manager import COLOR, HOTKEY, NAME, SPANS, LabelManagerDialog  # noqa: E402
from annotator.gui.dialogs.shortcuts import ShortcutsDialog  # noqa: E402
from annotator.store.project import Project  # noqa: E402

TEXT = "นายสมชาย ใจดี เดินทางไปจังหวัดเชียงใหม่\n"


@pytest.fixture
def project(tmp_path):
    project = Project.create(tmp_path / "labels.annot", annotator="tester")
    project.add_document(DocumentData(TEXT, {"title": "ข่าว"}, [
        SpanData(0, 13, "PERSON"),
        SpanData(TEXT.index("จังหวัด"), TEXT.index("\n"), "LOCATION"),
    ]))
    yield project
    project.close()


class Answers:
    """Stands in for the modal colour and confirmation dialogs."""

    def __init__(self):
        self.color: QColor | None = None
        self.confirm = True
        self.questions: list[str] = []

    def choose_color(self, initial, parent):
        return self.color

    def ask(self, title, question):
        self.questions.append(question)
        return self.confirm


@pytest.fixture
def answers():
    return Answers()


@pytest.fixture
def dialog(qtbot, project, answers):
    dlg = LabelManagerDialog(project, None, choose_color=answers.choose_color, confirm=answers.ask)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    return dlg


def file_labels(project) -> dict[str, tuple]:
    """The labels as another connection reads them from the file: committed or not there."""
    with sqlite3.connect(project.path) as conn:
        rows = conn.execute("SELECT name, color, hotkey, description FROM labels").fetchall()
    return {r[0]: r[1:] for r in rows}


def row_of(dialog, name):
    for row in range(dialog.table.rowCount()):
        if dialog.table.item(row, NAME).text() == name:
            return row
    return None


def type_into(qtbot, edit, text):
    edit.clear()
    if text.isascii():
        qtbot.keyClicks(edit, text)
    else:
        edit.insert(text)  # QTest cannot type Thai


def test_table_lists_labels_with_counts(dialog, project):
    assert dialog.table.rowCount() == len(project.labels())
    row = row_of(dialog, "PERSON")
    assert dialog.table.item(row, SPANS).text() == "1"
    assert dialog.table.item(row, HOTKEY).text() == "1"
    assert dialog.table.item(row, COLOR).text() == project.label("PERSON").color
    assert dialog.table.item(row_of(dialog, "MONEY"), SPANS).text() == "0"


def test_add_label(dialog, project, qtbot):
    type_into(qtbot, dialog.new_name_edit, "PRODUCT")
    with qtbot.waitSignal(dialog.labelsChanged):
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert "PRODUCT" in file_labels(project)
    assert row_of(dialog, "PRODUCT") is not None
    assert dialog.selected_name() == "PRODUCT"
    assert dialog.new_name_edit.text() == ""
    assert dialog.error_label.isHidden()


def test_add_refused_shows_error_inline(dialog, project, qtbot):
    type_into(qtbot, dialog.new_name_edit, "PERSON")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.error_label.isVisible()
    assert "already exists" in dialog.error_label.text()
    type_into(qtbot, dialog.new_name_edit, "TWO WORDS")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert "one word" in dialog.error_label.text()
    assert "TWO" not in file_labels(project) and "TWO WORDS" not in file_labels(project)


def test_rename_keeps_spans(dialog, project, qtbot):
    dialog.select_label("PERSON")
    type_into(qtbot, dialog.name_edit, "PER")
    with qtbot.waitSignal(dialog.labelsChanged):
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    labels = file_labels(project)
    assert "PER" in labels and "PERSON" not in labels
    assert [s.label for s in project.spans(1)] == ["PER", "LOCATION"]
    assert dialog.selected_name() == "PER"
    assert dialog.table.item(row_of(dialog, "PER"), SPANS).text() == "1"


def test_recolour(dialog, project, qtbot, answers):
    dialog.select_label("LOCATION")
    answers.color = QColor("#123456")
    qtbot.mouseClick(dialog.color_button, Qt.MouseButton.LeftButton)
    assert file_labels(project)["LOCATION"][0] == "#123456"
    assert dialog.table.item(row_of(dialog, "LOCATION"), COLOR).text() == "#123456"


def test_recolour_cancelled_changes_nothing(dialog, project, qtbot, answers):
    before = file_labels(project)["LOCATION"]
    dialog.select_label("LOCATION")
    answers.color = None
    qtbot.mouseClick(dialog.color_button, Qt.MouseButton.LeftButton)
    assert file_labels(project)["LOCATION"] == before


def test_hotkey_and_description(dialog, project, qtbot):
    dialog.select_label("MONEY")
    type_into(qtbot, dialog.hotkey_edit, "m")
    type_into(qtbot, dialog.description_edit, "จำนวนเงิน")
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert file_labels(project)["MONEY"][1:] == ("m", "จำนวนเงิน")
    dialog.hotkey_edit.clear()
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert file_labels(project)["MONEY"][1] is None


def test_hotkey_is_one_key(dialog):
    dialog.hotkey_edit.setText("ab")
    assert dialog.hotkey_edit.text() == "a"


def test_hotkey_taken_shows_error(dialog, project, qtbot):
    dialog.select_label("MONEY")
    type_into(qtbot, dialog.hotkey_edit, "1")  # PERSON's
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert dialog.error_label.isVisible() and "already used by PERSON" in dialog.error_label.text()
    assert file_labels(project)["MONEY"][1] == "6"


def test_remove_unused_label(dialog, project, qtbot, answers):
    dialog.select_label("MONEY")
    with qtbot.waitSignal(dialog.labelsChanged):
        qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert answers.questions == ["Remove the label MONEY?"]
    assert "MONEY" not in file_labels(project)
    assert row_of(dialog, "MONEY") is None


def test_remove_declined_keeps_label(dialog, project, qtbot, answers):
    answers.confirm = False
    dialog.select_label("MONEY")
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert "MONEY" in file_labels(project)


def test_remove_used_label_needs_confirming_its_spans(dialog, project, qtbot, answers):
    answers.confirm = False
    dialog.select_label("PERSON")
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert "1 spans use PERSON" in answers.questions[0]
    assert "PERSON" in file_labels(project)
    assert dialog.error_label.isVisible() and "kept" in dialog.error_label.text()

    answers.confirm = True
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert "PERSON" not in file_labels(project)
    assert [s.label for s in project.spans(1)] == ["LOCATION"]


# ------------------------------------------------------------------ shortcuts
ROWS = [("Accept suggestion", "A"), ("Reject suggestion", "R"), ("Next document", "Ctrl+Down"),
        ("Label: PERSON", "1")]


def test_shortcuts_dialog_lists_and_searches(qtbot):
    dlg = ShortcutsDialog(ROWS, None)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.visible_rows() == ROWS
    qtbot.keyClicks(dlg.search_edit, "sugg")
    assert dlg.visible_rows() == ROWS[:2]
    dlg.search_edit.setText("ctrl")  # keys are searched too, in any case
    assert dlg.visible_rows() == [ROWS[2]]
    dlg.search_edit.clear()
    assert dlg.visible_rows() == ROWS


def test_shortcuts_dialog_is_read_only(qtbot):
    dlg = ShortcutsDialog(ROWS, None)
    qtbot.addWidget(dlg)
    assert dlg.table.editTriggers() == dlg.table.EditTrigger.NoEditTriggers


def test_adding_a_label_by_keyboard_alone(dialog, project, qtbot):
    """Tab reaches the name field, Return adds; no button press sneaks in."""
    from PySide6.QtWidgets import QApplication

    dialog.activateWindow()  # as the window manager does for a dialog that opens
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    dialog.table.setFocus()
    qtbot.waitUntil(dialog.table.hasFocus)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)  # Return in the table adds and closes nothing
    assert dialog.error_label.isHidden() and dialog.isVisible()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Tab)
    assert dialog.new_name_edit.hasFocus()
    qtbot.keyClicks(dialog.new_name_edit, "PRODUCT")
    with qtbot.waitSignal(dialog.labelsChanged):
        qtbot.keyClick(dialog.new_name_edit, Qt.Key.Key_Return)
    colors = {name: values[0] for name, values in file_labels(project).items()}
    assert "PRODUCT" in colors
    others = [c for name, c in colors.items() if name != "PRODUCT"]
    assert colors["PRODUCT"] not in others  # a colour of its own, not PERSON's


def test_a_hotkey_that_review_already_uses_is_refused(dialog, project, qtbot):
    dialog.select_label("MONEY")
    for key in ("x", "A", "["):  # reject, accept, span start
        type_into(qtbot, dialog.hotkey_edit, key)
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
        assert dialog.error_label.isVisible() and "while reviewing" in dialog.error_label.text()
        assert file_labels(project)["MONEY"][1] == "6"


def test_new_labels_keep_getting_distinct_colours(project):
    made = [project.add_label(f"EXTRA{k}").color for k in range(20)]
    every = [label.color for label in project.labels()]
    assert len(set(every)) == len(every) and len(set(made)) == 20


def test_strings_from_a_file_show_as_plain_text(qtbot, project):
    """A label description written as HTML is shown as those characters, not rendered;
    a name with a bidi override is shown without it."""
    from annotator.gui.plain_text import display_name, plain_tooltip
    from annotator.gui.widgets.label_palette import LabelPalette

    project.update_label("MONEY", description='<img src="/etc/hostname"><b>bold</b>')
    palette = LabelPalette()
    qtbot.addWidget(palette)
    palette.set_labels(project.labels())
    tip = palette.buttons["MONEY"].toolTip()
    assert "<img" not in tip and "&lt;img" in tip and tip.startswith("<qt>")
    assert display_name("ab\u202ecd") == "abcd"
    assert plain_tooltip("a\nb") == "<qt>a<br>b</qt>"


def test_a_merged_label_cannot_take_an_application_shortcut(qtbot, project):
    """A hotkey in another's file (Ctrl+Q) stays unbound: Quit still quits."""
    from annotator.gui.main_window import MainWindow

    project.execute("UPDATE labels SET hotkey = 'Ctrl+Q' WHERE name = 'ZIP'")
    project._labels = None
    win = MainWindow(project, remember=False)
    qtbot.addWidget(win)
    zip_action = next(a for a in win._label_actions if a.objectName() == "label:ZIP")
    assert zip_action.shortcut().isEmpty()
    assert "ZIP (Ctrl+Q)" in win.statusBar().currentMessage()
