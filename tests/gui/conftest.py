"""Fixtures for window tests: offscreen Qt, settings and project files per test.

QT_QPA_PLATFORM must be set before Qt is first imported, which is why it is set at the
top of this file rather than in a fixture.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import itertools  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QCoreApplication, QSettings  # noqa: E402

from annotator.core.model import DocumentData, SpanData  # noqa: E402
from annotator.store.project import Project  # noqa: E402

_runs = itertools.count()

# Two short articles. Offsets below are found by searching the text, so editing a
# sentence cannot silently move a test's span.
ARTICLE_1 = (
    "สสอช. เปิดตัวแพลตฟอร์มข้อมูลเมือง\n"
    "\n"
    "วันอังคารที่ 14 มกราคม 2568\n"
    "นายธนกฤต วงศ์ประเสริฐ ผู้อำนวยการสำนักงานส่งเสริมเมืองอัจฉริยะแห่งชาติ เปิดเผยว่า "
    "ได้ลงนามกับบริษัท สยามดาต้าลิงก์ จำกัด เพื่อพัฒนาแพลตฟอร์มข้อมูลเมืองในจังหวัดขอนแก่น "
    "ใช้งบประมาณ 450 ล้านบาท คาดว่าจะลดการใช้พลังงานได้ร้อยละ 15 ภายในปี 2570\n"
    "สอบถามโทร. 02 141 7788\n"
)
ARTICLE_2 = (
    "คาดเศรษฐกิจดิจิทัลไทยโต\n"
    "\n"
    "ดร.วิไลวรรณ ทองคำ แถลงที่กรุงเทพมหานคร ว่ามูลค่าเศรษฐกิจดิจิทัลอยู่ที่ 3.2 ล้านล้านบาท 📈 "
    "และจะขยายตัวได้ร้อยละ 9.5\n"
)
ARTICLE_3 = "ข่าวสั้น\n\nนายกิตติพัฒน์ แสงอรุณ กล่าวที่จังหวัดเชียงใหม่\n"


def find(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """(start, end) code points of the nth occurrence of ``needle`` in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def _suggestions(text: str, items: list[tuple[str, str, float]]) -> list[SpanData]:
    return [SpanData(*find(text, needle), label, origin="model", confidence=conf) for needle, label, conf in items]


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    """Each test its own QSettings file and projects folder: nothing leaks between tests
    or into the developer's real settings."""
    settings_dir = tmp_path / "settings"
    settings_dir.mkdir()
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(settings_dir))
    QCoreApplication.setOrganizationName(f"ThaiNER-test-{next(_runs)}")
    QCoreApplication.setApplicationName("Annotator-test")
    monkeypatch.setenv("ANNOTATOR_PROJECTS", str(tmp_path / "projects"))
    yield settings_dir


@pytest.fixture
def project_path(tmp_path) -> Path:
    """A project with three documents; the first two carry model suggestions."""
    path = tmp_path / "test.annot"
    project = Project.create(path, annotator="tester")
    project.add_document(DocumentData(ARTICLE_1, {"title": "สสอช. เปิดตัวแพลตฟอร์มข้อมูลเมือง"}, _suggestions(ARTICLE_1, [
        ("นายธนกฤต วงศ์ประเสริฐ", "PERSON", 0.91),
        ("สำนักงานส่งเสริมเมืองอัจฉริยะแห่งชาติ", "ORGANIZATION", 0.74),
        ("จังหวัดขอนแก่น", "LOCATION", 0.88),
        ("450 ล้านบาท", "MONEY", 0.9),
        ("ร้อยละ 15", "PERCENT", 0.9),
    ])))
    project.add_document(DocumentData(ARTICLE_2, {}, _suggestions(ARTICLE_2, [
        ("ดร.วิไลวรรณ ทองคำ", "PERSON", 0.82),
        ("3.2 ล้านล้านบาท", "MONEY", 0.9),
    ])))
    project.add_document(DocumentData(ARTICLE_3, {}, []))
    project.close()
    return path


@pytest.fixture
def project(project_path):
    project = Project.open(project_path)
    yield project
    project.close()


@pytest.fixture
def window(qtbot, project):
    """The main window on the test project, showing document 1, text focused."""
    from annotator.gui.main_window import MainWindow

    win = MainWindow(project, remember=False)
    qtbot.addWidget(win)
    win.resize(1300, 800)
    win.show()
    qtbot.waitExposed(win)
    win.show_document(1)
    win.text_view.setFocus()
    qtbot.waitUntil(lambda: win.text_view.hasFocus())
    return win


class Driver:
    """Drives the window the way a reviewer does: mouse on text positions, keys."""

    def __init__(self, qtbot, window):
        self.qtbot = qtbot
        self.window = window
        self.view = window.text_view

    def point(self, offset: int):
        """Viewport point of the boundary before code point ``offset``."""
        from PySide6.QtCore import QPoint
        from PySide6.QtGui import QTextCursor

        cursor = QTextCursor(self.view.document())
        cursor.setPosition(self.view.offsets.to_qt(offset))
        rect = self.view.cursorRect(cursor)
        return QPoint(rect.x(), rect.center().y())

    def drag(self, start: int, end: int, modifier=None):
        from PySide6.QtCore import Qt

        modifier = modifier or Qt.KeyboardModifier.NoModifier
        viewport = self.view.viewport()
        a, b = self.point(start), self.point(end)
        self.qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, modifier, a)
        self.qtbot.mouseMove(viewport, b)
        self.qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, modifier, b)

    def click(self, offset: int):
        """Click in the middle of the character at ``offset``."""
        from PySide6.QtCore import QPoint, Qt

        a, b = self.point(offset), self.point(offset + 1)
        middle = QPoint((a.x() + b.x()) // 2, a.y()) if a.y() == b.y() else QPoint(a.x() + 2, a.y())
        self.qtbot.mouseClick(self.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, middle)

    def key(self, key, modifier=None, widget=None):
        from PySide6.QtCore import Qt

        self.qtbot.keyClick(widget or self.view, key, modifier or Qt.KeyboardModifier.NoModifier)

    def text(self) -> str:
        return self.view.text

    def find(self, needle: str, nth: int = 0) -> tuple[int, int]:
        return find(self.text(), needle, nth)


@pytest.fixture
def ui(qtbot, window) -> Driver:
    return Driver(qtbot, window)
