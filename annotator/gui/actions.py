"""Every command of the window with its keys, in one table.

The menus, the shortcuts and Help -> Keyboard shortcuts are all built from :data:`ACTIONS`
(plus one entry per label hotkey, which the project defines), so a key cannot be bound
without also being documented.

Scopes say where a key works, so that typing in the document filter never accepts a
suggestion:

* ``window``: anywhere in the main window;
* ``review``: while the text, the entity list or the label palette has the focus;
* ``text``: while the text has the focus (caret and selection keys).

Keys follow one scheme: plain arrows move by Thai word (the project's tokens), Shift
extends the selection, Ctrl means exact characters; Alt+arrows (or { }) move the start
edge of the selected span by a word and Alt+Shift+arrows (or < >) its end edge; [ ] and
, . move them by one character. Every key can be rebound (gui/keymap.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QWidget

WINDOW, REVIEW, TEXT = "window", "review", "text"


@dataclass(frozen=True)
class ActionSpec:
    """One command. ``name`` is the key of its handler; the first key is shown in menus."""

    name: str
    text: str
    keys: tuple[str, ...]
    menu: str
    scope: str = WINDOW
    help: str = ""  # what the shortcut sheet says, when the menu text is not enough

    @property
    def description(self) -> str:
        return self.help or self.text.replace("&", "").rstrip("…")


def _a(name: str, text: str, keys: str | tuple[str, ...], menu: str, scope: str = WINDOW, help: str = "") -> ActionSpec:
    return ActionSpec(name, text, (keys,) if isinstance(keys, str) else keys, menu, scope, help)


# Menu titles, in menu-bar order.
MENUS = ("&File", "&Edit", "&Select", "&Span", "&Review", "&Adjudicate", "&Model", "&View", "&Help")

ACTIONS: tuple[ActionSpec, ...] = (
    # File
    _a("new_project", "&New project…", "Ctrl+N", "&File"),
    _a("open_project", "&Open project…", "Ctrl+O", "&File"),
    _a("import_files", "&Import…", "Ctrl+I", "&File", help="Import articles or annotated files"),
    _a("export_files", "&Export…", "Ctrl+E", "&File", help="Export a gold dataset"),
    _a("save_copy", "Save a &copy…", "Ctrl+Shift+S", "&File",
       help="Save a copy of the project to share (one file, safe while it is open)"),
    _a("quit", "&Quit", "Ctrl+Q", "&File"),
    # Edit
    _a("undo", "&Undo", "Ctrl+Z", "&Edit", help="Undo the last change (any document)"),
    _a("redo", "&Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "&Edit"),
    _a("manage_labels", "&Labels…", "Ctrl+L", "&Edit", help="Add, rename, recolour labels and set hotkeys"),
    # Select: caret and selection in the text
    _a("word_right", "Next word", "Right", "&Select", TEXT, "Caret to the end of the next word"),
    _a("word_left", "Previous word", "Left", "&Select", TEXT, "Caret to the start of the previous word"),
    _a("select_word_right", "Extend selection by a word", "Shift+Right", "&Select", TEXT,
       "Extend the selection by one word to the right (snaps to words)"),
    _a("select_word_left", "Extend selection back by a word", "Shift+Left", "&Select", TEXT,
       "Extend the selection by one word to the left (snaps to words)"),
    _a("char_right", "Next character", "Ctrl+Right", "&Select", TEXT, "Caret one character right"),
    _a("char_left", "Previous character", "Ctrl+Left", "&Select", TEXT, "Caret one character left"),
    _a("select_char_right", "Extend selection by a character", "Ctrl+Shift+Right", "&Select", TEXT,
       "Extend the selection by one exact character (no snapping)"),
    _a("select_char_left", "Extend selection back by a character", "Ctrl+Shift+Left", "&Select", TEXT,
       "Extend the selection back by one exact character (no snapping)"),
    _a("line_start", "Start of line", "Home", "&Select", TEXT, "Caret to the start of the line"),
    _a("line_end", "End of line", "End", "&Select", TEXT, "Caret to the end of the line"),
    _a("select_line_start", "Select to start of line", "Shift+Home", "&Select", TEXT,
       "Extend the selection to the start of the line"),
    _a("select_line_end", "Select to end of line", "Shift+End", "&Select", TEXT,
       "Extend the selection to the end of the line"),
    _a("document_start", "Start of document", "Ctrl+Home", "&Select", TEXT, "Caret to the start of the document"),
    _a("document_end", "End of document", "Ctrl+End", "&Select", TEXT, "Caret to the end of the document"),
    _a("clear_selection", "Clear selection", "Esc", "&Select", REVIEW,
       "Clear the selection and unselect the span"),
    # Span: change the selected span
    _a("delete_span", "&Delete span", "Del", "&Span", REVIEW),
    # Alt+Shift+arrows are taken by some window managers (Openbox: send to desktop), so each
    # edge move also has a key no desktop takes: { } move the start by a word, < > the end
    # (Shift with the character keys below, which move by one character).
    _a("grow_start", "Grow at start", ("Alt+Left", "{"), "&Span", REVIEW, "Span: start one word earlier"),
    _a("shrink_start", "Shrink at start", ("Alt+Right", "}"), "&Span", REVIEW, "Span: start one word later"),
    _a("shrink_end", "Shrink at end", ("Alt+Shift+Left", "<"), "&Span", REVIEW, "Span: end one word earlier"),
    _a("grow_end", "Grow at end", ("Alt+Shift+Right", ">"), "&Span", REVIEW, "Span: end one word later"),
    # One character cluster at a time (trimming ปลัด off ปลัดกระทรวง…), on keys no window manager
    # takes and that need no Shift: [ ] the start, , . the end.
    _a("start_char_earlier", "Start a character earlier", "[", "&Span", REVIEW, "Span: start one character earlier"),
    _a("start_char_later", "Start a character later", "]", "&Span", REVIEW, "Span: start one character later"),
    _a("end_char_earlier", "End a character earlier", ",", "&Span", REVIEW, "Span: end one character earlier"),
    _a("end_char_later", "End a character later", ".", "&Span", REVIEW, "Span: end one character later"),
    # Review
    _a("next_suggestion", "&Next suggestion", "Tab", "&Review", REVIEW, "Select the next open suggestion"),
    _a("prev_suggestion", "&Previous suggestion", ("Shift+Tab", "Shift+Backtab"), "&Review", REVIEW,
       "Select the previous open suggestion"),
    _a("accept", "&Accept", ("Return", "Enter", "A"), "&Review", REVIEW,
       "Accept the selected suggestion and go to the next one (none selected: select one)"),
    _a("reject", "&Reject", ("X", "Backspace"), "&Review", REVIEW,
       "Reject the selected suggestion and go to the next one"),
    _a("accept_all", "Accept a&ll in document", "Shift+A", "&Review", REVIEW,
       "Accept every open suggestion in this document"),
    _a("done_next", "&Done, next document", ("Ctrl+Return", "Ctrl+Enter"), "&Review", WINDOW,
       "Mark this document done and open the next unfinished one"),
    _a("next_document", "Next document", "Ctrl+PgDown", "&Review", WINDOW),
    _a("prev_document", "Previous document", "Ctrl+PgUp", "&Review", WINDOW),
    # Adjudicate: decide where annotators disagree (a merged project)
    _a("adjudicate", "&Adjudication", "F8", "&Adjudicate",
       help="Adjudication: show the conflicts and go to the next open one"),
    *(_a(f"take_{k}", f"Take version &{k}", f"Alt+{k}", "&Adjudicate", REVIEW,
         f"Take version {k} of the conflict as gold (the others are rejected)") for k in range(1, 10)),
    _a("take_none", "Take &none", "Alt+0", "&Adjudicate", REVIEW,
       "No entity here: reject every version of the conflict"),
    _a("next_conflict", "Next conflict", "Alt+Down", "&Adjudicate", REVIEW, "Go to the next open conflict"),
    _a("prev_conflict", "Previous conflict", "Alt+Up", "&Adjudicate", REVIEW, "Go to the previous open conflict"),
    # Model
    _a("preannotate", "&Pre-annotate", "Ctrl+Shift+P", "&Model",
       help="Suggest entities in every document not yet finished"),
    _a("train_model", "&Train model", "Ctrl+Shift+T", "&Model",
       help="Train a model on the done documents; if it is not worse than the suggesting one, it takes"
            " over and re-suggests in the documents nobody has reviewed"),
    _a("choose_model", "&Suggest with…", "Ctrl+Shift+M", "&Model",
       help="Choose the model that makes the suggestions (bundled or a trained version), then re-suggest"
            " in the documents nobody has reviewed"),
    _a("propagate_everywhere", "Suggest this span &everywhere", "Ctrl+Shift+G", "&Model",
       help="Suggest the selected confirmed span's text in every unfinished document"),
    _a("model_report", "Models, suggestions and pace &report…", "Ctrl+Shift+R", "&Model",
       help="Models trained, what reviewers did with the suggestions per label, and entities decided per hour"),
    # View
    _a("find", "&Find in document…", "Ctrl+F", "&View",
       help="Find in this document: typing selects the first match, Return hands it to the text (a label key"
            " then labels it), Esc closes"),
    _a("find_next", "Find &next", "F3", "&View", help="Select the next match of the find text"),
    _a("find_previous", "Find pre&vious", "Shift+F3", "&View", help="Select the previous match of the find text"),
    _a("zoom_in", "Zoom &in", ("Ctrl++", "Ctrl+="), "&View", help="Larger text"),
    _a("zoom_out", "Zoom &out", "Ctrl+-", "&View", help="Smaller text"),
    _a("focus_documents", "Go to &document list", "F6", "&View"),
    _a("focus_text", "Go to &text", "F7", "&View"),
    # Help
    _a("show_shortcuts", "&Keyboard shortcuts", "F1", "&Help"),
)

# Keys a label hotkey must not take: they already mean something in the window (a label
# from a merged file with the hotkey Ctrl+Q would otherwise take Quit away).
RESERVED_KEYS = frozenset(
    QKeySequence(k).toString(QKeySequence.SequenceFormat.PortableText)
    for spec in ACTIONS
    for k in spec.keys
)

# Extra bindings that only make a key work everywhere: X11 and others send Shift+Tab as
# Shift+Backtab. Bound, but not listed twice on the sheet.
KEY_ALIASES = frozenset({"Shift+Backtab"})

# Mouse gestures: not actions, but a reviewer needs them on the same sheet.
MOUSE_ROWS: tuple[tuple[str, str], ...] = (
    ("Select text (snaps to whole words)", "Drag"),
    ("Select exact characters (no snapping)", "Ctrl+Drag or Alt+Drag"),
    ("Select one word", "Double-click"),
    ("Select a span", "Click on it, or on its row in the entity list"),
    ("Show a span's label, state, origin and confidence", "Hover over it"),
    ("Apply a label to the selection / relabel the selected span", "Click the label in the palette"),
)


def spec(name: str) -> ActionSpec:
    for item in ACTIONS:
        if item.name == name:
            return item
    raise KeyError(name)


KeysOf = Callable[[str], Sequence[str]]  # command name -> its keys now (gui/keymap.py)


def default_keys(name: str) -> tuple[str, ...]:
    return spec(name).keys


def review_key_owner(key: str, keys_of: KeysOf | None = None) -> ActionSpec | None:
    """The review or text command a key already belongs to (label hotkeys must not take
    one: it would never reach the label), or None."""
    keys_of = keys_of or default_keys
    wanted = QKeySequence(key).toString(QKeySequence.SequenceFormat.PortableText)
    for item in ACTIONS:
        if item.scope in (REVIEW, TEXT) and any(
                QKeySequence(k).toString(QKeySequence.SequenceFormat.PortableText) == wanted
                for k in keys_of(item.name)):
            return item
    return None


def key_text(key: str) -> str:
    """A key as the user's platform writes it (Ctrl+Z, ⌘Z …)."""
    return QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)


