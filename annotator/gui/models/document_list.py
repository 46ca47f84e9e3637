"""The document list as a Qt table model: ids in memory, row data fetched when shown.

A project may hold tens of thousands of articles. The model keeps only the ordered ids
of the current filter and sort (one ``array('q')``, fetched with one query) and asks the
project for the few rows the view paints, a block at a time, through a small LRU cache.
The project file stays the truth: after an edit the window calls ``refresh_document`` (a
row changed) or ``refresh`` (the set or order of documents may have changed).
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from typing import Any, NamedTuple

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QObject,
    Qt,
)

from annotator.core.model import DOC_STATUSES, REJECTED
from annotator.gui.plain_text import display_name, plain_tooltip
from annotator.store.project import OPEN_COUNT, WITH_STATUS, Project

TITLE, DATE, STATUS, OPEN = range(4)
# Not a column: least confident first (jobs/queue.py), lowest open-suggestion marginal first.
LEAST_CONFIDENT = -2
HEADERS = ("Title", "Date", "Status", "Open")
STATUS_NAMES = {"new": "New", "in_progress": "In progress", "done": "Done", "skipped": "Skipped"}

# Rows are fetched in aligned blocks: one query fills what a screen shows, and scrolling
# one row does not cost a query.
BLOCK = 64
CACHE_ROWS = 512  # a few screens; bounded whatever the project size
TITLE_CHARS = 300

DocIdRole = Qt.ItemDataRole.UserRole + 1

_ROW_SQL = (
    "SELECT id,"
    # Documents without a title show the start of their text instead.
    f" CASE WHEN title != '' THEN substr(title, 1, {TITLE_CHARS}) ELSE substr(ltrim(text), 1, 200) END,"
    " title != '', date, COALESCE(status, 'new'), " + OPEN_COUNT +
    " FROM documents LEFT JOIN document_status ON document_status.doc_id = documents.id WHERE id IN ({marks})"
)

# ORDER BY for each column; ties (and the unsorted list) go by id so the order is total and
# the same on every refresh. A descending sort reverses the whole key, id included.
_STATUS_ORDER = "CASE status " + " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(DOC_STATUSES)) + " END"
_SORT_KEYS = {
    TITLE: ["title {dir}"],
    DATE: ["date IS NULL", "date {dir}"],  # undated documents last either way
    STATUS: [_STATUS_ORDER + " {dir}"],
    OPEN: [OPEN_COUNT + " {dir}"],
}


class RowData(NamedTuple):
    title: str
    has_title: bool
    date: str | None
    status: str
    open_suggestions: int


_GONE = RowData("(deleted)", True, None, "", 0)


def _id_array(project: Project, sql: str, params: list[Any]) -> array:
    """The ids a query selects (in no particular order: group_concat keeps none), as one
    string from SQLite: a row object per id cost ~35 ms for 28,000 documents, this ~10 ms."""
    joined = project.query(f"SELECT group_concat(id) FROM ({sql})", params)[0][0]
    return array("q", map(int, joined.split(","))) if joined else array("q")


ROW_SCANS = 16


class DocumentListModel(QAbstractTableModel):
    """Title, Date, Status, Open (open suggestions) of the documents in the current filter."""

    def __init__(self, project: Project, parent: QObject | None = None):
        super().__init__(parent)
        self._project = project
        self._status: str | None = None
        self._label: str | None = None
        self._text: str | None = None
        self._sort_column = -1  # -1: by id, the import order
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._ids = array("q")
        self._rows: dict[int, int] | None = None  # doc id -> row, built on need (see row_of)
        self._scans = 0
        self._cache: OrderedDict[int, RowData] = OrderedDict()
        self.fetch_count = 0  # queries made for row data; for tests and the benchmark
        _register_contains(project)
        self._ids = self._query_ids()

    # ------------------------------------------------------------- Qt model API
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        # Called for every painted cell and every selection change: never touches the file.
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if 0 <= section < len(HEADERS):
                return HEADERS[section]
            return None
        return super().headerData(section, orientation, role)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if not (0 <= row < len(self._ids)):
            return None
        if role == DocIdRole:
            return self._ids[row]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column == OPEN:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        item = self._row_data(row)
        if column == TITLE:
            title = display_name(item.title if item.has_title else _first_line(item.title))
            return plain_tooltip(title) if role == Qt.ItemDataRole.ToolTipRole else title
        if role == Qt.ItemDataRole.ToolTipRole:
            return None
        if column == DATE:
            return item.date or ""
        if column == STATUS:
            return STATUS_NAMES.get(item.status, item.status)
        if column == OPEN:
            return item.open_suggestions
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column (-1: by id; LEAST_CONFIDENT: the review queue's order). Keeps
        the view's selection on the same documents."""
        column = column if column in _SORT_KEYS or column == LEAST_CONFIDENT else -1
        if (column, order) == (self._sort_column, self._sort_order) and column != LEAST_CONFIDENT:
            return  # the order it has (the view asks once as sorting is switched on)
        self._sort_column = column
        self._sort_order = order
        self._apply(self._query_ids())

    # --------------------------------------------------------------- public API
    def set_filter(self, status: str | None = None, label: str | None = None, text: str | None = None) -> None:
        """Show only documents with this status, having a non-rejected span of this label,
        and containing this text in the title or text (exact, ASCII letters in any case).
        None or empty means no condition."""
        if status is not None and status not in DOC_STATUSES:
            raise ValueError(f"unknown status {status!r}")
        self._status = status or None
        self._label = label or None
        self._text = text or None
        self._apply(self._query_ids())

    @property
    def filter(self) -> dict[str, str | None]:
        return {"status": self._status, "label": self._label, "text": self._text}

    def doc_id_at(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, doc_id: int) -> int | None:
        # The first few lookups scan the array (in C, ~0.1 ms for 28,000 ids); a dict of
        # every id (~8 ms to build) only once the list is used more, not while opening.
        rows = self._rows
        if rows is None:
            self._scans += 1
            if self._scans <= ROW_SCANS:
                try:
                    return self._ids.index(doc_id)
                except ValueError:
                    return None
            rows = self._rows = {doc_id: row for row, doc_id in enumerate(self._ids)}
        return rows.get(doc_id)

    def ids(self) -> array:
        """A copy of the ids in the current order (for the benchmark and tests)."""
        return array("q", self._ids)

    def refresh(self) -> None:
        """Read the ids again (documents added, removed, or no longer matching the filter)."""
        self._cache.clear()
        self._apply(self._query_ids())

    def refresh_document(self, doc_id: int) -> None:
        """One document's title, status or open suggestions changed. It keeps its row even if
        it no longer matches the filter, so the reviewer's place in the list does not jump."""
        before = self._cache.pop(doc_id, None)
        row = self.row_of(doc_id)
        if row is None:
            return
        first, last = 0, len(HEADERS) - 1
        if before is not None:  # shown already: repaint only the cells that changed
            shown = [_cells(before), _cells(self._row_data(row))]
            changed = [c for c in range(len(HEADERS)) if shown[0][c] != shown[1][c]]
            if not changed:
                return
            first, last = changed[0], changed[-1]
        self.dataChanged.emit(self.index(row, first), self.index(row, last))

    def cached_rows(self) -> int:
        return len(self._cache)

    # ---------------------------------------------------------------- internals
    def _query_ids(self) -> array:
        # From the small status rows alone when neither a text nor a column of the documents
        # is asked for: joined, every id would be looked up in the table of texts (~37 ms
        # against ~3 ms for one status of the 28,555-article corpus).
        needs_status = bool(self._status) or self._sort_column == STATUS
        needs_documents = bool(self._text) or self._sort_column in (TITLE, DATE, OPEN)
        if not needs_status:
            source, key = "documents", "id"
        elif needs_documents:
            source, key = WITH_STATUS, "id"
        else:
            source, key = "document_status", "doc_id"
        where: list[str] = []
        params: list[Any] = []
        if self._status:
            where.append("status = ?")
            params.append(self._status)
        if self._label:
            label_id = next((lb.id for lb in self._project.labels() if lb.name == self._label), None)
            if label_id is None:
                return array("q")
            # Through the spans_label index: the matching documents are found once, not per row.
            where.append(f"{key} IN (SELECT doc_id FROM spans WHERE label_id = ? AND state != '{REJECTED}')")
            params.append(label_id)
        if self._text:
            # A scan of the text column: FTS5's trigram index cannot match fewer than three
            # characters (SQLite 3.40), and two-character Thai words are common. The scan is
            # a bytes search in Python rather than instr()/LIKE: on the 28,555-article corpus
            # instr() took ~1.2 s and LIKE ~1 s for a Thai word, this ~0.26 s (measured).
            needle = self._text.encode("utf-8")
            fold = any(c.isascii() and c.isalpha() for c in self._text)
            where.append(f"({_CONTAINS}(CAST(title AS BLOB), ?, ?) OR {_CONTAINS}(CAST(text AS BLOB), ?, ?))")
            params += [needle.lower() if fold else needle, fold] * 2
        sql = f"SELECT {key} AS id FROM {source}"
        if where:
            sql += " WHERE " + " AND ".join(where)
        descending = self._sort_order == Qt.SortOrder.DescendingOrder
        if self._sort_column == LEAST_CONFIDENT:
            from annotator.jobs.queue import order_ids, uncertainty

            ids = [r[0] for r in self._project.query(sql, params)]
            return array("q", order_ids(ids, uncertainty(self._project), descending))
        direction = "DESC" if descending else "ASC"
        if self._sort_column in _SORT_KEYS:
            keys = [k.format(dir=direction) for k in _SORT_KEYS[self._sort_column]]
            sql += " ORDER BY " + ", ".join(keys) + f", {key} {direction}"
            return array("q", (r[0] for r in self._project.query(sql, params)))
        # By id: sorting the ids here lets SQLite read them from a small index instead of
        # walking the whole table, which holds every article's text.
        ids = _id_array(self._project, sql, params)
        return array("q", sorted(ids, reverse=descending))

    def _apply(self, ids: array) -> None:
        """Swap in a new id list as a layout change, so selections follow their documents."""
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_ids = [self._ids[i.row()] if 0 <= i.row() < len(self._ids) else None for i in old]
        self._ids = ids
        self._rows = None
        self._scans = 0
        new = []
        for index, doc_id in zip(old, old_ids):
            row = self.row_of(doc_id) if doc_id is not None else None
            new.append(self.index(row, index.column()) if row is not None else QModelIndex())
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    def _row_data(self, row: int) -> RowData:
        doc_id = self._ids[row]
        item = self._cache.get(doc_id)
        if item is not None:
            self._cache.move_to_end(doc_id)
            return item
        self._fetch_block(row)
        return self._cache[doc_id]

    def _fetch_block(self, row: int) -> None:
        start = row - row % BLOCK
        wanted = [d for d in self._ids[start : start + BLOCK] if d not in self._cache]
        sql = _ROW_SQL.format(marks=",".join("?" * len(wanted)))
        self.fetch_count += 1
        for r in self._project.query(sql, wanted):
            self._cache[r[0]] = RowData(r[1], bool(r[2]), r[3], r[4], r[5])
        for doc_id in wanted:
            if doc_id not in self._cache:  # deleted since the ids were read; shown until refresh
                self._cache[doc_id] = _GONE
        while len(self._cache) > CACHE_ROWS:
            self._cache.popitem(last=False)


def _cells(item: RowData) -> tuple:
    """What each column of a row shows of ``item`` (by column)."""
    return ((item.title, item.has_title), item.date, item.status, item.open_suggestions)


_CONTAINS = "annotator_contains"


def _contains(haystack: bytes | None, needle: bytes, fold: int) -> bool:
    """Exact substring test on UTF-8 bytes. A UTF-8 needle can only match at character
    boundaries, so this is a character search. ``fold`` lowers ASCII letters only (the
    bytes of Thai characters are all >= 0x80 and stay as they are)."""
    if haystack is None:
        return False
    return needle in (haystack.lower() if fold else haystack)


def _register_contains(project: Project) -> None:
    # Registered on the project's own connection (through its public sqlite-utils handle)
    # so the search runs in the same query, under the same lock, as every other read.
    project.db.register_function(_contains, deterministic=True, name=_CONTAINS)  # once per project


def _first_line(text: str) -> str:
    line = text.strip().split("\n", 1)[0].strip()
    return line[:120]
