"""Import and export dialogs: their options are exactly the job functions' keywords, and
running the jobs with them does what the dialog said."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import inspect  # noqa: E402
import json  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QDialog, QDialogButtonBox  # noqa: E402

from annotator.core.errors import InputProblem  # noqa: E402
from annotator.core.model import DocumentData, SpanData  # noqa: E402
from annotator.gui.dialogs.import_export import (  # noqa: E402
    EXPORT_FORMATS,
    IMPORT_FORMATS,
    ExportDialog,
    ImportDialog,
    show_export_report,
    show_import_report,
)
from annotator.jobs.exporter import ExportReport, run_export  # noqa: E402
from annotator.jobs.importer import ImportReport, run_import  # noqa: E402
from annotator.store.project import Project  # noqa: E402


@pytest.fixture
def project(tmp_path):
    project = Project.create(tmp_path / "io.annot", annotator="tester")
    yield project
    project.close()


def keywords(fn) -> set[str]:
    return set(inspect.signature(fn).parameters) - {"project", "progress", "cancelled"}


def ok_button(dialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


# --------------------------------------------------------------------- import
def test_import_formats_are_the_readers():
    assert IMPORT_FORMATS == ("auto", "txt", "jsonl", "conll", "thainer", "hf", "doccano", "brat", "labelstudio",
                              "spacy", "annot")
    assert EXPORT_FORMATS == ("conll", "jsonl", "hf", "doccano", "brat", "thainer", "labelstudio", "spacy")


def test_import_dialog_options_run_an_import(qtbot, project, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    for i in range(3):
        (folder / f"{i}.txt").write_text(f"ข่าวที่ {i}\n\nเนื้อข่าว {i}\n", encoding="utf-8")
    extra = tmp_path / "extra.jsonl"
    extra.write_text(json.dumps({"text": "นายสมชาย ใจดี", "spans": [{"start": 0, "end": 13, "label": "PER"}]},
                                ensure_ascii=False) + "\n", encoding="utf-8")
    dialog = ImportDialog(project, None, ask_files=lambda parent: [str(extra)], ask_folder=lambda parent: str(folder))
    qtbot.addWidget(dialog)
    assert not ok_button(dialog).isEnabled()  # nothing chosen yet
    qtbot.mouseClick(dialog.add_files_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.add_folder_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.add_folder_button, Qt.MouseButton.LeftButton)  # twice: listed once
    assert dialog.paths() == [str(extra), str(folder)]
    assert ok_button(dialog).isEnabled()
    dialog.gold_radio.setChecked(True)
    dialog.unknown_combo.setCurrentIndex(dialog.unknown_combo.findData("refuse"))
    dialog.map_edit.setText("PER=PERSON")
    options = dialog.options()
    assert options == {
        "paths": [str(extra), str(folder)],
        "fmt": "auto",
        "as_gold": True,
        "unknown_labels": "refuse",
        "label_map": {"PER": "PERSON"},
    }
    assert set(options) <= keywords(run_import)
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    report = run_import(project, **options)
    assert report.imported == 4 and not report.failed
    assert project.document_count("done") == 4  # gold
    assert [(s.label, s.state) for s in project.spans(1)] == [("PERSON", "accepted")]


def test_import_dialog_remove_and_format(qtbot, project):
    dialog = ImportDialog(project, None)
    qtbot.addWidget(dialog)
    dialog.add_paths(["a.txt", "b.conll"])
    dialog.path_list.item(0).setSelected(True)
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.paths() == ["b.conll"]
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("conll"))
    dialog.unknown_combo.setCurrentIndex(dialog.unknown_combo.findData("add"))
    options = dialog.options()
    assert (options["fmt"], options["as_gold"], options["unknown_labels"]) == ("conll", False, "add")


def test_import_dialog_refuses_a_bad_label_map(qtbot, project):
    dialog = ImportDialog(project, None)
    qtbot.addWidget(dialog)
    dialog.add_paths(["a.txt"])
    dialog.map_edit.setText("PER")
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "FROM=TO" in dialog.error_label.text()


def test_import_report_names_file_and_line(qtbot):
    report = ImportReport(files=2, imported=5, duplicates=1, spans=9,
                          failed=[InputProblem("/data/bad.jsonl", 7, "unknown label 'FOO'"),
                                  InputProblem("/data/empty.txt", 0, "empty file")])
    dialog = show_import_report(report, None)
    qtbot.addWidget(dialog)
    assert dialog.isVisible()
    text = dialog.text_edit.toPlainText()
    assert "/data/bad.jsonl:7: unknown label 'FOO'" in text
    assert "/data/empty.txt: empty file" in text
    assert "Imported 5 documents" in dialog.headline_label.text()
    assert "2 could not be imported" in dialog.headline_label.text()


# --------------------------------------------------------------------- export
def add_done_document(project):
    text = "นายสมชาย ใจดี ไปเชียงใหม่"
    doc_id = project.add_document(DocumentData(text, {"title": "ข่าว"}, [SpanData(0, 13, "PERSON")]),
                                  status="done", span_state="accepted")
    project.add_document(DocumentData("ข่าวที่ยังไม่เสร็จ", {}))
    return doc_id


def test_export_dialog_defaults_follow_the_format(qtbot, project):
    dialog = ExportDialog(project, None)
    qtbot.addWidget(dialog)
    assert dialog.path_edit.text().endswith("io-conll.conll")
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("jsonl"))
    assert dialog.path_edit.text().endswith("io-jsonl.jsonl")
    assert not dialog.scheme_combo.isEnabled()  # tags only for token formats
    # Three formats write .jsonl: each gets a name of its own, so none replaces another.
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("hf"))
    assert dialog.path_edit.text().endswith("io-hf.jsonl")
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("doccano"))
    assert dialog.path_edit.text().endswith("io-doccano.jsonl")
    dialog.split_check.setChecked(True)
    assert dialog.path_edit.text().endswith("io-doccano")  # a split is a folder
    assert dialog.writes_folder()


def test_export_dialog_options_run_an_export(qtbot, project, tmp_path):
    add_done_document(project)
    out = tmp_path / "out" / "gold.jsonl"
    asked = []
    dialog = ExportDialog(project, None, ask_path=lambda parent, folder, suggested: asked.append(folder) or str(out))
    qtbot.addWidget(dialog)
    assert dialog.count_label.text() == "1 document will be exported"
    dialog.any_radio.setChecked(True)
    assert dialog.count_label.text() == "2 documents will be exported"
    dialog.done_radio.setChecked(True)
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("jsonl"))
    qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)
    assert asked == [False] and dialog.path_edit.text() == str(out)
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("jsonl"))  # a chosen path stays
    assert dialog.path_edit.text() == str(out)
    options = dialog.options()
    assert options == {
        "out": str(out), "fmt": "jsonl", "status": "done", "include_suggestions": False,
        "split": None, "seed": 0, "scheme": "iob2", "with_authors": False,
        "space_token": "auto", "docstart": "tagged", "license": None, "attribution": None,
    }
    assert set(options) <= keywords(run_export)
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    report = run_export(project, **options)
    assert report.documents == {"all": 1}
    line = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert [(s["start"], s["end"], s["label"]) for s in line["spans"]] == [(0, 13, "PERSON")]


def test_export_dialog_split_seed_and_scheme(qtbot, project, tmp_path):
    dialog = ExportDialog(project, None)
    qtbot.addWidget(dialog)
    dialog.path_edit.setText(str(tmp_path / "split"))
    dialog.split_check.setChecked(True)
    dialog.split_edit.setText("70/20/10")
    dialog.seed_spin.setValue(7)
    dialog.scheme_combo.setCurrentIndex(dialog.scheme_combo.findData("bioes"))
    dialog.suggestions_check.setChecked(True)
    options = dialog.options()
    assert options["split"] == pytest.approx((0.7, 0.2, 0.1))
    assert (options["seed"], options["scheme"], options["include_suggestions"]) == (7, "bioes", True)
    assert options["out"] == str(tmp_path / "split")


def test_export_dialog_conll_choices_licence_and_attribution(qtbot, project, tmp_path):
    dialog = ExportDialog(project, None)
    qtbot.addWidget(dialog)
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("conll"))
    assert dialog.space_combo.isEnabled() and dialog.docstart_combo.isEnabled()
    dialog.space_combo.setCurrentIndex(dialog.space_combo.findData("\\s"))
    dialog.docstart_combo.setCurrentIndex(dialog.docstart_combo.findData("conll2003"))
    dialog.license_edit.setText(" CC-BY-3.0 ")
    dialog.attribution_edit.setText("ThaiNER")
    options = dialog.options()
    assert (options["space_token"], options["docstart"]) == ("\\s", "conll2003")
    assert (options["license"], options["attribution"]) == ("CC-BY-3.0", "ThaiNER")
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("labelstudio"))
    assert not dialog.space_combo.isEnabled() and dialog.options()["space_token"] == "auto"


def test_export_dialog_refuses_a_bad_split(qtbot, project):
    dialog = ExportDialog(project, None)
    qtbot.addWidget(dialog)
    dialog.split_check.setChecked(True)
    dialog.split_edit.setText("80/x")
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert not dialog.error_label.isHidden() and "80/10/10" in dialog.error_label.text()


def test_export_dialog_needs_a_path(qtbot, project):
    dialog = ExportDialog(project, None)
    qtbot.addWidget(dialog)
    dialog.path_edit.clear()
    assert not ok_button(dialog).isEnabled()


def test_export_report(qtbot):
    report = ExportReport(documents={"train": 8, "dev": 1, "test": 1}, warnings=["doc 3: span 4-9 not on tokens"],
                          outputs=["/out/train.conll"], manifest="/out/manifest.json")
    dialog = show_export_report(report, None)
    qtbot.addWidget(dialog)
    assert "Exported 10 documents" in dialog.headline_label.text()
    assert "doc 3: span 4-9 not on tokens" in dialog.text_edit.toPlainText()


def test_export_dialog_asks_before_replacing_an_earlier_export(qtbot, project, tmp_path):
    earlier = tmp_path / "gold.jsonl"
    earlier.write_text("earlier\n", encoding="utf-8")
    answers, asked = [False, True], []
    dialog = ExportDialog(project, None, confirm_replace=lambda parent, path: asked.append(path) or answers.pop(0))
    qtbot.addWidget(dialog)
    dialog.path_edit.setText(str(earlier))
    dialog.show()
    dialog.path_edit.setFocus()
    qtbot.keyClick(dialog.path_edit, Qt.Key.Key_Return)  # No: nothing happens, the dialog stays
    assert asked == [str(earlier)] and dialog.result() != QDialog.DialogCode.Accepted and dialog.isVisible()
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.path_edit, Qt.Key.Key_Return)  # Yes
    assert len(asked) == 2
    new = ExportDialog(project, None, confirm_replace=lambda parent, path: asked.append(path) or False)
    qtbot.addWidget(new)
    new.path_edit.setText(str(tmp_path / "fresh.jsonl"))
    with qtbot.waitSignal(new.accepted):
        qtbot.mouseClick(ok_button(new), Qt.MouseButton.LeftButton)
    assert len(asked) == 2  # a new name needs no question


def test_import_dialog_return_imports_once_a_folder_is_chosen(qtbot, project, tmp_path):
    from PySide6.QtWidgets import QApplication

    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("ข่าว\n\nเนื้อข่าว\n", encoding="utf-8")
    asked = []
    dialog = ImportDialog(project, None, ask_folder=lambda parent: asked.append(1) or str(folder))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    dialog.add_folder_button.setFocus()
    qtbot.keyClick(dialog.add_folder_button, Qt.Key.Key_Space)  # the picker, by keyboard
    assert asked == [1] and ok_button(dialog).hasFocus()
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(ok_button(dialog), Qt.Key.Key_Return)
    assert asked == [1]  # Return imported; it did not open the picker again