def label_key_rows(labels: Iterable[object]) -> list[tuple[str, str]]:
    """One sheet row per label hotkey. ``labels`` are :class:`Label` objects."""
    rows = []
    for label in labels:
        hotkey = getattr(label, "hotkey", None)
        if hotkey:
            name = getattr(label, "name")
            rows.append((f"Label the selection {name} (or relabel the selected span)", key_text(hotkey)))
    return rows


def shortcut_rows(labels: Iterable[object] = (), keys_of: KeysOf | None = None) -> list[tuple[str, str]]:
    """Everything for Help -> Keyboard shortcuts: (what, keys)."""
    return [(what, keys) for what, keys, _name in sheet_rows(labels, keys_of)]


def sheet_rows(labels: Iterable[object] = (), keys_of: KeysOf | None = None) -> list[tuple[str, str, str | None]]:
    """(what, keys, command name or None for label and mouse rows), in sheet order."""
    keys_of = keys_of or default_keys
    rows: list[tuple[str, str, str | None]] = [(what, keys, None) for what, keys in label_key_rows(labels)]
    for item in ACTIONS:
        keys = ", ".join(key_text(k) for k in keys_of(item.name) if k not in KEY_ALIASES)
        rows.append((item.description, keys, item.name))
    rows.extend((what, keys, None) for what, keys in MOUSE_ROWS)
    return rows


