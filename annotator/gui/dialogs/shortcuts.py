"""A searchable, read-only list of keyboard shortcuts."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


class ShortcutsDialog(QDialog):
    """``rows`` are (what it does, key) pairs, shown in the order given."""

    def __init__(self, rows: list[tuple[str, str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search actions or keys")
        self.search_edit.setClearButtonEnabled(True)
        self.table = QTableWidget(len(rows), 2)
        self.table.setHorizontalHeaderLabels(["Action", "Key"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setWordWrap(True)  # long descriptions wrap instead of being cut off
        for row, (what, key) in enumerate(rows):
            item = QTableWidgetItem(what)
            item.setToolTip(what)
            self.table.setItem(row, 0, item)
            self.table.setItem(row, 1, QTableWidgetItem(key))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.search_edit.textChanged.connect(self.filter)
        self.resize(820, 640)
        self.table.resizeRowsToContents()

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
