"""The adjudication panel: progress, the documents with open conflicts, and the current
conflict's competing versions side by side, each headed by its authors and its key.

It only shows what it is given; :mod:`annotator.gui.adjudication` decides what that is.
"""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.gui.actions import key_text
from annotator.team.adjudicate import Conflict

DocIdRole = Qt.ItemDataRole.UserRole + 1
NO_ENTITY = "(no entity here)"
SNIPPET = 50


def version_keys(n: int) -> list[str]:
    """The keys that take versions 1..n of a conflict (at most nine)."""
    return [f"Alt+{k}" for k in range(1, min(n, 9) + 1)]


class AdjudicationPanel(QWidget):
    """``documentChosen(doc_id)`` when a document of the list is clicked or activated."""

    documentChosen = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("AdjudicationPanel")
        self.progress_label = QLabel(self)
        self.progress_label.setObjectName("AdjudicationProgress")
        self.documents = QListWidget(self)
        self.documents.setObjectName("AdjudicationDocuments")
        self.documents.setMaximumHeight(self.fontMetrics().height() * 7)
        self.conflict_label = QLabel(self)
        self.conflict_label.setObjectName("AdjudicationConflict")
        self.conflict_label.setWordWrap(True)
        self.versions = QTableWidget(0, 0, self)
        self.versions.setObjectName("AdjudicationVersions")
        self.versions.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.versions.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.versions.setTabKeyNavigation(False)
        self.versions.verticalHeader().hide()
        self.versions.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.versions.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.documents)
        layout.addWidget(self.conflict_label)
        layout.addWidget(self.versions, 1)
        self.documents.itemActivated.connect(self._chosen)
        self.documents.itemClicked.connect(self._chosen)

    def set_progress(self, resolved: int, total: int, documents: Sequence[tuple[int, str, int]]) -> None:
        """``documents``: (doc_id, title, open conflicts) of each document still open."""
        self.progress_label.setText(
            f"Conflicts resolved {resolved} / {total} · {len(documents)} documents with open conflicts")
        self.documents.clear()
        for doc_id, title, n in documents:
            item = QListWidgetItem(f"#{doc_id}  {title[:60]}  ({n} open)")
            item.setData(DocIdRole, doc_id)
            self.documents.addItem(item)

    def show_conflict(self, text: str, conflict: Conflict | None, index: int, count: int, note: str = "") -> None:
        """Show one conflict's versions side by side (None: say ``note`` instead)."""
        self.versions.clear()
        if conflict is None:
            self.conflict_label.setText(note)
            self.versions.setRowCount(0)
            self.versions.setColumnCount(0)
            return
        readings = list(conflict.readings[:9])
        keys = version_keys(len(readings))
        headers = [f"{key_text(k)} · {', '.join(r.authors)}" for k, r in zip(keys, readings)]
        columns = [[f"{s.label}: {_snippet(text, s.start, s.end)}" for s in r.spans] for r in readings]
        none_authors = ", ".join(conflict.none.authors) if conflict.none else "nobody"
        headers.append(f"{key_text('Alt+0')} · {none_authors}")
        columns.append([NO_ENTITY])
        self.versions.setColumnCount(len(headers))
        self.versions.setRowCount(max(len(c) for c in columns))
        self.versions.setHorizontalHeaderLabels(headers)
        for col, cells in enumerate(columns):
            for row, cell in enumerate(cells):
                self.versions.setItem(row, col, QTableWidgetItem(cell))
        self.versions.resizeRowsToContents()
        where = f"characters {conflict.start}–{conflict.end}"
        self.conflict_label.setText(
            f"Conflict {index + 1} of {count} in this document ({where}). "
            f"{key_text('Alt+1')}… takes a version, {key_text('Alt+0')} none; or edit the spans yourself.")

    def _chosen(self, item: QListWidgetItem) -> None:
        doc_id = item.data(DocIdRole)
        if isinstance(doc_id, int):
            self.documentChosen.emit(doc_id)


def _snippet(text: str, start: int, end: int) -> str:
    piece = text[start:end].replace("\n", " ")
    return piece if len(piece) <= SNIPPET else piece[: SNIPPET - 1] + "…"


__all__ = ["AdjudicationPanel", "NO_ENTITY", "version_keys"]
