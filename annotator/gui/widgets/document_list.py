"""The document list panel: filter bar, the table of documents, and a count."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from annotator.gui.models.document_list import DATE, LEAST_CONFIDENT, OPEN, STATUS, TITLE, DocumentListModel
from annotator.gui.widgets.pictured_table import PicturedTable
from annotator.store.project import Project

STATUS_CHOICES = (("All", None), ("New", "new"), ("In progress", "in_progress"), ("Done", "done"),
                  ("Skipped", "skipped"))
# Review order; clicking a column header sorts by that column instead.
ORDER_CHOICES = (("Import order", "document"), ("Least confident first", "least-confident"))
SEARCH_DELAY_MS = 300  # long enough that typing a Thai word does not scan the corpus per key


class DocumentListPanel(QWidget):
    """Lists the project's documents. ``documentActivated(doc_id)`` is emitted whenever the
    current document changes, by keyboard, mouse or :meth:`select_document`."""

    documentActivated = Signal(int)

    def __init__(self, project: Project, parent: QWidget | None = None):
        super().__init__(parent)
        self._project = project
        self._current_id: int | None = None  # the document last announced
        self._current_row = 0  # where it was, to go on from there if it leaves the list

        self.status_combo = QComboBox()
        for text, value in STATUS_CHOICES:
            self.status_combo.addItem(text, value)
        self.status_combo.setToolTip("Show documents with this review status")
        self.label_combo = QComboBox()
        self.label_combo.setToolTip("Show documents with a span of this label (rejected ones do not count)")
        self.order_combo = QComboBox()
        for text, value in ORDER_CHOICES:
            self.order_combo.addItem(text, value)
        self.order_combo.setToolTip("Least confident first: documents whose weakest open model suggestion"
                                    " is weakest come first (lowest CRF marginal)")
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search title and text")
        self.search_edit.setClearButtonEnabled(True)
        self.count_label = QLabel()
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        self.model = DocumentListModel(project, self)
        self.view = PicturedTable()  # rows painted from kept pictures
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setTabKeyNavigation(False)  # Tab / Shift+Tab leave the list (to the search field)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setAlternatingRowColors(True)
        self.view.setShowGrid(False)
        # Uniform row heights: with fixed-size sections the view never measures a row, so
        # 30,000 documents cost no more than 30 (only painted rows are fetched).
        rows = self.view.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 6)
        rows.hide()
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        # Never ResizeToContents: it would read every row of the project.
        for column, sample in ((DATE, "0000-00-00__"), (STATUS, "In progress__"), (OPEN, "Open__")):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, self.fontMetrics().horizontalAdvance(sample) + 12)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # import order until a header is clicked
        self.view.setSortingEnabled(True)
        header.setSortIndicatorClearable(True)

        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(self.status_combo)
        filters.addWidget(self.label_combo)
        filters.addWidget(self.search_edit, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        footer = QHBoxLayout()  # the review order under the list, the count beside it
        footer.setContentsMargins(0, 0, 0, 0)
        footer.addWidget(self.order_combo)
        footer.addStretch(1)
        footer.addWidget(self.count_label)
        layout.addLayout(footer)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_filter)
        self.search_edit.textChanged.connect(lambda _text: self._search_timer.start())
        self.search_edit.returnPressed.connect(self._apply_filter)  # no need to wait
        self.status_combo.currentIndexChanged.connect(self._apply_filter)
        self.label_combo.currentIndexChanged.connect(self._apply_filter)
        self.order_combo.currentIndexChanged.connect(lambda _i: self.set_order(self.order_combo.currentData()))
        header.sortIndicatorChanged.connect(self._on_header_sort)
        self.view.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.model.layoutChanged.connect(self._after_layout)

        self._fill_labels()
        self._total = self._project.document_count()
        self._update_count()

    # ------------------------------------------------------------------ public API
    def current_document(self) -> int | None:
        index = self.view.currentIndex()
        return self.model.doc_id_at(index.row()) if index.isValid() else None

    def select_document(self, doc_id: int) -> bool:
        """Make ``doc_id`` current and scroll to it. False if the filter hides it: then no
        row is current, so that clicking any row, even the one that was, opens it."""
        row = self.model.row_of(doc_id)
        if row is None:
            self._current_id = doc_id  # the window shows it, though the list cannot
            self.view.selectionModel().clear()
            return False
        index = self.model.index(row, TITLE)
        self.view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.view.scrollTo(index)
        return True

    def refresh(self) -> None:
        """Documents were added or removed, statuses or labels changed: read everything again."""
        self._fill_labels()
        self._total = self._project.document_count()
        self.model.refresh()
        self._update_count()

    def refresh_document(self, doc_id: int) -> None:
        self.model.refresh_document(doc_id)

    def next_id(self, doc_id: int) -> int | None:
        """The document after ``doc_id`` in the list as shown, or None at the end."""
        row = self.model.row_of(doc_id)
        if row is None:
            # It left the list (a refresh after its status changed): what followed it now
            # stands where it stood.
            if doc_id != self._current_id:
                return None
            row = self._current_row - 1
        row += 1
        return self.model.doc_id_at(row) if 0 <= row < self.model.rowCount() else None

    def previous_id(self, doc_id: int) -> int | None:
        """The document before ``doc_id`` in the list as shown, or None at the start."""
        row = self.model.row_of(doc_id)
        if row is None:
            if doc_id != self._current_id:
                return None
            row = self._current_row
        row -= 1
        return self.model.doc_id_at(row) if 0 <= row < self.model.rowCount() else None

    def set_filter(self, status: str | None = None, label: str | None = None, text: str | None = None) -> None:
        """Set the filter widgets (and so the filter) from code."""
        for combo, value in ((self.status_combo, status), (self.label_combo, label)):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(value)))
            combo.blockSignals(False)
        self.search_edit.blockSignals(True)
        self.search_edit.setText(text or "")
        self.search_edit.blockSignals(False)
        self._apply_filter()

    def set_order(self, order: str) -> None:
        """``document`` (import order, or the column clicked) or ``least-confident``."""
        self.order_combo.blockSignals(True)
        self.order_combo.setCurrentIndex(max(0, self.order_combo.findData(order)))
        self.order_combo.blockSignals(False)
        header = self.view.horizontalHeader()
        if order == "least-confident":
            header.blockSignals(True)
            header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
            header.blockSignals(False)
            self.model.sort(LEAST_CONFIDENT, Qt.SortOrder.AscendingOrder)
        else:
            self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())

    # ------------------------------------------------------------------ internals
    def _on_header_sort(self, section: int, order: Qt.SortOrder) -> None:
        if section >= 0 and self.order_combo.currentData() != "document":
            self.order_combo.blockSignals(True)
            self.order_combo.setCurrentIndex(0)  # a column sort replaces the review order
            self.order_combo.blockSignals(False)
        # The first choice says what the list is sorted by: the import order, or a column.
        if section < 0:
            text = ORDER_CHOICES[0][0]
        else:
            name = self.model.headerData(section, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
            text = f"By {str(name).lower()} {'↑' if order == Qt.SortOrder.AscendingOrder else '↓'}"
        self.order_combo.setItemText(0, text)

    def _fill_labels(self) -> None:
        chosen = self.label_combo.currentData()
        self.label_combo.blockSignals(True)
        self.label_combo.clear()
        self.label_combo.addItem("Any label", None)
        for label in self._project.labels():
            self.label_combo.addItem(label.name, label.name)
        index = self.label_combo.findData(chosen) if chosen else 0
        self.label_combo.setCurrentIndex(max(0, index))
        self.label_combo.blockSignals(False)
        if chosen and index < 0:  # the label was removed or renamed: its filter goes too
            self.model.set_filter(**{**self.model.filter, "label": None})

    def _apply_filter(self) -> None:
        self._search_timer.stop()
        self.model.set_filter(
            status=self.status_combo.currentData(),
            label=self.label_combo.currentData(),
            text=self.search_edit.text().strip() or None,
        )
        self._update_count()

    def _update_count(self) -> None:
        self.count_label.setText(f"{self.model.rowCount():,} of {self._total:,}")

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        doc_id = self.model.doc_id_at(current.row())
        self._current_row = current.row()
        if doc_id != self._current_id:
            self._current_id = doc_id
            self.documentActivated.emit(doc_id)

    def _after_layout(self) -> None:
        # The current document may have moved (sort) or gone (filter); remember where it is
        # now, and keep it in sight.
        index = self.view.currentIndex()
        if index.isValid():
            self._current_row = index.row()
            self.view.scrollTo(index)
        self._update_count()
