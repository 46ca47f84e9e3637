"""Python's cycle collector, run when the reviewer pauses instead of inside a keystroke.

With a project open the process holds hundreds of thousands of objects (spans, the rows
and line breaks worked out for them, Qt's wrappers), and Python starts a full collection,
which walks them all, whenever enough allocations have piled up: often in the middle of a
label keystroke (one keystroke in forty took 44 ms instead of ~12 on a 554-highlight
article, 25 ms of it the collector). While a window runs, automatic collection is off and
this collects instead: the young generations a moment after the last key, click, edit or
switch, everything after a longer pause, and, however long the reviewer goes on without
a pause, the young generations every few seconds and everything every few minutes, so
memory stays bounded. Most garbage is freed at once by reference counting anyway; only
cycles wait for a collection.
"""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QObject, QTimer

QUIET_MS = 700  # no input for this long: collect the young generations
FULL_AFTER_S = 30.0  # ... and everything, when the last full collection is this old
FALLBACK_MS = 5_000  # without a pause, the young generations this often
FULL_FALLBACK_S = 600.0  # and everything this often

_holders = 0  # collectors running: automatic collection is back on when none is
_was_enabled = True


def _hold() -> None:
    global _holders, _was_enabled
    if _holders == 0:
        _was_enabled = gc.isenabled()
        gc.disable()
    _holders += 1


def _release() -> None:
    global _holders
    if _holders == 0:
        return
    _holders -= 1
    if _holders == 0 and _was_enabled:
        gc.enable()


class IdleCollector(QObject):
    """Collects cycles in the window's pauses (see the module's note). :meth:`touch` at
    each input; :meth:`stop` when the window closes."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.collections = 0  # made so far: for tests
        self._last_full = self._last = time.monotonic()
        self._quiet = QTimer(self)
        self._quiet.setSingleShot(True)
        self._quiet.setInterval(QUIET_MS)
        self._quiet.timeout.connect(self._after_pause)
        self._fallback = QTimer(self)
        self._fallback.setInterval(FALLBACK_MS)
        self._fallback.timeout.connect(self._without_pause)
        self._running = True
        _hold()
        self._fallback.start()
        self._quiet.start()
        self.destroyed.connect(_release)  # a window deleted without being closed

    def touch(self) -> None:
        """The reviewer did something: collect once they pause."""
        if self._running:
            self._quiet.start()

    def stop(self) -> None:
        """The window closes: automatic collection comes back (once no other window runs)."""
        if self._running:
            self._running = False
            self._quiet.stop()
            self._fallback.stop()
            self.destroyed.disconnect(_release)
            _release()

    def _after_pause(self) -> None:
        self._collect(full=time.monotonic() - self._last_full >= FULL_AFTER_S)

    def _without_pause(self) -> None:
        now = time.monotonic()
        if now - self._last >= FALLBACK_MS / 1000:
            self._collect(full=now - self._last_full >= FULL_FALLBACK_S)

    def _collect(self, full: bool) -> None:
        gc.collect(2 if full else 1)
        self._last = time.monotonic()
        self.collections += 1
        if full:
            self._last_full = self._last


__all__ = ["IdleCollector"]
