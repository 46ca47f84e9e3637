"""A table view that paints a row at a time from kept pictures of rows.

Qt's delegate asks data() for seven roles of every cell and lays its text out again at
each paint: with Thai text that was a third of an article switch in the entity table, and
as much again after a keystroke, since inserting a row repaints the whole table. Here a
row is drawn once into a pixmap, kept by what it shows (the texts, colours, fonts,
selection, alternate shading, column widths), and a paint is one copy per row;
:meth:`PicturedTable.prepare` draws another model's rows in advance (idle time).

A model may answer ``row_answers(row)``: role -> the row's answer per column (the roles
below), worked out once per row; any other model is asked through data(). Only text,
a colour swatch (a QColor decoration), font, text colour and right alignment are shown.
"""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QAbstractItemModel, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPixmap, QStaticText, QTransform
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem, QTableView, QWidget

DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
DECORATION = int(Qt.ItemDataRole.DecorationRole.value)
FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
FONT = int(Qt.ItemDataRole.FontRole.value)
ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole.value)
_ALIGN_RIGHT = int(Qt.AlignmentFlag.AlignRight.value)


def answers_from_data(model: QAbstractItemModel, row: int, columns: int) -> dict[int, tuple]:
    """What ``row_answers`` would give, asked of a model through data()."""
    cells = [model.index(row, c) for c in range(columns)]

    def ask(role: int) -> list:
        return [model.data(index, role) for index in cells]

    display = tuple("" if v is None else str(v) for v in ask(DISPLAY))
    decoration = tuple(v if isinstance(v, QColor) else None for v in ask(DECORATION))
    alignment = tuple(True if v is not None and int(v) & _ALIGN_RIGHT else None for v in ask(ALIGNMENT))
    answers: dict[int, tuple] = {DISPLAY: display, DECORATION: decoration, ALIGNMENT: alignment}
    fonts = ask(FONT)
    if any(isinstance(f, QFont) for f in fonts):
        answers[FONT] = tuple(f if isinstance(f, QFont) else None for f in fonts)
    colors = [QBrush(v) if isinstance(v, QColor) else v for v in ask(FOREGROUND)]
    if any(isinstance(c, QBrush) for c in colors):
        answers[FOREGROUND] = tuple(c if isinstance(c, QBrush) else None for c in colors)
    return answers


