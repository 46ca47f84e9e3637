"""Find in the document: a bar over the text (Ctrl+F) whose match becomes the selection,
so a label key labels it at once.

Typing selects the first match from where the selection starts (the match shown stays
while the needle grows); Return hands that match to the text, so a label key labels it
next; Shift+Return goes to the previous match; F3 / Shift+F3 go to the next / previous
match from anywhere in the window; Esc closes the bar. Matching is exact (Thai has no
case), wrapping at the end of the document.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget


def find_next(text: str, needle: str, start: int, end: int, forward: bool,
              incremental: bool = False) -> tuple[int, int] | None:
    """The next match of ``needle`` after the selection [start, end) (before it, going
    back), wrapping around the text; None when there is none. ``incremental`` (the
    needle grew by typing) may keep the match where the selection starts. Code points,
    end-exclusive."""
    if not needle:
        return None
    if forward:
        pos = text.find(needle, start + 1 if end > start and not incremental else start)
        if pos < 0:
            pos = text.find(needle)
    else:
        pos = text.rfind(needle, 0, max(0, start - 1 + len(needle)))
        if pos < 0 or pos >= start:
            pos = text.rfind(needle)
    return (pos, pos + len(needle)) if pos >= 0 else None


def count(text: str, needle: str) -> int:
    return text.count(needle) if needle else 0


class FindBar(QWidget):
    """The find field. ``search(needle, forward)`` asks the window to move to a match."""

    search = Signal(str, bool, bool)  # needle, forward, incremental (typed)
    chosen = Signal(str)  # Return: the text should take the match of this needle
    closed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("Find in this document (Return: next, Shift+Return: previous, Esc: close)")
        self.edit.setClearButtonEnabled(True)
        self.status = QLabel(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.addWidget(QLabel("Find:", self))
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.status)
        self.edit.installEventFilter(self)
        self.edit.textEdited.connect(lambda needle: self.search.emit(needle, True, True))
        self.hide()

    @property
    def needle(self) -> str:
        return self.edit.text()

    def open(self, initial: str = "") -> None:
        if initial:
            self.edit.setText(initial)
        self.show()
        self.edit.setFocus()
        self.edit.selectAll()

    def show_result(self, found: int | None, total: int) -> None:
        """``found``: the 1-based number of the match now selected, None if none."""
        if not self.needle:
            self.status.clear()
        elif found is None:
            self.status.setText("not found")
        else:
            self.status.setText(f"{found} of {total}")

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.edit and isinstance(event, QKeyEvent) and event.type() == QKeyEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                    self.search.emit(self.needle, False, False)
                else:
                    self.chosen.emit(self.needle)
                self.closed.emit()  # the keyboard goes back to the text, the match selected
                return True
            if key == Qt.Key.Key_Escape:
                self.hide()
                self.closed.emit()
                return True
        return super().eventFilter(watched, event)
