"""Guards the PySide6 pin.

PySide6 6.12.0 on Python 3.11 aborts the interpreter (``none_dealloc``) after some
thousands of calls of Qt methods that return nothing: a reviewer's session would die
mid-document. The calls run in a child interpreter so that an abort fails this test
instead of killing the whole test run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

CALLS = 200_000


def test_many_void_qt_calls_survive():
    script = textwrap.dedent(f"""
        from PySide6.QtGui import QTextCursor, QTextDocument
        doc = QTextDocument()
        doc.setPlainText("นายธนกฤต วงศ์ประเสริฐ 📱 " * 20)
        cursor = QTextCursor(doc)
        length = doc.characterCount() - 1
        for i in range({CALLS}):
            cursor.setPosition(i % length)  # returns void
        print("survived", cursor.position())
    """)
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr[-2000:]}"
    assert result.stdout.startswith("survived")
