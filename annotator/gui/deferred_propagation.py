"""A confirmed span's text suggested elsewhere in its document just after the edit is
painted, not before.

Propagation (:mod:`annotator.nlp.propagate`) suggests a string a person has just labelled
or accepted wherever else it stands in the article: in a news article ~18 places for the
first label, each in a paragraph the text view must lay out again. Done inside the
keystroke, that made the first label of an article take ~19 ms to show, when what the
reviewer waits for is their own label. So the window saves and paints the edit, and the
propagation runs in the event loop's next turn (a zero-time timer), in a transaction that
joins the edit's change group: one Undo still takes back both, and a crash between the
two loses only suggestions, never the edit.

Whatever the window does to the project next first runs what is pending (:meth:`flush`),
so no later edit, undo, document switch or close can come between an edit and its
propagation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QObject, QTimer


@dataclass(frozen=True)
class Pending:
    """A propagation to run: for span ``span_id`` of document ``doc_id`` in ``project``,
    logged into change group ``group``. ``decided``: the span the edit decided, and
    ``went_to`` the span the review went on to after it (None: it stayed), so that the
    review can go on to a nearer suggestion the propagation added; ``note``: the edit's
    status-bar note, said again with the count of suggestions added."""

    project: object
    doc_id: int
    span_id: int
    group: int
    decided: object = None
    went_to: int | None = None
    note: str = ""


class DeferredPropagation(QObject):
    """Holds at most one :class:`Pending` and runs it with ``run`` once control returns to
    the event loop, or sooner when :meth:`flush` is called."""

    def __init__(self, run: Callable[[Pending], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._run = run
        self._pending: Pending | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.flush)

    @property
    def pending(self) -> Pending | None:
        return self._pending

    def schedule(self, pending: Pending) -> None:
        self.flush()  # the one before, if any, runs first: in order, each in its own group
        self._pending = pending
        self._timer.start()

    def flush(self) -> None:
        """Run what is pending now (nothing if nothing is)."""
        pending, self._pending = self._pending, None
        self._timer.stop()
        if pending is not None:
            self._run(pending)
