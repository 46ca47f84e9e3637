"""Starting the window: screenshots, the demo project, remembered settings, the key sheet."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QImage, QKeySequence

from annotator import cli
from annotator.core.model import SUGGESTED
from annotator.gui import actions as action_table
from annotator.gui import fonts
from annotator.gui.app import last_project
from annotator.gui.demo import build_demo, demo_path, sample_paths
from annotator.gui.main_window import MainWindow
from annotator.store.project import Project

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_screenshot_writes_a_png(qapp, project_path, tmp_path):
    out = tmp_path / "shot.png"
    assert cli.main(["gui", str(project_path), "--screenshot", str(out)]) == 0
    assert out.read_bytes()[:8] == PNG_MAGIC
    image = QImage(str(out))
    assert image.width() >= 1000 and image.height() >= 600
    # The screenshot left the user's settings alone.
    assert QSettings().value("project/last") is None


def test_first_start_builds_and_opens_the_demo(qapp, tmp_path):
    out = tmp_path / "first.png"
    assert not demo_path().exists()
    assert cli.main(["gui", "--screenshot", str(out)]) == 0
    assert demo_path().is_file()
    assert out.stat().st_size > 10_000


def test_demo_project_has_the_samples_with_suggestions(tmp_path):
    path = build_demo(tmp_path / "demo.annot")
    assert not Path(str(path) + ".part").exists()
    with Project.open(path) as project:
        ids = project.document_ids()
        assert len(ids) == len(sample_paths()) >= 4
        for doc_id in ids:
            document = project.document(doc_id)
            assert document.title and document.date and document.url.startswith("https://")
            suggested = project.spans(doc_id, [SUGGESTED])
            assert suggested, f"no suggestions in {document.title}"
            assert {s.origin for s in suggested} <= {"model", "rule", "gazetteer"}
        labels = {s.label for d in ids for s in project.spans(d)}
        assert {"PERSON", "ORGANIZATION", "DATE", "MONEY", "PERCENT", "URL", "PHONE"} <= labels


def test_window_remembers_project_document_and_layout(qtbot, project_path):
    window = MainWindow(Project.open(project_path), remember=True)
    qtbot.addWidget(window)
    window.resize(700, 500)  # inside the offscreen screen: restoring clamps to it
    window.show()
    window.show_document(2)
    window.right_dock.hide()
    window.close()

    assert last_project() == project_path.resolve()
    again = MainWindow(Project.open(project_path), remember=True)
    qtbot.addWidget(again)
    again.show()
    assert again.doc_id == 2
    assert (again.width(), again.height()) == (700, 500)
    assert again.right_dock.isHidden()
    again.close()


def test_every_key_is_on_the_shortcut_sheet_and_in_the_menus(window):
    rows = action_table.shortcut_rows(window.project.labels())
    sheet = "\n".join(f"{what}\t{keys}" for what, keys in rows)
    for spec in action_table.ACTIONS:
        for key in spec.keys:
            if key not in action_table.KEY_ALIASES:
                assert action_table.key_text(key) in sheet, key
        assert window.commands[spec.name].shortcut() == QKeySequence(spec.keys[0])
    for label in window.project.labels():
        if label.hotkey:
            assert f"Label the selection {label.name}" in sheet
    in_menus = {a.objectName() for menu in window.menus.values() for a in menu.actions()}
    assert {spec.name for spec in action_table.ACTIONS} <= in_menus


def test_no_key_means_two_things():
    seen: dict[tuple[str, str], str] = {}
    for spec in action_table.ACTIONS:
        for key in spec.keys:
            normal = QKeySequence(key).toString(QKeySequence.SequenceFormat.PortableText)
            scope = "global" if spec.scope == action_table.WINDOW else "review"
            for other_scope in ("global", scope):
                assert (other_scope, normal) not in seen or seen[(other_scope, normal)] == spec.name, key
            seen[(scope, normal)] = spec.name


def test_f1_opens_the_shortcut_sheet(window, ui, monkeypatch):
    from annotator.gui.dialogs import shortcuts

    shown = []
    monkeypatch.setattr(shortcuts.ShortcutsDialog, "exec", lambda self: shown.append(self) or 0)
    ui.key(Qt.Key.Key_F1)
    assert len(shown) == 1


def test_missing_thai_font_names_the_package(monkeypatch):
    monkeypatch.setattr(fonts, "thai_families", lambda: [])
    message = fonts.missing_thai_font_message()
    assert message and "fonts-thai-tlwg" in message


# ------------------------------------------------------------ no arguments
def test_no_arguments_builds_the_demo_then_reopens_the_last_project(qapp, qtbot, project_path):
    from annotator.gui.app import open_window

    first = open_window(None)  # what `annotator` with no arguments shows
    qtbot.addWidget(first)
    assert first.project is None  # the window is up before the demo exists …
    assert first.jobs.wait(60_000)  # … which is built in the background
    assert first.project is not None and Path(first.project.path) == demo_path()
    assert first.doc_id is not None and first.spans
    first.close()

    again = open_window(None)  # the next start: the last project, no rebuilding
    qtbot.addWidget(again)
    assert Path(again.project.path) == demo_path()
    assert not again.jobs.is_running()
    again.open_project(project_path)
    again.close()

    third = open_window(None)
    qtbot.addWidget(third)
    assert Path(third.project.path).resolve() == project_path.resolve()
    third.close()


# -------------------------------------------------------------- jobs
def test_import_from_the_menu_runs_in_the_background(window, monkeypatch, tmp_path):
    from annotator.gui.dialogs import import_export

    article = tmp_path / "new.txt"
    article.write_text("ข่าวใหม่\n\nวันจันทร์ที่ 3 มีนาคม 2568\nนายอนุชิต พรหมมา เปิดเผยที่จังหวัดนนทบุรี\n",
                       encoding="utf-8")
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "ดี"}\nnot json\n', encoding="utf-8")

    def fake_exec(dialog):
        dialog.add_paths([str(article), str(broken)])
        return 1

    monkeypatch.setattr(import_export.ImportDialog, "exec", fake_exec)
    window.commands["import_files"].trigger()
    assert window.jobs.wait(60_000)
    assert window.project.document_count() == 5
    assert window.list_panel.model.rowCount() == 5
    assert "/ 5 documents" in window.progress_label.text()
    # The refused line is named by file and line.
    report = window.last_report.text_edit.toPlainText()
    assert f"{broken}:2" in report


def test_preannotate_from_the_menu_adds_suggestions(window, monkeypatch):
    window.preannotate_workers = 1  # one process is plenty for three short articles
    window.show_document(3)
    assert window.spans == []
    window.commands["preannotate"].trigger()
    assert window.jobs.wait(120_000)
    assert window.spans, "the shown document was reread after the job"
    assert any(s.origin in ("model", "gazetteer") for s in window.spans)


def test_export_from_the_menu_writes_the_file(window, monkeypatch, tmp_path):
    from annotator.gui.dialogs import import_export

    out = tmp_path / "gold.jsonl"
    window.commands["accept_all"].trigger()
    window.commands["done_next"].trigger()

    def fake_exec(dialog):
        dialog.path_edit.setText(str(out))
        dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("jsonl"))
        return 1

    monkeypatch.setattr(import_export.ExportDialog, "exec", fake_exec)
    window.commands["export_files"].trigger()
    assert window.jobs.wait(60_000)
    assert out.is_file() and "PERSON" in out.read_text(encoding="utf-8")
    assert "exported 1 documents" in window.statusBar().currentMessage()


def test_a_broken_last_project_still_starts_on_the_demo(qapp, qtbot, tmp_path):
    from annotator.gui.app import open_window

    broken = tmp_path / "gone.annot"
    broken.write_text("not a database", encoding="utf-8")
    QSettings().setValue("project/last", str(broken))
    build_demo()
    window = open_window(None)
    qtbot.addWidget(window)
    assert Path(window.project.path) == demo_path()
    window.close()
