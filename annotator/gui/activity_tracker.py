"""Feeds the reviewer's keys and clicks in the window to an :class:`ActiveTimer`.

The timer (Qt-free, in ``store.activity``) decides what counts as active time; this only
tells it when the reviewer did something and on which document, and writes the time
into the open project.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from annotator.store.activity import ActiveTimer, add_time

# What a person does; paints, timers and focus changes are not review work. A key bound to
# a shortcut never arrives as a KeyPress: Qt offers it to the focus widget as a
# ShortcutOverride first, then triggers the action.
_INTERACTIONS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride, QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick, QEvent.Type.Wheel,
})


class ActivityTracker(QObject):
    """Active time per document for the window's project.

    ``project`` and ``document`` are callables giving the window's current project and
    document id, so the tracker needs nothing else of the window.
    """

    def __init__(self, window: QWidget, project: Callable[[], object], document: Callable[[], int | None]):
        super().__init__(window)
        self._project = project
        self._document = document
        self.timer = ActiveTimer(self._record)
        # The time written when a document is switched to waits for a pause: a write (a
        # transaction) is not worth delaying the new document's first paint for.
        self._later = False
        self._queued: list[tuple[int, float]] = []
        self._write_timer = QTimer(self)
        self._write_timer.setSingleShot(True)
        self._write_timer.setInterval(60)  # before the window prefetches (whose reads a write would void)
        self._write_timer.timeout.connect(self.write_queued)
        self.listeners: list[Callable[[], None]] = []  # told of each interaction (the idle collector)

    def watch(self, widgets) -> None:
        """Count keys and clicks on these widgets (and the viewports of scroll areas). Not
        an application-wide filter: that put a Python call on every event of the program
        (16,000 while a 28,000-document project opened)."""
        for widget in widgets:
            widget.installEventFilter(self)
            if isinstance(widget, QAbstractScrollArea):
                widget.viewport().installEventFilter(self)

    def _record(self, doc_id: int, seconds: float) -> None:
        if self._later:
            self._queued.append((doc_id, seconds))
            self._write_timer.start()
            return
        self._write(doc_id, seconds)

    def write_queued(self) -> None:
        """Write the time held back at a document switch."""
        self._write_timer.stop()
        queued, self._queued = self._queued, []
        for doc_id, seconds in queued:
            self._write(doc_id, seconds)

    def _write(self, doc_id: int, seconds: float) -> None:
        project = self._project()
        if project is None:
            return
        try:
            add_time(project, doc_id, seconds)
        except Exception:  # noqa: BLE001 - time is a statistic: never let it break an edit
            pass

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in _INTERACTIONS:
            for listener in self.listeners:
                listener()
            if self._project() is not None:
                self.timer.touch(self._document())
        return False

    def document_shown(self, doc_id: int | None) -> None:
        """A document was opened (a switch is itself an interaction). The time of the
        document left is written a moment later (:meth:`write_queued`)."""
        self._later = True
        for listener in self.listeners:
            listener()
        try:
            self.timer.touch(doc_id)
        finally:
            self._later = False

    def stop(self) -> None:
        """Before the project closes: write what is pending."""
        self.write_queued()
        self.timer.stop()

    def flush(self) -> None:
        """Write all the time counted so far (before a report reads it)."""
        self.write_queued()
        self.timer.flush()


__all__ = ["ActivityTracker"]
