"""Edit -> Annotator name…: the name this project records with every change."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget


def ask_annotator_name(parent: QWidget, current: str) -> str | None:
    """The new name, or None when cancelled or left empty."""
    name, ok = QInputDialog.getText(
        parent, "Annotator name", "Your name, recorded as the author of every span and change:",
        QLineEdit.EchoMode.Normal, current)
    name = name.strip() if ok else ""
    return name or None


__all__ = ["ask_annotator_name"]
