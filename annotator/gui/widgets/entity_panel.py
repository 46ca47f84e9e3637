"""Every span of the shown document in a table: text, label, state, origin, confidence.

Clicking a row selects that span in the text. The rows are the window's latest read of
the project (replaced whole after each edit), not a second copy to keep in step: the
model only formats what it is given.
"""

from __future__ import annotations

from typing import Any, Sequence

from PySide6.QtCore import QAbstractTableModel, QItemSelectionModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QVBoxLayout, QWidget

from annotator.core.model import REJECTED, SUGGESTED, Label, Span
from annotator.gui.widgets.pictured_table import ALIGNMENT, DECORATION, DISPLAY, FONT, FOREGROUND, PicturedTable

TEXT, LABEL, STATE, ORIGIN, CONFIDENCE = range(5)
HEADERS = ("Text", "Label", "State", "Origin", "Conf.")
STATE_NAMES = {SUGGESTED: "suggestion", "accepted": "accepted", REJECTED: "rejected", "edited": "edited",
               "manual": "manual"}
SNIPPET = 60  # characters of a long span shown in its row
SpanIdRole = Qt.ItemDataRole.UserRole + 1

# data() runs for every cell and role on each repaint: compare plain ints, build flags once.
_DISPLAY, _DECORATION, _FOREGROUND, _FONT, _ALIGNMENT = DISPLAY, DECORATION, FOREGROUND, FONT, ALIGNMENT
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_SPAN_ID = int(SpanIdRole)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
_UNANSWERED = frozenset({int(Qt.ItemDataRole.CheckStateRole.value), int(Qt.ItemDataRole.BackgroundRole.value)})


