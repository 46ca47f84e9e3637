"""The entity table brought up to date just after an edit is painted in the text, not
before.

After a label, an accept or a reject, the reviewer looks at the text, where the edit is;
the entity table beside it (gui/widgets/entity_panel.py) showing the same spans costs
~2 ms more per keystroke (its rows worked out again, then painted). So an edit repaints
the text at once and leaves the table to the event loop's next turn (a zero-time timer),
the turn in which a pending propagation runs too (gui/deferred_propagation.py): when that
propagation re-reads the spans, the table catches up there, once, with both.

The table is only ever behind by what the window holds already (its spans and current
span), never by the project: catching up reads nothing from the file.
"""

from __future__ import annotations

from typing import Callable, Protocol, Sequence

from PySide6.QtCore import QObject, QTimer


class _Table(Protocol):
    def set_spans(self, text: str, spans: Sequence) -> None: ...
    def select_span(self, span_id: int | None) -> None: ...


class DeferredTable(QObject):
    """Shows spans in ``table`` now (:meth:`show`) or in the event loop's next turn
    (:meth:`show_later`); ``state()`` gives what to show then: (text, spans, current span
    id or None), as the window holds them at that moment."""

    def __init__(self, table: _Table, state: Callable[[], tuple[str, Sequence, int | None]],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._table = table
        self._state = state
        self.behind = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.catch_up)

    def show(self, text: str, spans: Sequence) -> None:
        """These spans, now (a document shown: its current span is selected apart)."""
        self.behind = False
        self._timer.stop()
        self._table.set_spans(text, spans)

    def show_later(self) -> None:
        """The window's spans, once control returns to the event loop (or a later call
        restarts the wait: a zero-time timer started after another fires after it)."""
        self.behind = True
        self._timer.start()

    def select(self, span_id: int | None) -> None:
        """The current span moved: selected in the table, unless the table is behind (it
        selects the current span when it catches up)."""
        if not self.behind:
            self._table.select_span(span_id)

    def show_current(self) -> None:
        """The window's spans and current span, now."""
        text, spans, current = self._state()
        self.show(text, spans)
        self._table.select_span(current)

    def catch_up(self) -> None:
        """:meth:`show_current`, if the table is behind."""
        if self.behind:
            self.show_current()
