"""The main window: puts the panels together and connects them to the project.

Wiring only. The widgets show; the project (``annotator.store.project``) decides and
stores. Every handler here is one project call followed by a reread of what it touched,
so the screen always shows the file, and the file has every change the moment it is made:
there is no Save, and killing the window loses nothing.
"""

from __future__ import annotations

import hashlib
import sqlite3
from bisect import bisect_left
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QTextCursor
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from annotator.core.errors import AnnotatorError, LabelError, ProjectDamagedError, SpanError, StorageError
from annotator.core.model import CONFIRMED_STATES, DOC_STATUSES, DONE, SUGGESTED, Document, Span
from annotator.gui import actions as action_table
from annotator.gui.dialogs import project_problems
from annotator.gui.display_limits import longest_paragraph_problem, refusal_text, too_large_to_show
from annotator.gui.adjudication import AdjudicationMode
from annotator.gui.deferred_propagation import DeferredPropagation, Pending
from annotator.gui.deferred_table import DeferredTable
from annotator.gui.fonts import missing_thai_font_message
from annotator.gui.widgets.document_list import DocumentListPanel
from annotator.gui.widgets.entity_panel import EntityPanel
from annotator.gui.widgets.label_palette import LabelPalette
from annotator.gui.plain_text import display_name
from annotator.gui.widgets.text_view import TextView
from annotator.gui.workers import JobRunner
from annotator.nlp.propagate import can_add_in_document
from annotator.nlp.tokenizer import snap_to_clusters
from annotator.paths import projects_dir
from annotator.store.project import Project

APP_TITLE = "Thai NER Annotator"
PROJECT_FILTER = "Annotator projects (*.annot);;All files (*)"
STATUS_NAMES = {"new": "new", "in_progress": "in progress", "done": "done", "skipped": "skipped"}
MESSAGE_MS = 6000


def project_key(path: Path) -> str:
    """A settings key for one project file (paths hold characters QSettings treats as groups)."""
    return hashlib.sha1(str(Path(path).resolve()).encode("utf-8")).hexdigest()[:16]