class SpanTableModel(QAbstractTableModel):
    """One row per span of one document, in text order."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._text = ""
        self._spans: list[Span] = []
        self._rows: dict[int, int] = {}
        self._shown: dict[int, tuple[str, ...]] = {}
        self._colors: dict[str, QColor] = {}
        self._grey = QBrush(QColor("#9a9a9a"))
        self._struck = QFont()
        self._struck.setStrikeOut(True)
        self._italic = QFont()
        self._italic.setItalic(True)

    def set_labels(self, labels: Sequence[Label]) -> None:
        self._colors = {label.name: QColor(label.color) for label in labels}
        self._shown = {}  # the swatches change
        if self._spans:
            self.dataChanged.emit(self.index(0, LABEL), self.index(len(self._spans) - 1, LABEL))

    def set_spans(self, text: str, spans: Sequence[Span]) -> None:
        """Show ``spans`` (sorted by position). For the same text the table changes by
        difference: runs of rows removed and inserted where the ids differ (an edit, what
        its propagation added or replaced) and ``dataChanged`` for each row whose span
        changed, so the view keeps its scroll position and repaints only those rows,
        not a thousand of them per keystroke. A new text resets the model."""
        spans = list(spans)
        same_text = text is self._text or text == self._text
        if not same_text or not self._spans or not spans:
            self._reset(text, spans)
            return
        old = self._spans
        old_ids = [s.id for s in old]
        new_ids = [s.id for s in spans]
        if old_ids != new_ids:
            steps = _row_steps(old_ids, new_ids)
            if steps is None:  # too different: one reset is cheaper than many moves
                self._reset(text, spans)
                return
            rows = list(old)  # what rowCount() and data() see between the steps
            by_id = {s.id: s for s in spans}
            for kind, at, items in steps:  # from the end: earlier rows keep their numbers
                if kind == "remove":
                    self.beginRemoveRows(QModelIndex(), at, at + items - 1)
                    del rows[at:at + items]
                    self._spans = rows
                    self.endRemoveRows()
                else:
                    self.beginInsertRows(QModelIndex(), at, at + len(items) - 1)
                    rows[at:at] = [by_id[i] for i in items]
                    self._spans = rows
                    self.endInsertRows()
        before = {s.id: s for s in old}
        self._set(spans, keep=before)
        last = len(HEADERS) - 1
        for row, span in enumerate(spans):
            was = before.get(span.id)
            if was is not None and was is not span and was != span:  # most are the same objects
                self.dataChanged.emit(self.index(row, 0), self.index(row, last))

    def _set(self, spans: list[Span], keep: dict[int, Span] | None = None) -> None:
        """Hold ``spans``; rows worked out for a span that is unchanged (``keep``: the
        spans shown before, by id) are kept, the others are made when first painted."""
        self._spans = spans
        self._rows = {s.id: row for row, s in enumerate(spans)}
        if keep is None:
            self._shown = {}
        else:
            shown = self._shown
            self._shown = {s.id: shown[s.id] for s in spans
                           if s.id in shown and ((was := keep.get(s.id)) is s or was == s)}

    def _reset(self, text: str, spans: list[Span]) -> None:
        self.beginResetModel()
        self._text = text
        self._set(spans)
        self.endResetModel()

    def row_of(self, span_id: int) -> int | None:
        return self._rows.get(span_id)

    def span_at(self, row: int) -> Span:
        return self._spans[row]

    def spans(self) -> list[Span]:
        return self._spans

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._spans)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(HEADERS)

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _FLAGS

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(HEADERS):
            return HEADERS[section]
        return None

    def data(self, index: QModelIndex, role: int = _DISPLAY) -> Any:
        # Qt asks seven roles of every cell it paints: each row's answers are worked out
        # once (a tuple per role, by column), so a call is two lookups.
        role = int(role)
        if role in _UNANSWERED:
            return None
        row = index.row()
        if not (0 <= row < len(self._spans)):
            return None  # an invalid index has row -1
        if role == _SPAN_ID:
            return self._spans[row].id
        by_column = self.row_answers(row).get(role)
        if by_column is None:
            return None
        column = index.column()
        return by_column[column] if 0 <= column < len(by_column) else None

    def row_answers(self, row: int) -> dict[int, tuple] | None:
        """Role -> the answer per column of ``row`` (what data() gives, for the painter)."""
        if not (0 <= row < len(self._spans)):
            return None
        span = self._spans[row]
        shown = self._shown.get(span.id)
        if shown is None:
            shown = self._shown[span.id] = self._row_answers(span)
        return shown

    def _row_answers(self, span: Span) -> dict[int, tuple]:
        """Role -> the row's answer per column."""
        text = self._text[span.start:span.end].replace("\n", " ")
        tooltip = (f"{span.label} · {STATE_NAMES.get(span.state, span.state)} · {span.origin}"
                   f"{' ' + span.model_version if span.model_version else ''}"
                   f" · characters {span.start}–{span.end}")
        answers: dict[int, tuple] = {
            _DISPLAY: (
                text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…",
                span.label,
                STATE_NAMES.get(span.state, span.state),
                span.origin,
                "—" if span.confidence is None else f"{span.confidence:.2f}",
            ),
            _TOOLTIP: (tooltip,) * len(HEADERS),
            _DECORATION: (None, self._colors.get(span.label), None, None, None),
            _ALIGNMENT: (None, None, None, None, _RIGHT),
        }
        if span.state == REJECTED:
            answers[_FOREGROUND] = (self._grey,) * len(HEADERS)
            answers[_FONT] = (self._struck,) * len(HEADERS)
        elif span.state == SUGGESTED:
            answers[_FONT] = (None, None, self._italic, None, None)
        return answers


def _row_steps(old: list[int], new: list[int]) -> list[tuple[str, int, Any]] | None:
    """Row removals and insertions turning ``old`` ids into ``new`` (both in text order,
    each id once), last first: ("remove", row, count) or ("insert", row, ids). One walk
    of both lists; None when the ids kept changed order (an edge moved past another
    span) or more than :data:`MOVES` runs would be needed."""
    gone, added = set(old) - set(new), set(new) - set(old)
    steps: list[tuple[str, int, Any]] = []
    i = j = 0
    while i < len(old) or j < len(new):
        if i < len(old) and j < len(new) and old[i] == new[j]:
            i += 1
            j += 1
        elif i < len(old) and old[i] in gone:
            k = i
            while k < len(old) and old[k] in gone:
                k += 1
            steps.append(("remove", i, k - i))
            i = k
        elif j < len(new) and new[j] in added:
            k = j
            while k < len(new) and new[k] in added:
                k += 1
            steps.append(("insert", i, new[j:k]))
            j = k
        else:
            return None  # the same ids in another order
        if len(steps) > MOVES:
            return None
    # Last first; at one place the removal before the insertion (the insertion goes
    # where the removed rows were).
    return sorted(steps, key=lambda st: (st[1], st[0] == "remove"), reverse=True)


