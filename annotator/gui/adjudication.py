"""Adjudication mode: walk a merged project's conflicts and decide each at the keyboard.

F8 opens the panel on the first open conflict. Alt+1…Alt+9 take a version (the others are
rejected), Alt+0 takes none; the decision is one undoable step, its provenance names the
adjudicator and whose version won, and the mode goes on to the next open conflict, in
this document and then the next one. Alt+Down / Alt+Up step through the conflicts. The
reviewer can also correct the spans with the usual keys: a conflict is resolved once
none of its versions is still open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

from annotator.core.errors import AnnotatorError
from annotator.gui.widgets.adjudication import AdjudicationPanel
from annotator.team.adjudicate import Conflict, Progress, conflict_counts, document_conflicts, take

if TYPE_CHECKING:
    from annotator.gui.main_window import MainWindow


class AdjudicationMode:
    """Owns the adjudication dock of one window; reads and writes through its project."""

    def __init__(self, window: "MainWindow"):
        self.window = window
        self.panel = AdjudicationPanel(window)
        self.dock = QDockWidget("Adjudication", window)
        self.dock.setObjectName("AdjudicationDock")
        self.dock.setWidget(self.panel)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        self.dock.hide()
        self.conflicts: list[Conflict] = []
        self.index = 0
        self._doc_id: int | None = None
        # Conflicts (open, total) per document: counted over the project when the mode
        # starts, then only the shown document is counted again after each change.
        self._counts: dict[int, tuple[int, int]] | None = None
        self._counted: object = None  # the project they were counted in
        self.panel.documentChosen.connect(self._open_document)
        self.dock.visibilityChanged.connect(lambda visible: self.refresh() if visible else None)
        window.text_view.currentSpanChanged.connect(self._follow_span)

    # ---------------------------------------------------------------- state
    def active(self) -> bool:
        return not self.dock.isHidden()

    def current(self) -> Conflict | None:
        return self.conflicts[self.index] if 0 <= self.index < len(self.conflicts) else None

    def refresh(self) -> None:
        """Reread the shown document's conflicts and the project's progress."""
        window = self.window
        if window.project is None or not self.active():
            return
        doc_id = window.doc_id
        if doc_id != self._doc_id:
            self.index = 0
        self._doc_id = doc_id
        self.conflicts = document_conflicts(window.project, doc_id) if doc_id is not None else []
        self.index = min(self.index, max(len(self.conflicts) - 1, 0))
        span = window.text_view.current_span()
        if span is not None:
            self._follow_span(span.id, show=False)
        state = self.progress()
        titles = [(d, self._title(d), n) for d, n in state.open_documents]
        self.panel.set_progress(state.resolved, state.total, titles)
        self._show()

    def progress(self) -> Progress:
        project = self.window.project
        if self._counts is None or self._counted is not project:
            self._counts, self._counted = conflict_counts(project), project  # type: ignore[arg-type]
        elif self.window.doc_id is not None:
            doc_id = self.window.doc_id
            self._counts.pop(doc_id, None)
            self._counts.update(conflict_counts(project, doc_id))  # type: ignore[arg-type]
        return Progress.of(self._counts)

    def _title(self, doc_id: int) -> str:
        doc = self.window.project.document(doc_id)  # type: ignore[union-attr]
        return doc.title or doc.text.strip().split("\n", 1)[0]

    def _show(self) -> None:
        conflict = self.current()
        note = "No open conflict in this document." if self.window.doc_id is not None else ""
        self.panel.show_conflict(self.window.text_view.text, conflict, self.index, len(self.conflicts), note)

    def _follow_span(self, span_id: object, show: bool = True) -> None:
        """Clicking or tabbing to a version makes its conflict the current one."""
        for k, conflict in enumerate(self.conflicts):
            if span_id in conflict.span_ids:
                if k != self.index:
                    self.index = k
                    if show:
                        self._show()
                return

    # ------------------------------------------------------------- commands
    def start(self) -> None:
        """F8: show the panel and go to the current (or first) open conflict."""
        if self.window.project is None:
            return
        self._counts = None  # count everything afresh
        self.dock.show()
        self.dock.raise_()
        self.refresh()
        if self.current() is None and not self._go_to_next_document():
            self.window.say("No open conflicts: every disagreement is adjudicated")
            return
        self._select()
        self.window.text_view.setFocus()

    def take(self, number: int) -> None:
        """Alt+number: take version ``number`` of the current conflict (0: none of them)."""
        window = self.window
        if window.project is None or window.doc_id is None:
            return
        if not self.active():
            window.say("Adjudication is off: F8 shows the conflicts")
            return
        conflict = self.current()
        if conflict is None:
            window.say("No open conflict here: F8 goes to the next one")
            return
        if number > len(conflict.readings):
            window.say(f"This conflict has {len(conflict.readings)} versions")
            return
        reading = conflict.readings[number - 1] if number else None
        project = window.project
        try:
            take(project, conflict, reading)
        except (AnnotatorError, ValueError) as e:
            window.say(f"Refused: {e}")
            return
        window.reread()  # also refreshes this panel
        who = ", ".join(reading.authors) if reading is not None else "none"
        if self.current() is None and not self._go_to_next_document():
            window.say(f"Took {who}. Every conflict is resolved.")
            return
        self._select()
        window.say(f"Took {who}")

    def step(self, forward: bool) -> None:
        """Alt+Down / Alt+Up: the next or previous open conflict, across documents."""
        if self.window.project is None:
            return
        if not self.active():
            self.window.say("Adjudication is off: F8 shows the conflicts")
            return
        target = self.index + (1 if forward else -1)
        if 0 <= target < len(self.conflicts):
            self.index = target
        elif not self._go_to_next_document(forward):
            self.window.say("No other open conflicts")
            return
        elif not forward:
            self.index = len(self.conflicts) - 1
        self._select()

    # --------------------------------------------------------------- moving
    def _go_to_next_document(self, forward: bool = True) -> bool:
        """Open the next (or previous) document with open conflicts, wrapping around."""
        window = self.window
        docs = [d for d, _ in Progress.of(self._counts or {}).open_documents]
        others = [d for d in docs if d != window.doc_id]
        if not others:
            return False
        here = window.doc_id or 0
        if forward:
            target = next((d for d in others if d > here), others[0])
        else:
            target = next((d for d in reversed(others) if d < here), others[-1])
        window.show_document(target)  # refreshes this panel
        return self.current() is not None

    def _open_document(self, doc_id: int) -> None:
        if doc_id != self.window.doc_id:
            self.window.show_document(doc_id)
        self._select()
        self.window.text_view.setFocus()

    def _select(self) -> None:
        """Put the text's selection on the current conflict's first version."""
        conflict = self.current()
        if conflict is not None:
            self.window.text_view.set_current_span(conflict.versions[0].id)
        self._show()


__all__ = ["AdjudicationMode"]
