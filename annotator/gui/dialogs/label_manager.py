"""Manage the project's labels: add, rename, recolour, hotkey, description, remove.

Every change goes straight to the project (which commits it at once and logs it); the
table is then read again from the project, so it never disagrees with the file.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.core.errors import LabelError
from annotator.gui.actions import review_key_owner
from annotator.gui.keymap import Keymap
from annotator.gui.plain_text import display_name, plain_tooltip
from annotator.core.model import Label
from annotator.store.project import Project

COLOR, NAME, HOTKEY, DESCRIPTION, SPANS = range(5)
HEADERS = ("Colour", "Name", "Hotkey", "Description", "Spans")

ChooseColor = Callable[[QColor, QWidget], "QColor | None"]
Confirm = Callable[[str, str], bool]


def ask_color(initial: QColor, parent: QWidget) -> QColor | None:
    color = QColorDialog.getColor(initial, parent, "Label colour")
    return color if color.isValid() else None


def swatch(color: str, size: int = 14) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


def _with_tooltip(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(display_name(text))
    item.setToolTip(plain_tooltip(text))
    return item


class LabelManagerDialog(QDialog):
    """``choose_color`` and ``confirm`` default to the standard modal dialogs; tests pass
    their own so nothing waits for a click."""

    labelsChanged = Signal()

    def __init__(
        self,
        project: Project,
        parent: QWidget | None = None,
        *,
        choose_color: ChooseColor | None = None,
        confirm: Confirm | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle("Labels")
        self._project = project
        self._choose_color = choose_color or ask_color
        self._confirm = confirm or self._ask

        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)  # descriptions are elided; the full text is in the form below
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(DESCRIPTION, QHeaderView.ResizeMode.Stretch)

        # Adding: a name is enough; colour and hotkey can be set afterwards.
        self.new_name_edit = QLineEdit()
        self.new_name_edit.setPlaceholderText("New label name, e.g. PRODUCT")
        self.add_button = QPushButton("Add")
        add_row = QHBoxLayout()
        add_row.addWidget(self.new_name_edit, 1)
        add_row.addWidget(self.add_button)

        # Editing the selected label.
        self.name_edit = QLineEdit()
        self.hotkey_edit = QLineEdit()
        self.hotkey_edit.setMaxLength(1)
        self.hotkey_edit.setPlaceholderText("one key, or empty for none")
        self.description_edit = QLineEdit()
        self.apply_button = QPushButton("Apply")
        self.color_button = QPushButton("Colour…")
        self.remove_button = QPushButton("Remove…")
        form = QFormLayout()
        form.addRow("Name", self.name_edit)
        form.addRow("Hotkey", self.hotkey_edit)
        form.addRow("Description", self.description_edit)
        buttons_row = QHBoxLayout()
        buttons_row.addWidget(self.apply_button)
        buttons_row.addWidget(self.color_button)
        buttons_row.addStretch(1)
        buttons_row.addWidget(self.remove_button)
        form.addRow(buttons_row)
        self.edit_box = QGroupBox("Selected label")
        self.edit_box.setLayout(form)

        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020")
        self.error_label.hide()
        self.status_label = QLabel()  # what the last change did

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(add_row)
        layout.addWidget(self.edit_box)
        layout.addWidget(self.error_label)
        layout.addWidget(self.status_label)
        layout.addWidget(close)

        self.add_button.clicked.connect(self._add)
        self.new_name_edit.returnPressed.connect(self._add)
        self.apply_button.clicked.connect(self._apply)
        for edit in (self.name_edit, self.hotkey_edit, self.description_edit):
            edit.returnPressed.connect(self._apply)
        self.color_button.clicked.connect(self._recolor)
        self.remove_button.clicked.connect(self._remove)
        self.table.itemSelectionChanged.connect(self._load_selected)

        # The keyboard: Tab walks table → new name → Add → the selected label's fields, and
        # Return acts only in a field (no button is a default that Return would press).
        self.table.setTabKeyNavigation(False)
        for button in (self.add_button, self.apply_button, self.color_button, self.remove_button,
                       *close.buttons()):
            button.setAutoDefault(False)
            button.setDefault(False)
        order = [self.table, self.new_name_edit, self.add_button, self.name_edit, self.hotkey_edit,
                 self.description_edit, self.apply_button, self.color_button, self.remove_button]
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)

        self.reload()
        self.resize(720, 520)

    # ------------------------------------------------------------------ public
    def reload(self, select: str | None = None) -> None:
        """Read the labels and their span counts from the project again."""
        select = select or self.selected_name()
        counts = {r[0]: r[1] for r in self._project.query("SELECT label_id, COUNT(*) FROM spans GROUP BY label_id")}
        labels = self._project.labels()
        self.table.blockSignals(True)
        self.table.setRowCount(len(labels))
        for row, label in enumerate(labels):
            color = QTableWidgetItem(swatch(label.color), label.color)
            color.setToolTip(label.color)
            name = QTableWidgetItem(label.name)
            name.setData(Qt.ItemDataRole.UserRole, label.name)
            spans = QTableWidgetItem(f"{counts.get(label.id, 0):,}")
            spans.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            for column, item in ((COLOR, color), (NAME, name), (HOTKEY, QTableWidgetItem(label.hotkey or "")),
                                 (DESCRIPTION, _with_tooltip(label.description)), (SPANS, spans)):
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)
        names = [label.name for label in labels]
        if select in names:
            self.table.selectRow(names.index(select))
        elif names:
            self.table.selectRow(0)
        self._load_selected()

    def selected_name(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        item = self.table.item(rows[0].row(), NAME)
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def select_label(self, name: str) -> None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, NAME).data(Qt.ItemDataRole.UserRole) == name:
                self.table.selectRow(row)
                return

    # --------------------------------------------------------------- actions
    def _selected_label(self) -> Label | None:
        name = self.selected_name()
        return next((lb for lb in self._project.labels() if lb.name == name), None)

    def _load_selected(self) -> None:
        label = self._selected_label()
        self.edit_box.setEnabled(label is not None)
        self.name_edit.setText(label.name if label else "")
        self.hotkey_edit.setText((label.hotkey or "") if label else "")
        self.description_edit.setText(label.description if label else "")
        if label:
            self.color_button.setIcon(swatch(label.color))

    def _add(self) -> None:
        name = self.new_name_edit.text().strip()
        if not name:
            self._error("Type a name for the new label.")
            return
        if self._run(lambda: self._project.add_label(name), f"Added {name}.", select=name):
            self.new_name_edit.clear()

    def _apply(self) -> None:
        label = self._selected_label()
        if label is None:
            return
        new_name = self.name_edit.text().strip()
        hotkey = self.hotkey_edit.text().strip()
        description = self.description_edit.text().strip()
        changes: dict = {}
        if new_name != label.name:
            changes["new_name"] = new_name
        if hotkey != (label.hotkey or ""):
            owner = review_key_owner(hotkey, Keymap.load().keys) if hotkey else None
            if owner is not None:
                self._error(f"{hotkey!r} already means “{owner.description}” while reviewing; choose another key.")
                return
            if hotkey:
                changes["hotkey"] = hotkey
            else:
                changes["clear_hotkey"] = True
        if description != label.description:
            changes["description"] = description
        if not changes:
            self._clear_error()
            return
        what = f"Renamed {label.name} to {new_name}." if "new_name" in changes else f"Changed {label.name}."
        self._run(lambda: self._project.update_label(label.name, **changes), what, select=new_name)

    def _recolor(self) -> None:
        label = self._selected_label()
        if label is None:
            return
        color = self._choose_color(QColor(label.color), self)
        if color is None or not color.isValid():
            return
        hex_color = color.name()
        self._run(lambda: self._project.update_label(label.name, color=hex_color),
                  f"{label.name} is now {hex_color}.", select=label.name)

    def _remove(self) -> None:
        label = self._selected_label()
        if label is None:
            return
        used = self._project.query("SELECT COUNT(*) FROM spans WHERE label_id = ?", (label.id,))[0][0]
        if used:
            question = f"{used:,} spans use {label.name}. Remove the label and all of those spans?"
        else:
            question = f"Remove the label {label.name}?"
        if not self._confirm("Remove label", question):
            if used:
                self._error(f"{label.name} was kept: {used:,} spans use it.")
            return
        self._run(lambda: self._project.remove_label(label.name, force=bool(used)),
                  f"Removed {label.name}" + (f" and {used:,} spans." if used else "."))

    # ------------------------------------------------------------- plumbing
    def _run(self, change: Callable[[], object], done: str, select: str | None = None) -> bool:
        try:
            change()
        except LabelError as exc:
            self._error(str(exc))
            return False
        self._clear_error()
        self.status_label.setText(done)
        self.reload(select=select)
        self.labelsChanged.emit()
        return True

    def _error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def _clear_error(self) -> None:
        self.error_label.clear()
        self.error_label.hide()

    def _ask(self, title: str, question: str) -> bool:
        answer = QMessageBox.question(self, title, question,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes
