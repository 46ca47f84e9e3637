"""Cycles are collected in the reviewer's pauses, not in the middle of a keystroke."""

from __future__ import annotations

import gc
import weakref

from PySide6.QtCore import Qt

from annotator.core.model import SUGGESTED
from annotator.gui import idle_collector


class Node:
    def __init__(self):
        self.me = self  # a cycle: only the collector frees it


def test_while_a_window_runs_python_does_not_collect_on_its_own(window, qtbot):
    assert not gc.isenabled()
    window.close()
    assert gc.isenabled()  # back once the window closes


def test_two_windows_keep_it_off_until_the_last_closes(window, project_path, qtbot):
    from annotator.gui.main_window import MainWindow
    from annotator.store.project import Project

    other = MainWindow(Project.open(project_path, readonly=True), remember=False)
    qtbot.addWidget(other)
    other.close()
    assert not gc.isenabled()
    window.close()
    assert gc.isenabled()


def test_cycles_made_while_labelling_are_freed_once_the_reviewer_pauses(window, ui, qtbot, monkeypatch):
    collector = window.idle_collector
    collector._quiet.setInterval(50)
    node = Node()
    gone = weakref.ref(node)
    del node
    made = collector.collections
    suggestion = next(s for s in window.spans if s.state == SUGGESTED)
    window.text_view.set_current_span(suggestion.id)
    ui.key(Qt.Key.Key_Return)  # accept: an edit, so the pause starts again from now
    assert gone() is not None  # not collected inside the keystroke
    qtbot.waitUntil(lambda: gone() is None, timeout=3000)
    assert collector.collections > made


def test_without_a_pause_the_fallback_collects_anyway(window, qtbot, monkeypatch):
    collector = window.idle_collector
    collector._quiet.stop()
    monkeypatch.setattr(idle_collector, "FALLBACK_MS", 40)
    collector._fallback.setInterval(40)
    collector._fallback.start()
    node = Node()
    gone = weakref.ref(node)
    del node

    def typing():  # the reviewer never pauses: every input restarts the quiet timer
        collector.touch()
        return gone() is None
    qtbot.waitUntil(typing, timeout=3000)
