"""Import and export dialogs. They only collect choices: ``options()`` returns keyword
arguments for :func:`annotator.jobs.importer.run_import` / :func:`annotator.jobs.exporter.run_export`,
and the window runs the job in the background."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from annotator import formats
from annotator.core.errors import AnnotatorError
from annotator.jobs.exporter import EXTENSIONS, parse_split
from annotator.jobs.importer import UNKNOWN_LABEL_POLICIES
from annotator.store.project import Project

IMPORT_FORMATS = ("auto", *formats.READERS)
EXPORT_FORMATS = formats.WRITERS
TOKEN_FORMATS = ("conll", "hf")  # the formats that write IOB2/BIOES tags
# CoNLL's document start line, by the consumer it suits (see annotator.formats.conll).
DOCSTARTS = (("tagged", "-DOCSTART- O (Flair, NLTK, seqeval)"),
             ("conll2003", "-DOCSTART- -X- O O (spacy convert)"), ("none", "none"))
FOLDER_FORMATS = ("brat",)  # written as a folder even without a split

_UNKNOWN_LABEL_TEXT = {"refuse": "Refuse documents that use them", "add": "Add them to the project"}

AskFiles = Callable[[QWidget], list[str]]
AskFolder = Callable[[QWidget], "str | None"]


def _ask_files(parent: QWidget) -> list[str]:
    files, _ = QFileDialog.getOpenFileNames(
        parent, "Import files", "",
        "Articles and datasets (*.txt *.jsonl *.json *.conll *.iob *.iob2 *.bio *.bioes *.tsv *.ann *.annot"
        " *.spacy);;"
        "All files (*)",
    )
    return files


def _ask_folder(parent: QWidget) -> str | None:
    return QFileDialog.getExistingDirectory(parent, "Import a folder") or None


def _error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("color: #b00020")
    label.hide()
    return label


class ImportDialog(QDialog):
    """Choose files and folders to import and how. ``ask_files``/``ask_folder`` replace the
    file dialogs (tests)."""

    def __init__(self, project: Project, parent: QWidget | None = None, *,
                 ask_files: AskFiles | None = None, ask_folder: AskFolder | None = None):
        super().__init__(parent)
        self.setWindowTitle("Import documents")
        self._project = project
        self._ask_files = ask_files or _ask_files
        self._ask_folder = ask_folder or _ask_folder

        self.path_list = QListWidget()
        self.path_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.add_files_button = QPushButton("Add files…")
        self.add_folder_button = QPushButton("Add folder…")
        self.remove_button = QPushButton("Remove")
        path_buttons = QVBoxLayout()
        for button in (self.add_files_button, self.add_folder_button, self.remove_button):
            path_buttons.addWidget(button)
        path_buttons.addStretch(1)
        paths_row = QHBoxLayout()
        paths_row.addWidget(self.path_list, 1)
        paths_row.addLayout(path_buttons)

        self.format_combo = QComboBox()
        for name in IMPORT_FORMATS:
            self.format_combo.addItem("auto (by file name)" if name == "auto" else name, name)
        self.suggestions_radio = QRadioButton("Suggestions to review (documents new)")
        self.gold_radio = QRadioButton("Gold (spans accepted, documents done)")
        self.suggestions_radio.setChecked(True)
        self._as_group = QButtonGroup(self)
        self._as_group.addButton(self.suggestions_radio)
        self._as_group.addButton(self.gold_radio)
        self.unknown_combo = QComboBox()
        for policy in UNKNOWN_LABEL_POLICIES:
            self.unknown_combo.addItem(_UNKNOWN_LABEL_TEXT.get(policy, policy), policy)
        self.map_edit = QLineEdit()
        self.map_edit.setPlaceholderText("optional, e.g. FACILITY=LOCATION, PER=PERSON")

        form = QFormLayout()
        form.addRow("Format", self.format_combo)
        as_box = QVBoxLayout()
        as_box.addWidget(self.suggestions_radio)
        as_box.addWidget(self.gold_radio)
        form.addRow("Import spans as", as_box)
        form.addRow("Unknown labels", self.unknown_combo)
        form.addRow("Rename labels", self.map_edit)

        self.error_label = _error_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Files and folders (folders are read with everything inside them):"))
        layout.addLayout(paths_row, 1)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

        self.add_files_button.clicked.connect(lambda: self.add_paths(self._ask_files(self)))
        self.add_folder_button.clicked.connect(self._add_folder)
        self.remove_button.clicked.connect(self._remove_selected)
        self.path_list.model().rowsInserted.connect(self._update_ok)
        self.path_list.model().rowsRemoved.connect(self._update_ok)
        # Return imports: the picker buttons are not defaults, and once something is
        # chosen the keyboard goes to Import.
        for button in (self.add_files_button, self.add_folder_button, self.remove_button):
            button.setAutoDefault(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setDefault(True)
        self.path_list.model().rowsInserted.connect(
            lambda *_: self.buttons.button(QDialogButtonBox.StandardButton.Ok).setFocus())
        self._update_ok()
        self.resize(560, 420)

    def add_paths(self, paths: list[str]) -> None:
        present = set(self.paths())
        for path in paths:
            if path and path not in present:
                self.path_list.addItem(path)
                present.add(path)

    def paths(self) -> list[str]:
        return [self.path_list.item(i).text() for i in range(self.path_list.count())]

    def options(self) -> dict[str, Any]:
        """Keyword arguments for ``run_import(project, **options)``."""
        return {
            "paths": self.paths(),
            "fmt": self.format_combo.currentData(),
            "as_gold": self.gold_radio.isChecked(),
            "unknown_labels": self.unknown_combo.currentData(),
            "label_map": self._label_map(),
        }

    def accept(self) -> None:
        if not self.paths():
            return
        try:
            self._label_map()
        except ValueError as exc:
            self.error_label.setText(str(exc))
            self.error_label.show()
            return
        super().accept()

    def _label_map(self) -> dict[str, str]:
        mapping = {}
        for item in self.map_edit.text().replace(";", ",").split(","):
            item = item.strip()
            if not item:
                continue
            source, sep, target = item.partition("=")
            if not sep or not source.strip() or not target.strip():
                raise ValueError(f"rename labels: {item!r} should look like FROM=TO")
            mapping[source.strip()] = target.strip()
        return mapping

    def _add_folder(self) -> None:
        folder = self._ask_folder(self)
        if folder:
            self.add_paths([folder])

    def _remove_selected(self) -> None:
        for item in self.path_list.selectedItems():
            self.path_list.takeItem(self.path_list.row(item))

    def _update_ok(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.path_list.count() > 0)


class ExportDialog(QDialog):
    """Choose what to export and where. ``ask_path(parent, is_folder, suggested)`` replaces
    the file dialog (tests)."""

    def __init__(self, project: Project, parent: QWidget | None = None, *,
                 ask_path: Callable[[QWidget, bool, str], "str | None"] | None = None,
                 confirm_replace: Callable[[QWidget, str], bool] | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export dataset")
        self._project = project
        self._ask_path = ask_path or _ask_export_path
        self._confirm_replace = confirm_replace or _confirm_replace
        self._suggested = ""  # the path we last proposed: it follows the format until changed

        self.path_edit = QLineEdit()
        self.browse_button = QPushButton("Browse…")
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)
        self.format_combo = QComboBox()
        for name in EXPORT_FORMATS:
            self.format_combo.addItem(name, name)
        self.done_radio = QRadioButton("Done documents only")
        self.any_radio = QRadioButton("All documents except skipped")
        self.done_radio.setChecked(True)
        self._status_group = QButtonGroup(self)
        self._status_group.addButton(self.done_radio)
        self._status_group.addButton(self.any_radio)
        self.count_label = QLabel()
        self.suggestions_check = QCheckBox("Include open suggestions (not reviewed)")
        self.authors_check = QCheckBox("Include each span's author (jsonl)")
        self.split_check = QCheckBox("Split into train / dev / test")
        self.split_edit = QLineEdit("80/10/10")
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        split_row = QHBoxLayout()
        split_row.addWidget(self.split_check)
        split_row.addWidget(self.split_edit)
        split_row.addWidget(QLabel("seed"))
        split_row.addWidget(self.seed_spin)
        self.scheme_combo = QComboBox()
        self.scheme_combo.addItem("IOB2", "iob2")
        self.scheme_combo.addItem("BIOES", "bioes")
        self.space_combo = QComboBox()
        self.space_combo.addItem("_ (Thai corpora)", "_")
        self.space_combo.addItem("\\s", "\\s")
        self.docstart_combo = QComboBox()
        for value, text in DOCSTARTS:
            self.docstart_combo.addItem(text, value)
        self.license_edit = QLineEdit()
        self.license_edit.setPlaceholderText("optional, e.g. CC-BY-3.0")
        self.attribution_edit = QLineEdit()
        self.attribution_edit.setPlaceholderText("optional: who to credit")

        form = QFormLayout()
        form.addRow("Save to", path_row)
        form.addRow("Format", self.format_combo)
        status_box = QVBoxLayout()
        status_box.addWidget(self.done_radio)
        status_box.addWidget(self.any_radio)
        status_box.addWidget(self.count_label)
        form.addRow("Documents", status_box)
        form.addRow("", self.suggestions_check)
        form.addRow("", self.authors_check)
        form.addRow("Split", split_row)
        form.addRow("Tag scheme", self.scheme_combo)
        form.addRow("Spaces written as", self.space_combo)
        form.addRow("Document start", self.docstart_combo)
        form.addRow("Licence", self.license_edit)
        form.addRow("Attribution", self.attribution_edit)

        self.error_label = _error_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

        self.browse_button.clicked.connect(self._browse)
        self.path_edit.textChanged.connect(self._update_ok)
        self.format_combo.currentIndexChanged.connect(self._update_form)
        self.split_check.toggled.connect(self._update_form)
        self.done_radio.toggled.connect(self._update_count)
        self._update_form()
        self._update_count()
        self.resize(560, 0)

    def options(self) -> dict[str, Any]:
        """Keyword arguments for ``run_export(project, **options)``. Raises ExportError for
        a split that is not three numbers."""
        split = parse_split(self.split_edit.text()) if self.split_check.isChecked() else None
        fmt = self.format_combo.currentData()
        return {
            "out": self.path_edit.text().strip(),
            "fmt": self.format_combo.currentData(),
            "status": "done" if self.done_radio.isChecked() else "any",
            "include_suggestions": self.suggestions_check.isChecked(),
            "split": split,
            "seed": self.seed_spin.value(),
            "scheme": self.scheme_combo.currentData(),
            "with_authors": self.authors_check.isChecked(),
            "space_token": self.space_combo.currentData() if fmt == "conll" else "auto",
            "docstart": self.docstart_combo.currentData(),
            "license": self.license_edit.text().strip() or None,
            "attribution": self.attribution_edit.text().strip() or None,
        }

    def writes_folder(self) -> bool:
        return self.split_check.isChecked() or self.format_combo.currentData() in FOLDER_FORMATS

    def accept(self) -> None:
        try:
            options = self.options()
        except AnnotatorError as exc:
            self._error(str(exc))
            return
        if not options["out"]:
            self._error("Choose where to save the export.")
            return
        out = Path(options["out"])
        if (out.is_file() or (out.is_dir() and any(out.iterdir()))) and not self._confirm_replace(self, str(out)):
            return  # the earlier export stays; the dialog stays open for another name
        super().accept()

    def _error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def _suggested_path(self) -> str:
        fmt = self.format_combo.currentData()
        stem = f"{self._project.path.stem}-{fmt}"  # hf, doccano and jsonl all write .jsonl
        name = stem if self.writes_folder() else stem + EXTENSIONS.get(fmt, "")
        return str(self._project.path.with_name(name))

    def _browse(self) -> None:
        path = self._ask_path(self, self.writes_folder(), self.path_edit.text() or self._suggested_path())
        if path:
            self.path_edit.setText(path)

    def _update_form(self) -> None:
        fmt = self.format_combo.currentData()
        self.scheme_combo.setEnabled(fmt in TOKEN_FORMATS)
        self.authors_check.setEnabled(fmt == "jsonl")
        self.space_combo.setEnabled(fmt == "conll")
        self.docstart_combo.setEnabled(fmt == "conll")
        self.split_edit.setEnabled(self.split_check.isChecked())
        self.seed_spin.setEnabled(self.split_check.isChecked())
        if self.path_edit.text() in ("", self._suggested):  # not chosen by the user
            self._suggested = self._suggested_path()
            self.path_edit.setText(self._suggested)

    def _update_count(self) -> None:
        if self.done_radio.isChecked():
            n = self._project.document_count("done")
        else:
            n = self._project.document_count() - self._project.document_count("skipped")
        self.count_label.setText(f"{n:,} document{'' if n == 1 else 's'} will be exported")

    def _update_ok(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.path_edit.text().strip()))


def _ask_export_path(parent: QWidget, is_folder: bool, suggested: str) -> str | None:
    if is_folder:
        return QFileDialog.getExistingDirectory(parent, "Export to folder", str(Path(suggested).parent)) or None
    path, _ = QFileDialog.getSaveFileName(parent, "Export to file", suggested)
    return path or None


def _confirm_replace(parent: QWidget, path: str) -> bool:
    from PySide6.QtWidgets import QMessageBox

    answer = QMessageBox.question(parent, "Replace the earlier export?",
                                  f"{path} already exists. Replace it with this export?",
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


class ReportDialog(QDialog):
    """A job's summary as selectable text: failures name file and line, so they can be
    copied into a bug report or used to find the file."""

    def __init__(self, title: str, headline: str, text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.headline_label = QLabel(headline)
        self.headline_label.setWordWrap(True)
        self.text_edit = QPlainTextEdit(text)
        self.text_edit.setReadOnly(True)
        self.text_edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline_label)
        layout.addWidget(self.text_edit, 1)
        layout.addWidget(buttons)
        self.resize(720, 360)


def show_import_report(report, parent: QWidget | None = None) -> ReportDialog:
    """Show an ImportReport without blocking; returns the (open) dialog."""
    problems = len(report.failed)
    headline = f"Imported {report.imported:,} documents ({report.spans:,} spans) from {report.files:,} files."
    if report.duplicates:
        headline += f" {report.duplicates:,} already in the project were skipped."
    if problems:
        headline += f" {problems:,} could not be imported: see below (file:line: why)."
    if report.cancelled:
        headline += " Cancelled before the end."
    return _open(ReportDialog("Import finished", headline, report.summary(), parent))


def show_export_report(report, parent: QWidget | None = None) -> ReportDialog:
    """Show an ExportReport without blocking; returns the (open) dialog."""
    total = sum(report.documents.values())
    headline = f"Exported {total:,} documents."
    if report.errors:
        headline += f" {len(report.errors):,} documents could not be written: see below."
    if report.warnings:
        headline += f" {len(report.warnings):,} warnings (spans not written as they are): see below."
    return _open(ReportDialog("Export finished", headline, report.summary(), parent))


def _open(dialog: ReportDialog) -> ReportDialog:
    if dialog.parent() is not None:  # owned by its parent until closed; else the caller keeps it
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