# Symbols typed with Shift on common layouts. X11 offers Shift+. to shortcuts as ">", other
# platforms (and Qt's test events) as Shift+">": bind both so the key works everywhere.
SHIFTED_SYMBOLS = frozenset('{}<>?:"|~!@#$%^&*()_+')


def key_sequences(keys: Sequence[str]) -> list[QKeySequence]:
    """The sequences to bind for ``keys``, with the Shift+ form of shifted symbols."""
    out = []
    for key in keys:
        out.append(QKeySequence(key))
        if key in SHIFTED_SYMBOLS:
            out.append(QKeySequence(f"Shift+{key}"))
    return out


def build_actions(
    parent: QWidget,
    handlers: Mapping[str, Callable[[], object]],
    scope_widgets: Mapping[str, Sequence[QWidget]],
    menubar: QMenuBar | None = None,
    keys_of: KeysOf | None = None,
) -> tuple[dict[str, QAction], dict[str, QMenu]]:
    """Make a QAction per row, put it in its menu and on the widgets of its scope.

    ``handlers`` maps action names to callables; ``scope_widgets`` gives the widgets of
    the review and text scopes (their shortcuts only fire while one of them has focus);
    ``keys_of`` gives each command's keys (the user's keymap; the defaults otherwise).
    """
    keys_of = keys_of or default_keys
    menus: dict[str, QMenu] = {}
    if menubar is not None:
        for title in MENUS:
            menus[title] = menubar.addMenu(title)
    actions: dict[str, QAction] = {}
    for item in ACTIONS:
        action = QAction(item.text, parent)
        action.setObjectName(item.name)
        action.setShortcuts(key_sequences(keys_of(item.name)))
        action.setStatusTip(item.description)
        if item.scope == WINDOW:
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            parent.addAction(action)
        else:
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            for widget in scope_widgets.get(item.scope, ()):
                widget.addAction(action)
        handler = handlers.get(item.name)
        if handler is not None:
            action.triggered.connect(lambda _checked=False, h=handler: h())
        if item.menu in menus:
            menus[item.menu].addAction(action)
        actions[item.name] = action
    return actions, menus


__all__ = [
    "ACTIONS",
    "ActionSpec",
    "KEY_ALIASES",
    "MENUS",
    "MOUSE_ROWS",
    "RESERVED_KEYS",
    "REVIEW",
    "TEXT",
    "WINDOW",
    "build_actions",
    "default_keys",
    "key_sequences",
    "key_text",
    "label_key_rows",
    "sheet_rows",
    "shortcut_rows",
    "spec",
]
