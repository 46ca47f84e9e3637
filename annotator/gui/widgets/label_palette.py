"""The labels as coloured buttons with their hotkeys; clicking one applies it.

The buttons never take the keyboard focus, so clicking one leaves the selection in the
text (and the review keys) where they were.
"""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGridLayout, QPushButton, QVBoxLayout, QWidget

from annotator.core.model import Label
from annotator.gui.actions import key_text
from annotator.gui.plain_text import display_name, plain_tooltip

COLUMNS = 2


def _text_color(background: QColor) -> str:
    """Black or white, whichever reads better on ``background``."""
    luminance = 0.299 * background.red() + 0.587 * background.green() + 0.114 * background.blue()
    return "#111111" if luminance > 140 else "#ffffff"


class LabelPalette(QWidget):
    """One button per label: name, colour and hotkey; plus Labels… to manage them."""

    labelChosen = Signal(str)  # label name
    manageRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("LabelPalette")
        self._grid = QGridLayout()
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(4)
        self.buttons: dict[str, QPushButton] = {}
        self.manage_button = QPushButton("Labels…", self)
        self.manage_button.setToolTip("Add, rename, recolour or remove labels; set hotkeys")
        self.manage_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.manage_button.clicked.connect(self.manageRequested)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self._grid)
        layout.addWidget(self.manage_button, 0, Qt.AlignmentFlag.AlignRight)

    def set_labels(self, labels: Sequence[Label]) -> None:
        for button in self.buttons.values():
            self._grid.removeWidget(button)
            button.deleteLater()
        self.buttons = {}
        for i, label in enumerate(labels):
            hotkey = f"  [{key_text(label.hotkey)}]" if label.hotkey else ""
            button = QPushButton(f"{display_name(label.name)}{hotkey}", self)
            button.setObjectName(f"label-{label.name}")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            color = QColor(label.color)
            button.setStyleSheet(
                f"QPushButton {{ background: {color.name()}; color: {_text_color(color)};"
                f" border: 1px solid {color.darker(150).name()}; border-radius: 3px;"
                f" padding: 3px 6px; text-align: left; }}"
                f" QPushButton:pressed {{ background: {color.darker(120).name()}; }}"
            )
            tip = label.description or label.name
            if label.hotkey:
                tip += f"\nHotkey: {key_text(label.hotkey)}"
            button.setToolTip(plain_tooltip(tip))
            button.clicked.connect(lambda _checked=False, name=label.name: self.labelChosen.emit(name))
            self._grid.addWidget(button, i // COLUMNS, i % COLUMNS)
            self.buttons[label.name] = button


__all__ = ["LabelPalette"]
