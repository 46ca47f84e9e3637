"""Starting the window: which project to open, the application object, screenshots.

``annotator`` with no arguments opens the last project; the very first time, the demo
project (built from the sample articles). ``annotator gui PROJECT`` opens that one, and
``--screenshot FILE`` renders its first document, saves the window as a PNG and exits.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from annotator.core.errors import AnnotatorError
from annotator.gui.fonts import missing_thai_font_message
from annotator.paths import resource

ORGANIZATION = "ThaiNER"
APPLICATION = "Annotator"
SCREENSHOT_SIZE = (1440, 880)


def application() -> QApplication:
    """The one QApplication (made here unless a test or host already has one)."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    # Tests give each run its own organisation (and so its own settings); keep theirs.
    if not app.organizationName():
        app.setOrganizationName(ORGANIZATION)
    if app.applicationName() in ("", "python", "python3", Path(sys.argv[0]).name):
        app.setApplicationName(APPLICATION)
    if not app.styleSheet():
        try:
            app.setStyleSheet(resource("style.qss").read_text(encoding="utf-8"))
        except OSError:
            pass  # the look is optional; the program works without it
    return app


def last_project() -> Path | None:
    value = QSettings().value("project/last")
    if value and Path(str(value)).is_file():
        return Path(str(value))
    return None


def open_window(project_path: str | Path | None = None, screenshot: bool = False):
    """Make the main window on the right project (see the module docstring) and show it.

    Raises AnnotatorError for a file that is not a usable project.
    """
    from annotator.gui.demo import build_demo, demo_path
    from annotator.gui.dialogs import project_problems
    from annotator.gui.main_window import MainWindow
    from annotator.store.project import Project

    application()
    project = None
    # In use by another program, or damaged: say so, offer the latest backup (not for screenshots).
    open_ = Project.open if screenshot else (lambda path: project_problems.open_project(None, path))
    if project_path:
        project = open_(project_path)
    elif (remembered := last_project()) is not None:
        try:
            project = open_(remembered)
        except AnnotatorError as e:  # moved, damaged, from a newer version: still start
            print(f"annotator: cannot reopen the last project: {e}", file=sys.stderr)
    if project is None and not project_path and (screenshot or demo_path().is_file()):
        project = Project.open(demo_path() if demo_path().is_file() else build_demo())

    window = MainWindow(project, remember=not screenshot)
    window.show()
    if project is None and not project_path:  # (a named project the user gave up on: no demo)
        # First start: build the demo in the background, with the window already up.
        def built(path: Path) -> None:
            if window.project is None:  # unless the user opened a project meanwhile
                window.open_project(path)

        window.jobs.run(
            "Building the demo project",
            lambda progress, cancelled: build_demo(progress=progress, cancelled=cancelled),
            built,
        )
    return window


def run(project_path: str | None = None, screenshot: str | None = None) -> int:
    """Open the window and run until it closes; returns the exit status."""
    app = application()
    warning = missing_thai_font_message()
    if warning:
        print(f"annotator: {warning}", file=sys.stderr)
    window = open_window(project_path, screenshot=bool(screenshot))
    if screenshot:
        return _screenshot(app, window, Path(screenshot))
    return app.exec()


def _screenshot(app: QApplication, window, path: Path) -> int:
    window.resize(*SCREENSHOT_SIZE)
    window.show()
    app.processEvents()
    if window.doc_id is not None and window.text_view.current_span() is None:
        window.go_to_suggestion(forward=True)  # show what a selected suggestion looks like
    for _ in range(3):  # layout, then paint
        app.processEvents()
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = window.grab().save(str(path), "PNG")
    window.close()
    window.deleteLater()
    app.processEvents()
    if not saved:
        raise AnnotatorError(f"could not write the screenshot to {path}")
    print(f"saved {path}")
    return 0


__all__ = ["application", "last_project", "open_window", "run"]
