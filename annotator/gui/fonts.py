"""Choosing a font that can show Thai, and saying what to install when there is none.

Without a Thai font Qt draws every Thai character as an empty box, and the reviewer
sees nothing wrong in the program, only unreadable text. So the window checks at start
and says which package fixes it.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase

# Tried in order; the first installed wins. Loma/Garuda/Norasi come with fonts-thai-tlwg
# (Debian/Ubuntu), the Noto ones with fonts-noto-core, Leelawadee and Tahoma with Windows,
# Thonburi with macOS.
PREFERRED = (
    "Noto Sans Thai",
    "Noto Sans Thai UI",
    "Sarabun",
    "Loma",
    "Garuda",
    "Leelawadee UI",
    "Leelawadee",
    "Thonburi",
    "Tahoma",
    "Norasi",
    "Kinnari",
    "Tlwg Typo",
)
INSTALL_HINT = (
    "No font that can show Thai is installed: Thai text will appear as empty boxes. "
    "Install one, e.g. on Debian/Ubuntu: sudo apt-get install fonts-thai-tlwg"
)
TEXT_POINT_SIZE = 14


def thai_families() -> list[str]:
    """Installed font families that declare Thai support."""
    return list(QFontDatabase.families(QFontDatabase.WritingSystem.Thai))


def thai_family() -> str | None:
    """The best installed Thai-capable family, or None when there is none."""
    installed = thai_families()
    if not installed:
        return None
    lowered = {name.lower(): name for name in installed}
    for name in PREFERRED:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return installed[0]


def missing_thai_font_message() -> str | None:
    """What to tell the user when no Thai font is installed, else None."""
    return None if thai_family() else INSTALL_HINT


def text_font(point_size: int = TEXT_POINT_SIZE) -> QFont:
    """The font for article text: a Thai-capable family when there is one."""
    family = thai_family()
    font = QFont(family) if family else QFont()
    font.setPointSize(point_size)
    return font


__all__ = ["INSTALL_HINT", "missing_thai_font_message", "text_font", "thai_family", "thai_families"]
