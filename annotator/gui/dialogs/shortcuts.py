"""The keyboard shortcut sheet: searchable, and (given a keymap) where keys are changed."""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


class ShortcutsDialog(QDialog):
    """``rows`` are (what it does, key) pairs, shown in the order given.

    With ``keymap`` (a :class:`~annotator.gui.keymap.Keymap`), ``names`` (the command of each
    row, None for label and mouse rows) and ``on_change`` (called after a key changed, to
    rebind the window), a row's key can be changed or reset.
    """

    def __init__(
        self,
        rows: Sequence[tuple[str, str]],
        parent: QWidget | None = None,
        keymap=None,
        names: Sequence[str | None] | None = None,
        on_change: Callable[[], Iterable[tuple[str, str]]] | None = None,
        label_hotkeys: Callable[[], Iterable[str]] = lambda: (),
    ):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.keymap = keymap
        self.names = list(names or [None] * len(rows))
        self._on_change = on_change
        self._label_hotkeys = label_hotkeys
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search actions or keys")
        self.search_edit.setClearButtonEnabled(True)
        self.table = QTableWidget(len(rows), 2)
        self.table.setHorizontalHeaderLabels(["Action", "Key"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setWordWrap(True)  # long descriptions wrap instead of being cut off
        self._fill(rows)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.change_button = self.reset_button = None
        if keymap is not None:
            self.change_button = QPushButton("&Change key…")
            self.reset_button = QPushButton("&Reset")
            self.reset_all_button = QPushButton("Reset &all")
            for button in (self.change_button, self.reset_button, self.reset_all_button):
                button.setAutoDefault(False)  # Return in the table changes a key; it never presses these
                buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
            self.change_button.clicked.connect(self.change_selected)
            self.reset_button.clicked.connect(self.reset_selected)
            self.reset_all_button.clicked.connect(self.reset_all)
            self.table.activated.connect(lambda _index: self.change_selected())
            self.table.itemSelectionChanged.connect(self._update_buttons)
            self._update_buttons()
        layout = QVBoxLayout(self)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.search_edit.textChanged.connect(self.filter)
        self.resize(820, 640)
        self.table.resizeRowsToContents()

    def _fill(self, rows: Sequence[tuple[str, str]]) -> None:
        for row, (what, key) in enumerate(rows):
            item = QTableWidgetItem(what)
            item.setToolTip(what)
            self.table.setItem(row, 0, item)
            name = self.names[row] if row < len(self.names) else None
            changed = self.keymap is not None and name is not None and self.keymap.changed(name)
            self.table.setItem(row, 1, QTableWidgetItem(f"{key}  (changed)" if changed else key))

    def filter(self, text: str) -> None:
        """Show the rows whose action or key contains ``text`` (any case)."""
        needle = text.strip().casefold()
        for row in range(self.table.rowCount()):
            cells = (self.table.item(row, 0).text(), self.table.item(row, 1).text())
            self.table.setRowHidden(row, bool(needle) and not any(needle in c.casefold() for c in cells))

    def visible_rows(self) -> list[tuple[str, str]]:
        return [
            (self.table.item(row, 0).text(), self.table.item(row, 1).text())
            for row in range(self.table.rowCount())
            if not self.table.isRowHidden(row)
        ]

    # ------------------------------------------------------------- changing
    def selected_name(self) -> str | None:
        row = self.table.currentRow()
        return self.names[row] if 0 <= row < len(self.names) else None

    def _update_buttons(self) -> None:
        editable = self.selected_name() is not None
        self.change_button.setEnabled(editable)
        self.reset_button.setEnabled(editable)

    def change_selected(self) -> None:
        name = self.selected_name()
        if name is None:
            self._say("Label keys are changed in Edit → Labels…; mouse gestures cannot be changed.")
            return
        dialog = KeyCaptureDialog(self.table.item(self.table.currentRow(), 0).text(), self)
        if dialog.exec() and dialog.key:
            self.apply_key(name, dialog.key)

    def apply_key(self, name: str, key: str) -> bool:
        """Bind ``key`` to command ``name`` (what the capture dialog does); False and a
        message when it is refused."""
        from annotator.gui.keymap import KeymapError

        try:
            self.keymap.bind(name, key, self._label_hotkeys())
        except KeymapError as e:
            self._say(f"Not changed: {e}.")
            return False
        self._changed(f"{self.table.item(self.table.currentRow(), 0).text()}: now {key}")
        return True

    def reset_selected(self) -> None:
        from annotator.gui.keymap import KeymapError

        name = self.selected_name()
        if name is None:
            return
        try:
            self.keymap.reset(name)
        except KeymapError as e:
            self._say(f"Not reset: {e}.")
            return
        self._changed("Default key back")

    def reset_all(self) -> None:
        self.keymap.reset()
        self._changed("Every command has its default keys again")

    def _changed(self, message: str) -> None:
        self.keymap.save()
        rows = list(self._on_change()) if self._on_change else []
        if rows:
            row = self.table.currentRow()
            self._fill(rows)
            self.table.resizeRowsToContents()
            self.table.setCurrentCell(row, 0)
        self._say(message)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()


class KeyCaptureDialog(QDialog):
    """"Press the new key": the first key pressed is the answer; Esc alone cancels."""

    def __init__(self, what: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Change key")
        self.key = ""
        self.edit = QKeySequenceEdit()
        self.edit.setMaximumSequenceLength(1)
        self.edit.setFinishingKeyCombinations([QKeySequence(Qt.Key.Key_Escape)[0]])
        self.edit.editingFinished.connect(self._finished)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Press the new key for “{what}” (Esc: cancel)"))
        layout.addWidget(self.edit)
        self.edit.setFocus()

    def _finished(self) -> None:
        seq = self.edit.keySequence()
        if seq.isEmpty():
            self.reject()
            return
        self.key = seq.toString(QKeySequence.SequenceFormat.PortableText)
        self.accept()


__all__ = ["KeyCaptureDialog", "ShortcutsDialog"]