MOVES = 64  # runs of rows; beyond that one reset repaints less than many moves


class SpanTable(PicturedTable):
    """The span table: rows painted from kept pictures (see ``pictured_table``), the
    model's worked-out row answers read directly instead of through data()."""


class EntityPanel(QWidget):
    """The shown document's spans; a click selects the span in the text."""

    spanActivated = Signal(int)  # span id

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("EntityPanel")
        self.summary = QLabel(self)
        self.summary.setObjectName("EntitySummary")
        self.model = SpanTableModel(self)
        self._scratch = SpanTableModel(self)  # another document's rows, drawn in advance
        self.table = SpanTable(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab goes to the next suggestion, not the next cell
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(TEXT, QHeaderView.ResizeMode.Stretch)
        # Fixed widths from the longest possible value: sizing to contents would read every
        # row of a thousand-span article after each keystroke.
        metrics = self.table.fontMetrics()
        for column, longest in ((STATE, "suggestion"), (ORIGIN, "gazetteer"), (CONFIDENCE, "Conf. 0.00")):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, metrics.horizontalAdvance(longest) + 18)
        header.setSectionResizeMode(LABEL, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(LABEL, metrics.horizontalAdvance("ORGANIZATION") + 40)  # swatch and margins
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        self.table.clicked.connect(self._on_clicked)
        self.table.activated.connect(self._on_clicked)
        self._update_summary()

    def set_labels(self, labels: Sequence[Label]) -> None:
        self.model.set_labels(labels)
        self._scratch.set_labels(labels)
        longest = max((self.table.fontMetrics().horizontalAdvance(label.name) for label in labels), default=60)
        self.table.horizontalHeader().resizeSection(LABEL, longest + max(self.table.iconSize().width(), 16) + 28)

    def set_spans(self, text: str, spans: Sequence[Span]) -> None:
        selected = self.selected_span_id()
        self.model.set_spans(text, spans)
        self._update_summary()
        if selected is not None:
            self.select_span(selected)

    def prepare(self, text: str, spans: Sequence[Span], selected: int | None) -> None:
        """Draw in advance the rows that showing ``spans`` with span ``selected`` selected
        will put on screen (meant for idle time: nothing shown changes)."""
        if not self.table.isVisible():
            return
        scratch = self._scratch
        scratch.set_spans(text, spans)
        shown = self.table.rows_on_screen()
        row = scratch.row_of(selected) if selected is not None else None
        top = 0 if row is None or row < shown else row - shown + 1  # where scrollTo leaves it
        self.table.prepare(scratch, range(top, top + shown), row)
        scratch.set_spans("", [])

    def selected_span_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.span_at(rows[0].row()).id if rows else None

    def select_span(self, span_id: int | None) -> None:
        """Follow the text's selected span (without emitting spanActivated)."""
        selection = self.table.selectionModel()
        row = self.model.row_of(span_id) if span_id is not None else None
        if row is None:
            selection.clearSelection()
            return
        index = self.model.index(row, 0)
        selection.setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.scrollTo(index)

    def _on_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.spanActivated.emit(self.model.span_at(index.row()).id)

    def _update_summary(self) -> None:
        spans = self.model.spans()
        open_ = sum(1 for s in spans if s.state == SUGGESTED)
        rejected = sum(1 for s in spans if s.state == REJECTED)
        kept = len(spans) - open_ - rejected
        self.summary.setText(f"{kept} confirmed · {open_} open suggestions · {rejected} rejected")


__all__ = ["EntityPanel", "SpanTable", "SpanTableModel", "SpanIdRole"]