class PicturedTable(QTableView):
    """A QTableView whose rows are painted from kept pictures (see the module docstring)."""

    MARGIN = 4
    SWATCH = 12
    KEPT_ROWS = 256  # row pictures kept: a few screens (about 40 KB each at 1x)
    KEPT_TEXTS = 4096  # laid-out cell texts kept

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._pictures: OrderedDict[tuple, QPixmap] = OrderedDict()
        self._texts: dict[tuple, QStaticText] = {}
        self.rows_drawn = 0  # pictures made (not found kept): for tests and benchmarks

    def paintEvent(self, e) -> None:  # noqa: N802 (Qt's name)
        model = self.model()
        if model is None or not model.rowCount():
            super().paintEvent(e)
            return
        rect = e.rect()
        first = self.rowAt(rect.top())
        if first < 0:
            return  # below the last row: the background is painted already
        last = self.rowAt(rect.bottom())
        last = model.rowCount() - 1 if last < 0 else last
        selected = {i.row() for i in self.selectionModel().selectedRows()}
        left = self.columnViewportPosition(0)
        geometry = self._geometry(model)
        painter = QPainter(self.viewport())
        try:
            for row in range(first, last + 1):
                picture = self._picture(model, row, row in selected, geometry)
                if picture is not None:
                    painter.drawPixmap(left, self.rowViewportPosition(row), picture)
        finally:
            painter.end()

    def prepare(self, model: QAbstractItemModel, rows: range, selected: int | None = None) -> None:
        """Draw the pictures of ``rows`` of ``model`` (not the one shown) now, row
        ``selected`` as selected."""
        geometry = self._geometry(model)
        for row in rows:
            if 0 <= row < model.rowCount():
                self._picture(model, row, row == selected, geometry)

    def rows_on_screen(self) -> int:
        return self.viewport().height() // max(1, self.verticalHeader().defaultSectionSize()) + 1

    def _answers(self, model: QAbstractItemModel, row: int) -> dict[int, tuple] | None:
        fast = getattr(model, "row_answers", None)
        if fast is not None:
            return fast(row)
        if not 0 <= row < model.rowCount():
            return None
        return answers_from_data(model, row, model.columnCount())

    def _geometry(self, model: QAbstractItemModel) -> tuple:
        """What a row's picture depends on besides its cells: (column widths, row height,
        device pixel ratio, alternate shading, font key)."""
        return (tuple(self.columnWidth(c) for c in range(model.columnCount())),
                self.verticalHeader().defaultSectionSize(), self.devicePixelRatioF(),
                self.alternatingRowColors(), self.font().key())

    def _picture(self, model: QAbstractItemModel, row: int, selected: bool, geometry: tuple) -> QPixmap | None:
        answers = self._answers(model, row)
        if answers is None:
            return None
        widths, height, ratio, alternating, _ = geometry
        fonts, colors = answers.get(FONT), answers.get(FOREGROUND)
        shaded = alternating and row % 2 == 1
        key = (answers[DISPLAY], tuple(f.key() if f is not None else None for f in fonts) if fonts else None,
               tuple(c.color().rgba() if c is not None else None for c in colors) if colors else None,
               tuple(d.rgba() if d is not None else None for d in answers[DECORATION]), answers[ALIGNMENT],
               selected, shaded, geometry)
        pictures = self._pictures
        picture = pictures.get(key)
        if picture is not None:
            pictures.move_to_end(key)
            return picture
        picture = pictures[key] = self._draw_row(answers, selected, shaded, widths, height, ratio)
        self.rows_drawn += 1
        while len(pictures) > self.KEPT_ROWS:
            pictures.popitem(last=False)
        return picture

    def _draw_row(self, answers: dict, selected: bool, shaded: bool, widths: tuple, height: int,
                  ratio: float) -> QPixmap:
        palette = self.palette()
        picture = QPixmap(max(1, round(sum(widths) * ratio)), max(1, round(height * ratio)))
        picture.setDevicePixelRatio(ratio)
        background = palette.highlight() if selected else palette.alternateBase() if shaded else palette.base()
        picture.fill(background.color())
        painter = QPainter(picture)
        try:
            option = QStyleOptionViewItem()
            option.initFrom(self)  # the style gives the grid's colour only with an option
            grid = QColor.fromRgba(self.style().styleHint(QStyle.StyleHint.SH_Table_GridLineColor, option, self)
                                   & 0xFFFFFFFF)
            fonts, colors = answers.get(FONT), answers.get(FOREGROUND)
            x = 0
            for column, width in enumerate(widths):
                left, right = x + self.MARGIN, x + width - self.MARGIN
                swatch = answers[DECORATION][column]
                if swatch is not None:
                    box = QRectF(left, (height - self.SWATCH) / 2, self.SWATCH, self.SWATCH)
                    painter.fillRect(box, swatch)
                    painter.setPen(swatch.darker(150))
                    painter.drawRect(box)
                    left += self.SWATCH + self.MARGIN
                text = answers[DISPLAY][column]
                if text and right > left:
                    font = (fonts[column] if fonts else None) or self.font()
                    if selected:
                        painter.setPen(palette.highlightedText().color())
                    elif colors and colors[column] is not None:
                        painter.setPen(colors[column].color())
                    else:
                        painter.setPen(palette.text().color())
                    painter.setFont(font)
                    static = self._static(text, font, int(right - left))
                    size = static.size()
                    at = max(left, right - size.width()) if answers[ALIGNMENT][column] is not None else left
                    painter.drawStaticText(QPointF(at, (height - size.height()) / 2), static)
                x += width
                if self.showGrid():  # Qt's grid: a line along each cell's right and bottom edge
                    painter.setPen(grid)
                    painter.drawLine(x - 1, 0, x - 1, height - 1)
            if self.showGrid():
                painter.drawLine(0, height - 1, x - 1, height - 1)
        finally:
            painter.end()
        return picture

    def _static(self, text: str, font: QFont, width: int) -> QStaticText:
        key = (text, font.key(), width)
        static = self._texts.get(key)
        if static is None:
            if len(self._texts) >= self.KEPT_TEXTS:
                self._texts.clear()
            shown = QFontMetricsF(font).elidedText(text, Qt.TextElideMode.ElideRight, max(0, width))
            static = self._texts[key] = QStaticText(shown)
            static.setTextFormat(Qt.TextFormat.PlainText)
            static.prepare(QTransform(), font)
        return static


__all__ = ["PicturedTable", "answers_from_data"]