class MainWindow(QMainWindow):
    """Document list (left), article (centre), labels and entities (right), progress (bottom)."""

    preannotate_workers: int | None = None  # processes for Model -> Pre-annotate; None: one per core

    def __init__(self, project: Project | None = None, remember: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("MainWindow")
        self.setWindowTitle(APP_TITLE)
        self.project: Project | None = None
        self.doc_id: int | None = None
        self.document: Document | None = None
        self.spans: list[Span] = []
        # SQLite's count of other connections' commits when self.spans was read whole: an
        # edit's re-read merges only the places it changed while that stays the same.
        self._spans_version = -1
        self._remember = remember  # False for screenshots: leave the user's settings alone
        self._doc_open = 0  # open suggestions in the shown document
        self._project_open = 0  # ... in the whole project, kept by differences
        self._doc_count = 0
        self._label_actions: list[QAction] = []
        self._quiet_select = False  # selecting without a status-bar note
        self.list_panel: DocumentListPanel | None = None
        self.last_report = None  # the last job report dialog shown (tests look at it)
        self._build_widgets()
        self._build_actions()
        self.jobs = JobRunner(self)
        # Edits are committed to the WAL; when the reviewer pauses, it is moved into the
        # project file, so the file alone (copied, mailed) holds everything.
        # Once a document is on screen, the ones likely next (the list's next, the next
        # unfinished) are worked out while the reviewer reads: see _prefetch.
        self.prefetch_timer = QTimer(self)
        self.prefetch_timer.setSingleShot(True)
        self.prefetch_timer.setInterval(PREFETCH_MS)
        self.prefetch_timer.timeout.connect(self._prefetch)
        # doc id -> (project.change_stamp(), document, spans) as _prefetch read them.
        self._prefetched: dict[int, tuple[tuple[int, int], object, list[Span]]] = {}
        self.idle_checkpoint = QTimer(self)
        self.idle_checkpoint.setSingleShot(True)
        self.idle_checkpoint.setInterval(IDLE_CHECKPOINT_MS)
        self.idle_checkpoint.timeout.connect(lambda: self.project is not None and self.project.checkpoint())
        self._restore_layout()
        warning = missing_thai_font_message()
        if warning:
            self.say(warning, 0)
        if project is not None:
            self.set_project(project)
        else:
            self._update_progress()

    # ------------------------------------------------------------ building
    def _build_widgets(self) -> None:
        self.header = QLabel(self)
        self.header.setObjectName("DocumentTitle")
        self.header.setTextFormat(Qt.TextFormat.PlainText)
        self.header.setWordWrap(True)
        self.header_details = QLabel(self)
        self.header_details.setObjectName("DocumentDetails")
        self.header_details.setTextFormat(Qt.TextFormat.PlainText)
        self.text_view = TextView(self)
        self.text_view.setPlaceholderText(NO_DOCUMENT)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.header)
        layout.addWidget(self.header_details)
        from annotator.gui.widgets.find_bar import FindBar

        self.find_bar = FindBar(central)
        self.find_bar.search.connect(self.find_in_document)
        self.find_bar.chosen.connect(self.take_found)
        self.find_bar.closed.connect(self.text_view.setFocus)
        layout.addWidget(self.find_bar)
        layout.addWidget(self.text_view, 1)
        self.setCentralWidget(central)

        self.label_palette = LabelPalette(self)
        self.entity_panel = EntityPanel(self)
        self.right_splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.right_splitter.setObjectName("RightSplitter")
        self.right_splitter.addWidget(self.label_palette)
        self.right_splitter.addWidget(self.entity_panel)
        self.right_splitter.setStretchFactor(1, 1)
        self.right_dock = QDockWidget("Labels and entities", self)
        self.right_dock.setObjectName("EntitiesDock")
        self.right_dock.setWidget(self.right_splitter)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.right_dock)

        self.list_dock = QDockWidget("Documents", self)
        self.list_dock.setObjectName("DocumentsDock")
        self.list_dock.setWidget(QLabel("No project open", self))
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.list_dock)

        self.progress_label = QLabel(self)
        self.progress_label.setObjectName("ProgressLabel")
        self.statusBar().addPermanentWidget(self.progress_label)

        self.text_view.currentSpanChanged.connect(self._on_current_span)
        self.entity_panel.spanActivated.connect(self._on_span_activated)
        self.label_palette.labelChosen.connect(self.apply_label)
        self.label_palette.manageRequested.connect(self.manage_labels)
        self.adjudication = AdjudicationMode(self)  # its dock, hidden until F8
        from annotator.gui.model_tools import ModelTools

        self.model_tools = ModelTools(self)  # Model -> Train, propagation, report
        self.propagation = DeferredPropagation(self._propagate, self)  # after an edit's paint
        self.deferred_table = DeferredTable(self.entity_panel, self._table_state, self)  # likewise
        from annotator.gui.activity_tracker import ActivityTracker

        self.activity = ActivityTracker(self, lambda: self.project, lambda: self.doc_id)  # review time
        self.activity.watch([self.text_view, self.entity_panel, *self.entity_panel.findChildren(QAbstractScrollArea),
                             self.label_palette, self.find_bar.edit, self.adjudication.panel])
        from annotator.gui.idle_collector import IdleCollector

        self.idle_collector = IdleCollector(self)  # cycles collected in pauses, not in keystrokes
        self.activity.listeners.append(self.idle_collector.touch)

    def _build_actions(self) -> None:
        handlers: dict[str, Callable[[], object]] = {
            "new_project": self.new_project,
            "open_project": self.open_project_dialog,
            "import_files": self.import_files,
            "export_files": self.export_files,
            "quit": self.close,
            "undo": self.undo,
            "redo": self.redo,
            "manage_labels": self.manage_labels,
            "word_right": lambda: self.text_view.move_word(True, False),
            "word_left": lambda: self.text_view.move_word(False, False),
            "select_word_right": lambda: self.text_view.move_word(True, True),
            "select_word_left": lambda: self.text_view.move_word(False, True),
            "char_right": lambda: self.text_view.move_char(True, False),
            "char_left": lambda: self.text_view.move_char(False, False),
            "select_char_right": lambda: self.text_view.move_char(True, True),
            "select_char_left": lambda: self.text_view.move_char(False, True),
            "line_start": lambda: self.text_view.move_to(QTextCursor.MoveOperation.StartOfLine, False),
            "line_end": lambda: self.text_view.move_to(QTextCursor.MoveOperation.EndOfLine, False),
            "select_line_start": lambda: self.text_view.move_to(QTextCursor.MoveOperation.StartOfLine, True),
            "select_line_end": lambda: self.text_view.move_to(QTextCursor.MoveOperation.EndOfLine, True),
            "document_start": lambda: self.text_view.move_to(QTextCursor.MoveOperation.Start, False),
            "document_end": lambda: self.text_view.move_to(QTextCursor.MoveOperation.End, False),
            "clear_selection": lambda: self.text_view.set_current_span(None, scroll=False),
            "delete_span": self.delete_span,
            "grow_start": lambda: self.move_edge("start", True),
            "shrink_start": lambda: self.move_edge("start", False),
            "grow_end": lambda: self.move_edge("end", True),
            "shrink_end": lambda: self.move_edge("end", False),
            "start_char_earlier": lambda: self.move_edge("start", True, by_character=True),
            "start_char_later": lambda: self.move_edge("start", False, by_character=True),
            "end_char_earlier": lambda: self.move_edge("end", False, by_character=True),
            "end_char_later": lambda: self.move_edge("end", True, by_character=True),
            "next_suggestion": lambda: self.go_to_suggestion(forward=True),
            "prev_suggestion": lambda: self.go_to_suggestion(forward=False),
            "accept": self.accept,
            "reject": self.reject,
            "accept_all": self.accept_all,
            "done_next": self.done_next,
            "next_document": lambda: self.step_document(forward=True),
            "prev_document": lambda: self.step_document(forward=False),
            "preannotate": self.preannotate,
            "find": self.open_find,
            "find_next": lambda: self.find_in_document(self.find_bar.needle, True),
            "find_previous": lambda: self.find_in_document(self.find_bar.needle, False),
            "zoom_in": lambda: self.text_view.zoom(1),
            "zoom_out": lambda: self.text_view.zoom(-1),
            "focus_documents": self._focus_documents,
            "focus_text": self.text_view.setFocus,
            "show_shortcuts": self.show_shortcuts,
            "train_model": self.model_tools.train,
            "save_copy": self.save_copy,
            "choose_model": self.model_tools.choose_model,
            "propagate_everywhere": self.model_tools.propagate_everywhere,
            "model_report": self.show_report,
            "adjudicate": self.adjudication.start,
            "take_none": lambda: self.adjudication.take(0),
            "next_conflict": lambda: self.adjudication.step(forward=True),
            "prev_conflict": lambda: self.adjudication.step(forward=False),
            **{f"take_{k}": (lambda k=k: self.adjudication.take(k)) for k in range(1, 10)},
        }
        scopes = {
            action_table.REVIEW: [self.text_view, self.entity_panel, self.label_palette, self.adjudication.panel],
            action_table.TEXT: [self.text_view],
        }
        from annotator.gui.keymap import Keymap

        self.keymap = Keymap.load()  # the user's keys; defaults for what they never changed
        self.commands, self.menus = action_table.build_actions(self, handlers, scopes, self.menuBar(),
                                                               keys_of=self.keymap.keys)
        self.label_menu = self.menus["&Span"].addMenu("&Label as")
        self.model_tools.install(self.menus["&Model"])
        rename = self.menus["&Edit"].addAction("Annotator &name…")  # no key: rarely needed
        rename.setObjectName("annotator_name")
        rename.triggered.connect(self.change_annotator)
        self._claim_command_keys()

    def _claim_command_keys(self) -> None:
        self.text_view.claim_keys(
            seq for spec in action_table.ACTIONS if spec.scope != action_table.WINDOW
            for seq in self.commands[spec.name].shortcuts()
        )

    def rebind_keys(self) -> None:
        """The keymap changed (Help → Keyboard shortcuts): every command takes its keys now."""
        for spec in action_table.ACTIONS:
            self.commands[spec.name].setShortcuts(action_table.key_sequences(self.keymap.keys(spec.name)))
        self.text_view.reset_claimed_keys()
        self._claim_command_keys()
        self._build_label_actions()

    def _build_label_actions(self) -> None:
        """One action per label hotkey; they change with the project's labels."""
        for action in self._label_actions:
            for widget in (self.text_view, self.entity_panel, self.label_palette):
                widget.removeAction(action)
            action.deleteLater()
        self._label_actions = []
        self.label_menu.clear()
        if self.project is None:
            return
        clashes = []
        for label in self.project.labels():
            action = QAction(label.name, self)
            action.setObjectName(f"label:{label.name}")
            if label.hotkey:
                key = QKeySequence(label.hotkey)
                if key.toString(QKeySequence.SequenceFormat.PortableText) in self.keymap.reserved():
                    clashes.append(f"{label.name} ({label.hotkey})")
                else:
                    action.setShortcut(key)
                    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                    self.text_view.claim_keys([key])
            action.triggered.connect(lambda _checked=False, name=label.name: self.apply_label(name))
            for widget in (self.text_view, self.entity_panel, self.label_palette):
                widget.addAction(action)
            self.label_menu.addAction(action)
            self._label_actions.append(action)
        if clashes:
            self.say("Hotkeys not used, they already mean something else: " + ", ".join(clashes), 0)

    # ------------------------------------------------------------- project
    def set_project(self, project: Project) -> None:
        """Show ``project``; the window owns it from now on and closes it when done."""
        if self.project is not None and self.project is not project:
            self.propagation.flush()
            self._stop_jobs()
            self._save_document_place()
            self.activity.stop()
            self.project.close()
        self.project = project
        self.text_view.forget_prepared()
        self._prefetched.clear()
        self.doc_id = None
        self.document = None
        self.spans = []
        self._update_title()
        old = self.list_dock.widget()
        self.list_panel = DocumentListPanel(project, self)
        self.list_panel.documentActivated.connect(self._on_document_activated)
        # Arrowing through the list opens each document but leaves the focus there;
        # Enter or a double-click means "work on this one".
        self.list_panel.view.activated.connect(lambda _index: self.text_view.setFocus())
        self.list_dock.setWidget(self.list_panel)
        if old is not None:
            old.deleteLater()
        self._labels_changed()
        self._count_project()
        self.model_tools.project_changed()
        if self._remember:
            QSettings().setValue("project/last", str(Path(project.path).resolve()))
            project_problems.watch(self, project)  # checks a big file, makes the rotating backup
        first = self._remembered_document() or self._first_document()
        if first is not None:
            self.show_document(first)
        else:
            self.text_view.set_document("", [])
            self.deferred_table.show("", [])
            self.header.setText("This project has no documents yet: File → Import… (Ctrl+I)")
            self.header_details.clear()
            self._update_progress()

    def _update_title(self) -> None:
        if self.project is not None:
            self.setWindowTitle(f"{self.project.path.name} ({self.project.annotator}) — {APP_TITLE}")

    def change_annotator(self) -> None:
        """Edit -> Annotator name…: who this project records as the author of each change."""
        if self.project is None:
            return
        from annotator.gui.dialogs.annotator_name import ask_annotator_name

        name = ask_annotator_name(self, self.project.annotator)
        if name is None or name == self.project.annotator:
            return
        try:
            self.project.annotator = name
        except (ValueError, AnnotatorError) as e:
            self.say(f"Refused: {e}")
            return
        self._update_title()
        self.say(f"Changes are now recorded as {name}'s (undo goes back through {name}'s own changes)")

    def open_project(self, path: str | Path) -> bool:
        if self.project is not None and Path(path).resolve() == Path(self.project.path).resolve():
            return True  # open here already (a second writer would be refused)
        try:
            # In use elsewhere, or damaged: project_problems says so and offers the backup.
            project = project_problems.open_project(self, path)
        except AnnotatorError as e:
            QMessageBox.warning(self, "Cannot open project", str(e))
            return False
        if project is None:
            return False
        self.set_project(project)
        return True

    def open_project_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open project", str(self._project_folder()), PROJECT_FILTER)
        if path:
            self.open_project(path)

    def new_project(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "New project", str(self._project_folder()), PROJECT_FILTER)
        if not path:
            return
        if not Path(path).suffix:
            path += ".annot"
        try:
            project = Project.create(path)
        except AnnotatorError as e:
            QMessageBox.warning(self, "Cannot create project", str(e))
            return
        self.set_project(project)

    def _project_folder(self) -> Path:
        if self.project is not None:
            return Path(self.project.path).resolve().parent
        return projects_dir()

    def _first_document(self) -> int | None:
        assert self.project is not None
        return self.project.next_document(None) or self.project.next_document(None, DOC_STATUSES)

    def _remembered_document(self) -> int | None:
        if not self._remember or self.project is None:
            return None
        value = QSettings().value(f"project/{project_key(self.project.path)}/document")
        try:
            doc_id = int(value)
            self.project.document_status(doc_id)
        except (TypeError, ValueError, KeyError):
            return None
        return doc_id

    def _save_document_place(self) -> None:
        if self._remember and self.project is not None and self.doc_id is not None:
            QSettings().setValue(f"project/{project_key(self.project.path)}/document", self.doc_id)

    # ------------------------------------------------------------ documents
    def show_document(self, doc_id: int) -> None:
        """Open a document: text, highlights, entity list, header, progress."""
        assert self.project is not None
        self.propagation.flush()  # it belongs with the document shown until now
        project = self.project
        early = self._prefetched.pop(doc_id, None)
        self._prefetched.clear()
        if early is not None and early[0] == project.change_stamp():  # read in idle time, nothing written since
            _, document, spans = early
        else:
            reason = too_large_to_show(project, doc_id)  # counted before anything is read whole
            document = project.document(doc_id) if reason is None else None
            reason = reason or longest_paragraph_problem(document.text)
            if reason is not None:
                self._show_refused(doc_id, reason, refusal_text(reason))
                return
            spans = project.spans(doc_id)
        self._spans_version = project.change_stamp()[1]
        self.text_view.setPlaceholderText(NO_DOCUMENT)
        self.doc_id, self.document, self.spans = doc_id, document, spans
        self.text_view.set_document(document.text, spans, tokens=lambda: project.tokens(doc_id, document.text))
        self.deferred_table.show(document.text, spans)
        self._doc_open = sum(1 for s in spans if s.state == SUGGESTED)
        first = _first_open(spans)
        if first is not None:  # ready for Return / X at once (quietly: a warning may be showing)
            self._quiet_select = True
            try:
                self.text_view.set_current_span(first.id)
            finally:
                self._quiet_select = False
        self._update_header(document.status)
        if self.list_panel is not None:
            self.list_panel.select_document(doc_id)
        self._update_progress()
        self._save_document_place()
        self.adjudication.refresh()
        self.activity.document_shown(doc_id)
        self.prefetch_timer.start()

    def _prefetch(self) -> None:
        """Tokens, widths and line breaks of the documents likely shown next, so that going
        there costs only Qt's part. Nothing shown changes; a text's tokens never go stale,
        and the breaks are kept by the spans they were made for (see TextView.prepare)."""
        project = self.project
        if project is None or self.doc_id is None:
            return
        doc_id = self.doc_id
        try:
            targets = [self.list_panel.next_id(doc_id) if self.list_panel is not None else None,
                       project.next_document(doc_id)]
            for target in dict.fromkeys(t for t in targets if t is not None and t != doc_id):
                if too_large_to_show(project, target) is not None:
                    continue
                document = project.document(target)
                if longest_paragraph_problem(document.text) is not None:
                    continue
                tokens = project.tokens(target, document.text)  # may write them to the file: before the stamp
                stamp = project.change_stamp()
                spans = project.spans(target)
                self.text_view.prepare(document.text, spans, tokens=lambda t=tokens: t)
                first = _first_open(spans)
                self.entity_panel.prepare(document.text, spans, first.id if first is not None else None)
                self._prefetched[target] = (stamp, document, spans)
        except (AnnotatorError, sqlite3.Error):
            pass  # a head start only: the project closed or is busy, the switch reads it all itself

    def show_report(self) -> None:
        """Model -> report: models, suggestions, and the team's pace (time written first)."""
        self.activity.flush()
        self.model_tools.show_report()

    def _show_refused(self, doc_id: int, reason: str, message: str) -> None:
        """A document too large for the window: its place in the list, the reason, no text."""
        self.doc_id, self.spans = doc_id, []
        self.document = None
        self.text_view.set_document("", [])
        self.text_view.setPlaceholderText(message)
        self.deferred_table.show("", [])
        self._doc_open = 0
        self.header.setText(f"Document #{doc_id} is not shown")
        self.header_details.setText(reason)
        if self.list_panel is not None:
            self.list_panel.select_document(doc_id)
        self._update_progress()
        self.say(message, 0)

    def _on_document_activated(self, doc_id: int) -> None:
        if doc_id != self.doc_id:  # not the echo of show_document's own select_document
            self.show_document(doc_id)

    def _update_header(self, status: str) -> None:
        document = self.document
        if document is None:
            self.header.clear()
            self.header_details.clear()
            return
        title = document.title or document.text.strip().split("\n", 1)[0][:120]
        parts = [f"#{document.id}", STATUS_NAMES.get(status, status)]
        if document.date:
            parts.append(document.date)
        if document.source:
            parts.append(Path(document.source).name)
        self.header.setText(display_name(title))
        self.header_details.setText(display_name(" · ".join(parts)))

    def step_document(self, forward: bool) -> None:
        """The next or previous document in the list as filtered and sorted."""
        if self.list_panel is None or self.doc_id is None:
            return
        panel = self.list_panel
        target = panel.next_id(self.doc_id) if forward else panel.previous_id(self.doc_id)
        if target is None:
            self.say("No more documents that way in the list")
            return
        self.show_document(target)

    def done_next(self) -> None:
        """Mark the document done and open the next one nobody has finished."""
        if self.project is None or self.doc_id is None:
            return
        done_id = self.doc_id
        left = self._doc_open
        self._run(lambda: self.project.set_status(done_id, DONE))
        if self.list_panel is not None:
            self.list_panel.refresh_document(done_id)
        note = f" ({left} suggestions left open: they are not exported)" if left else ""
        following = self.project.next_document(done_id)
        if following is None:
            self._update_header(DONE)
            self._update_progress()
            self.say(f"Document #{done_id} done{note}. Every document is finished.")
            return
        self.show_document(following)
        self.say(f"Document #{done_id} done{note}.")

    # ---------------------------------------------------------------- edits
    def _run(self, change: Callable[[], object]) -> tuple[bool, object]:
        """Make one change through the project; a refusal goes to the status bar. The
        propagation of an edit before, if still pending, is made first."""
        self.propagation.flush()
        try:
            result = change()
        except (SpanError, LabelError) as e:
            self.say(f"Refused: {e}")
            return False, None
        except (StorageError, ProjectDamagedError) as e:  # disk full, read-only, damaged: not saved
            QMessageBox.warning(self, "Change not saved", str(e))
            return False, None
        self.idle_checkpoint.start()  # once the reviewer pauses, the file alone holds the work
        self.idle_collector.touch()
        return True, result

    def reread(self, doc_id: int | None = None, spans: list[Span] | None = None, table_now: bool = True) -> None:
        """Read the shown document's spans and status back from the project after an edit
        (``spans``: the caller has them already, as :meth:`_spans_after` merged them);
        ``table_now=False``: the entity table follows in the event loop's next turn
        (gui/deferred_table.py)."""
        assert self.project is not None
        doc_id = self.doc_id if doc_id is None else doc_id
        if doc_id is None:
            return
        if doc_id != self.doc_id:
            self.show_document(doc_id)
            return
        if spans is None:
            spans = self.project.spans(doc_id)
            self._spans_version = self.project.change_stamp()[1]
        self.spans = spans
        self.text_view.set_spans(spans)
        if table_now:
            self.deferred_table.show_current()
        else:
            self.deferred_table.show_later()
        now_open = sum(1 for s in spans if s.state == SUGGESTED)
        self._project_open += now_open - self._doc_open
        self._doc_open = now_open
        self._update_header(self.project.document_status(doc_id))
        if self.list_panel is not None:
            self.list_panel.refresh_document(doc_id)
        self._update_progress()
        self.adjudication.refresh()

    def _table_state(self) -> tuple[str, list[Span], int | None]:
        current = self.text_view.current_span()
        return (self.document.text if self.document else "", self.spans, current.id if current is not None else None)

    def _spans_after(self, spans: list[Span], places: list[tuple[int, int]]) -> list[Span]:
        """The shown document's spans after an edit that can only have changed spans
        sharing a character with ``places`` ([start, end), not overlapping each other):
        ``spans`` with those read again, not the whole document's spans."""
        assert self.project is not None and self.doc_id is not None
        if self.project.change_stamp()[1] != self._spans_version:
            return self.project.spans(self.doc_id)  # another connection wrote: read them all
        places = sorted(places)
        fresh = self.project.spans_overlapping(self.doc_id, places)
        starts = [a for a, _ in places]
        ends = [b for _, b in places]
        top, maxends = -1, []
        for b in ends:  # places may nest (an edit's old and new range): a running maximum
            top = max(top, b)
            maxends.append(top)

        def touched(s: Span) -> bool:
            i = bisect_left(starts, s.end) - 1
            return i >= 0 and maxends[i] > s.start

        out = [s for s in spans if not touched(s)] + fresh
        out.sort(key=lambda s: (s.start, s.end, s.id))
        return out

    def _edit(self, change: Callable[[], object], places: list[tuple[int, int]] | None = None) -> object | None:
        """One change, then the shown spans read back: all of them, or with ``places``
        (where the change can have changed spans) only those there."""
        ok, result = self._run(change)
        if ok:
            self.reread(None, None if places is None or self.document is None
                        else self._spans_after(self.spans, places), table_now=False)
        return result if ok else None

    def _confirming_edit(self, change: Callable[[], object], decided_of: Callable[[object], Span],
                         note: str = "") -> object | None:
        """An edit that confirms a span, ``decided_of(result)``: saved, the spans sharing a
        character with it read back and painted, and the review on to the next open
        suggestion after it. Its text is then suggested elsewhere in the
        document in the event loop's next turn, in the same change group, so that one Undo
        takes back both (gui/deferred_propagation.py). ``note``: the status-bar note to say
        again with what the propagation added. The result, or None."""
        project = self.project

        def edit() -> tuple[object, int | None]:
            with project.transaction():
                result = change()
                return result, (project.change_group() if result is not None else None)

        ok, out = self._run(edit) if project is not None else (False, None)
        if not ok or out[0] is None:
            return None
        result, group = out
        decided = decided_of(result)
        shown = self.document is not None and self.doc_id is not None
        self.reread(None, self._spans_after(self.spans, [(decided.start, decided.end)]) if shown else None,
                    table_now=False)
        went_to = self._after_decision(decided)
        if (self.doc_id is not None and self.model_tools.propagate_in_document
                and (not shown or can_add_in_document(self.document.text, decided.start, decided.end))):
            self.propagation.schedule(Pending(project, self.doc_id, decided.id, group, decided, went_to, note))
            if self.deferred_table.behind:
                self.deferred_table.show_later()  # after the propagation, which brings the table up to date with its own
        return result

    def _propagate(self, pending: Pending) -> None:
        """Run a propagation :meth:`_confirming_edit` left pending, then show what it added."""
        from annotator.nlp.propagate import Known

        project = self.project
        if project is None or project is not pending.project:
            return
        shown = pending.doc_id == self.doc_id and self.document is not None
        known = None
        if shown:
            view, spans = self.text_view, self.spans  # as they stand: nothing was saved since the edit
            known = Known(pending.doc_id, self.document.text, lambda: view.grid().tokens, lambda: spans)

        def propagate():
            with project.transaction(group=pending.group):
                return self.model_tools.propagate_confirmed(pending.span_id, known)

        ok, report = self._run(propagate)
        if not ok or report is None or not report.added:
            return
        if not shown:
            if self.list_panel is not None:
                self.list_panel.refresh_document(pending.doc_id)
            return
        self.reread(None, self._spans_after(self.spans, report.places))
        current = self.text_view.current_span()
        if (current.id if current is not None else None) == (pending.went_to or pending.decided.id):
            self._after_decision(pending.decided)  # the review had not moved: a nearer one may have come
        self.say((pending.note or "Suggested") + _more(report.added))

    def apply_label(self, name: str) -> None:
        """A label key: label the selection, or relabel the selected span."""
        if self.project is None or self.doc_id is None:
            return
        doc_id = self.doc_id
        selection = self.text_view.selection()
        current = self.text_view.current_span()
        if selection is not None:
            # A find can stop inside a cluster (ก of กำ): the span takes the whole characters.
            start, end = snap_to_clusters(self.text_view.text, *selection)
            widened = " (widened to whole characters)" if (start, end) != selection else ""
            note = f"{name}: {self.text_view.text[start:end]}{widened}"
            # a span made is decided: on to the next suggestion
            if self._confirming_edit(lambda: self.project.add_span(doc_id, start, end, name),
                                     lambda made: made, note) is not None:
                self.say(note)
        elif current is not None:
            note = f"Relabelled as {name}"
            # relabelling confirms, like accepting
            if self._confirming_edit(lambda: self.project.update_span(current.id, label=name),
                                     lambda _: current, note) is not None:
                self.say(note)
        else:
            self.say("Select some text first (drag, or Shift+arrows), or click a span to relabel it")

    def delete_span(self) -> None:
        current = self._require_span()
        if current is not None:
            ok, _ = self._run(lambda: self.project.delete_span(current.id))
            if ok:
                self.reread(None, None if self.document is None
                            else self._spans_after(self.spans, [(current.start, current.end)]))
                self.say(f"Deleted {current.label} span")

    def move_edge(self, edge: str, grow: bool, by_character: bool = False) -> None:
        current = self._require_span()
        if current is None:
            return
        grid = self.text_view.grid()
        move = grid.move_edge_by_character if by_character else grid.move_edge
        moved = move(current.start, current.end, edge, grow)
        if moved is None:
            self.say("The span cannot " + ("grow" if grow else "shrink") + " further at its " + edge)
            return
        start, end = moved
        self._edit(lambda: self.project.update_span(current.id, start=start, end=end),
                   [(current.start, current.end), (start, end)])

    def accept(self) -> None:
        current = self.text_view.current_span()
        if current is None:
            self.go_to_suggestion(forward=True)
            return
        if current.state in CONFIRMED_STATES:  # already decided (edges moved, relabelled): on
            self._after_decision(current)
            return
        self._confirming_edit(lambda: self.project.accept(current.id), lambda _: current, "Accepted")

    def reject(self) -> None:
        current = self._require_span()
        if current is not None and self._edit(lambda: self.project.reject(current.id),
                                              [(current.start, current.end)]) is not None:
            self._after_decision(current)

    def _after_decision(self, decided: Span) -> int | None:
        """After accepting or rejecting, go on to the next open suggestion, if any: its id,
        or None (the decided span stays current)."""
        following = self._next_suggestion(decided.start, decided.id, forward=True, wrap=True)
        if following is not None:
            self.text_view.set_current_span(following.id)
            return following.id
        self.text_view.set_current_span(decided.id, scroll=False)
        self.say("No open suggestions left in this document: Ctrl+Enter marks it done")
        return None

    def accept_all(self) -> None:
        if self.project is None or self.doc_id is None:
            return
        doc_id = self.doc_id
        count = self._edit(lambda: self.project.accept_all(doc_id))
        if count is not None:
            more = self.model_tools.after_accept_all(doc_id)
            self.say(f"Accepted {count} suggestions" + _more(more))

    def _require_span(self) -> Span | None:
        current = self.text_view.current_span()
        if current is None:
            self.say("Select a span first: click it, or Tab to the next suggestion")
        return current

    def go_to_suggestion(self, forward: bool) -> None:
        current = self.text_view.current_span()
        if current is not None:
            start, sid = current.start, current.id
        else:
            start = self.text_view.offsets.to_py(self.text_view.textCursor().position())
            sid = -1 if forward else 1 << 62
            start = start if forward else start + 1
        target = self._next_suggestion(start, sid, forward, wrap=True)
        if target is None:
            self.say("No open suggestions in this document")
            return
        self.text_view.set_current_span(target.id)

    def _next_suggestion(self, start: int, span_id: int, forward: bool, wrap: bool) -> Span | None:
        open_ = [s for s in self.spans if s.state == SUGGESTED and s.id != span_id]
        if not open_:
            return None
        if forward:
            after = [s for s in open_ if (s.start, s.id) > (start, span_id)]
            return after[0] if after else (open_[0] if wrap else None)
        before = [s for s in open_ if (s.start, s.id) < (start, span_id)]
        return before[-1] if before else (open_[-1] if wrap else None)

    def undo(self) -> None:
        self._revert(redo=False)

    def redo(self) -> None:
        self._revert(redo=True)

    def _revert(self, redo: bool) -> None:
        if self.project is None:
            return
        ok, doc_id = self._run(self.project.redo if redo else self.project.undo)
        if not ok:
            return
        if doc_id is None:
            self.say("Nothing to redo" if redo else "Nothing to undo")
            return
        if doc_id == self.doc_id:
            self.reread()
        else:
            self.show_document(doc_id)
            self._count_project()  # another document changed: count again rather than guess
            self._update_progress()
            if self.list_panel is not None:
                self.list_panel.refresh_document(doc_id)
        self.say(("Redone" if redo else "Undone") + f" (document #{doc_id})")

    # -------------------------------------------------------------- labels
    def _labels_changed(self) -> None:
        assert self.project is not None
        labels = self.project.labels()
        self.text_view.set_labels(labels)
        self.label_palette.set_labels(labels)
        self.entity_panel.set_labels(labels)
        self._build_label_actions()

    def manage_labels(self) -> None:
        if self.project is None:
            return
        from annotator.gui.dialogs.label_manager import LabelManagerDialog

        dialog = LabelManagerDialog(self.project, self)
        dialog.labelsChanged.connect(self._labels_changed)  # the palette follows while it is open
        dialog.exec()
        self._labels_changed()
        if self.doc_id is not None:
            self.show_document(self.doc_id)
        if self.list_panel is not None:
            self.list_panel.refresh()

    def show_shortcuts(self) -> None:
        from annotator.gui.dialogs.shortcuts import ShortcutsDialog

        def rows():
            labels = self.project.labels() if self.project is not None else []
            return action_table.sheet_rows(labels, self.keymap.keys)

        def changed():
            self.rebind_keys()
            return [(what, keys) for what, keys, _ in rows()]

        sheet = rows()
        self.shortcuts_dialog = ShortcutsDialog(
            [(what, keys) for what, keys, _ in sheet], self, keymap=self.keymap,
            names=[name for _, _, name in sheet], on_change=changed,
            label_hotkeys=lambda: [label.hotkey for label in (self.project.labels() if self.project else [])])
        self.shortcuts_dialog.exec()

    # ---------------------------------------------------------------- jobs
    def import_files(self) -> None:
        if self.project is None:
            self.say("Open or create a project first (Ctrl+O, Ctrl+N)")
            return
        from annotator.gui.dialogs.import_export import ImportDialog
        from annotator.jobs.importer import run_import

        dialog = ImportDialog(self.project, self)
        if not dialog.exec():
            return
        options = dialog.options()
        project = self.project
        self.jobs.run(
            "Importing",
            lambda progress, cancelled: run_import(project, progress=progress, cancelled=cancelled, **options),
            self._imported,
        )

    def _imported(self, report) -> None:
        from annotator.gui.dialogs.import_export import show_import_report

        self.after_job()
        if report.failed or report.cancelled:
            self.last_report = show_import_report(report, self)  # names each refused file and line
        self.say(report.summary().split("\n", 1)[0], 0)

    def preannotate(self) -> None:
        if self.project is None:
            return
        from annotator.nlp.preannotate import run_preannotate

        project, workers = self.project, self.preannotate_workers
        self.jobs.run(
            "Pre-annotating",
            lambda progress, cancelled: run_preannotate(
                project, workers=workers, progress=progress, cancelled=cancelled),
            lambda report: (self.after_job(), self.say(report.summary(), 0)),
        )

    def export_files(self) -> None:
        if self.project is None:
            return
        from annotator.gui.dialogs.import_export import ExportDialog
        from annotator.jobs.exporter import run_export

        dialog = ExportDialog(self.project, self)
        if not dialog.exec():
            return
        options = dialog.options()
        project = self.project
        self.jobs.run(
            "Exporting",
            lambda progress, cancelled: run_export(project, progress=progress, cancelled=cancelled, **options),
            self._exported,
        )

    def _exported(self, report) -> None:
        from annotator.gui.dialogs.import_export import show_export_report

        if report.warnings:
            self.last_report = show_export_report(report, self)
        self.say(report.summary().split("\n", 1)[0], 0)

    def save_copy(self, out: str | None = None) -> None:
        """File → Save a copy…: the project as committed now, one file to mail or share."""
        if self.project is None:
            return
        from annotator.store.backup import copy_project

        if out is None:
            suggested = str(self.project.path.with_name(self.project.path.stem + "-copy.annot"))
            out, _ = QFileDialog.getSaveFileName(self, "Save a copy of the project", suggested,
                                                 "Annotator projects (*.annot)")
            if not out:
                return
        try:
            copy_project(self.project.path, out)
        except AnnotatorError as e:
            self.say(str(e), 0)
            return
        self.say(f"Saved a copy to {out}", 0)

    def after_job(self) -> None:
        """A job wrote to the project: reread the list, the counts and the shown document."""
        if self.project is None:
            return
        self.project.checkpoint()  # the file alone holds the job's work, for whoever copies it
        if self.list_panel is not None:
            self.list_panel.refresh()
        self._count_project()
        if self.doc_id is not None:
            current = self.text_view.current_span()
            self.show_document(self.doc_id)
            if current is not None:
                self.text_view.set_current_span(current.id, scroll=False)
        else:
            first = self._first_document()
            if first is not None:
                self.show_document(first)
        self._update_progress()

    # ------------------------------------------------------------- progress
    def _count_project(self) -> None:
        """Count documents and open suggestions of the whole project (one pass; edits then
        adjust the counts by their difference instead of counting again)."""
        assert self.project is not None
        self._doc_count = self.project.document_count()
        self._project_open = self.project.query("SELECT COALESCE(SUM(open_suggestions), 0) FROM document_counts")[0][0]

    def _update_progress(self) -> None:
        if self.project is None:
            self.progress_label.setText("No project")
            return
        done = self.project.document_count(DONE)
        here = f"{self._doc_open} in this document · " if self.doc_id is not None else ""
        self.progress_label.setText(
            f"Done {done} / {self._doc_count} documents   ·   Open suggestions: {here}{self._project_open} in project"
        )

    def say(self, message: str, timeout: int = MESSAGE_MS) -> None:
        self.statusBar().showMessage(message, timeout)

    # ------------------------------------------------------------ selection
    def _on_current_span(self, span_id: object) -> None:
        self.deferred_table.select(span_id if isinstance(span_id, int) else None)
        span = self.text_view.current_span()
        if span is not None and not self._quiet_select:
            confidence = "" if span.confidence is None else f", confidence {span.confidence:.2f}"
            author = f" · by {span.author}" if span.author else ""
            self.say(f"{span.label} · {span.state} · {span.origin}{confidence}{author}")

    def _on_span_activated(self, span_id: int) -> None:
        self.text_view.set_current_span(span_id)
        self.text_view.setFocus()

    def open_find(self) -> None:
        """Ctrl+F: the find bar, holding the selected text if there is a short one."""
        selected = self.text_view.selection()
        initial = self.text_view.text[selected[0]:selected[1]] if selected and selected[1] - selected[0] <= 60 else ""
        self.find_bar.open(initial)

    def find_in_document(self, needle: str, forward: bool, incremental: bool = False) -> None:
        """Select the next (previous) match of ``needle``, exactly, so a label key labels it;
        ``incremental`` (typing) keeps a match that starts where the selection does."""
        from annotator.gui.widgets.find_bar import count, find_next

        text = self.text_view.text
        cursor = self.text_view.textCursor()
        start, end = self.text_view.offsets.range_to_py(cursor.selectionStart(), cursor.selectionEnd())
        match = find_next(text, needle, start, end, forward, incremental)
        if match is None:
            self.find_bar.show_result(None, 0)
            return
        self.text_view.select_range(*match, exact=True)
        self.text_view.ensureCursorVisible()
        self.find_bar.show_result(text.count(needle, 0, match[0]) + 1, count(text, needle))

    def take_found(self, needle: str) -> None:
        """Return in the find bar: keep the match selected (typing found it); with none
        selected yet, find the next one."""
        selection = self.text_view.selection()
        if selection is None or self.text_view.text[selection[0]:selection[1]] != needle:
            self.find_in_document(needle, True)

    def _focus_documents(self) -> None:
        if self.list_panel is not None:
            self.list_dock.show()
            self.list_panel.view.setFocus()

    # ------------------------------------------------------------- settings
    def _restore_layout(self) -> None:
        """Geometry, docks, splitter and zoom as the user left them (defaults the first time)."""
        settings = QSettings() if self._remember else None

        def saved(key: str) -> QByteArray | None:
            value = settings.value(key) if settings is not None else None
            return value if isinstance(value, QByteArray) else None

        geometry = saved("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1400, 860)
        state = saved("window/state")
        if state is None or not self.restoreState(state):
            # The text gets the middle; the document titles need less than the entity
            # table's five columns, whose Text column must still show the entity.
            self.resizeDocks([self.list_dock, self.right_dock], [330, 480], Qt.Orientation.Horizontal)
        splitter = saved("window/rightSplitter")
        if splitter is not None:
            self.right_splitter.restoreState(splitter)
        try:
            zoom = int(settings.value("window/zoom", 0)) if settings is not None else 0
        except (TypeError, ValueError):
            zoom = 0
        if zoom:
            self.text_view.zoom(zoom)

    def save_layout(self) -> None:
        if not self._remember:
            return
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        settings.setValue("window/rightSplitter", self.right_splitter.saveState())
        settings.setValue("window/zoom", self.text_view.zoom_steps)
        self._save_document_place()
        settings.sync()

    def _stop_jobs(self) -> None:
        """Cancel running jobs and wait for them: they write through the open project."""
        if self.jobs.is_running():
            self.jobs.cancel()
            self.jobs.wait()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        project_problems.stop(self)  # a backup under way stops and leaves nothing
        self.prefetch_timer.stop()
        self.idle_collector.stop()
        self._stop_jobs()
        self.save_layout()
        if self.project is not None:
            self.propagation.flush()
            self.activity.stop()
            self.project.close()
        super().closeEvent(event)


IDLE_CHECKPOINT_MS = 20_000
PREFETCH_MS = 120  # after the switch has painted
NO_DOCUMENT = "No document open. Open a project (Ctrl+O) or import articles (Ctrl+I)."


def _first_open(spans: list[Span]) -> Span | None:
    """The open suggestion a document opens at: the first in the text."""
    return min((s for s in spans if s.state == SUGGESTED), key=lambda s: (s.start, s.end), default=None)


def _more(added: int) -> str:
    """Status-bar note for suggestions added by propagation (nlp/propagate.py)."""
    return f"; the same text suggested {added} more time{'s' if added != 1 else ''} in this document" if added else ""


__all__ = ["MainWindow", "project_key"]
