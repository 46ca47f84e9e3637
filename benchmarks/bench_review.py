"""A scripted reviewer: from the bundled model's suggestions to a given gold, at the keyboard.

    python benchmarks/bench_review.py GOLD.jsonl [--limit N] [--workers W] [--verbose]

GOLD.jsonl is what ``annotator export --format jsonl`` writes (any jsonl the importer reads
works: ``{"text", "spans": [{"start", "end", "label", "state"?}]}``). A span counts as gold
unless its ``state`` says ``suggested`` or ``rejected``.

What it does:

1. builds a temporary project from the gold's texts (default labels; a gold label the
   defaults lack is added with the first free letter as its hotkey, so it can be typed),
   and pre-annotates it with the project's suggesting model (the bundled ThaiNER CRF,
   offline) exactly as ``annotator preannotate`` does;
2. opens the real :class:`MainWindow` on it (offscreen unless QT_QPA_PLATFORM says
   otherwise) and, document by document, sends key events to the focused widget: only
   keys of ``annotator/gui/actions.py`` ACTIONS and the label hotkeys (the README's
   shortcut sheet); Thai typed into the find bar is sent as key events carrying the
   character, one key per character;
3. after each document (Ctrl+Return) checks the database: the document's confirmed spans
   (accepted, edited, manual) must equal the gold exactly (start, end, label), no
   suggestion may be left open, and the document must be done. Any difference is a
   failure, printed, and the exit status is 1.

How a plan is chosen. Gold entities are taken in document order; for each, from the
window's present state (spans, selected span, caret and selection read from the widgets),
the reviewer costs every plan below with a model of the keys (the same TokenGrid the view
steps by, Qt's own cursor for character clusters and line ends, the find bar's own
``find_next``) and sends the cheapest; then reads the state back. If the entity is not
there as planned, it plans again from what is there (the keys already sent still count),
at most four times; an entity still missing after that is *unreachable*.

* a suggestion with the entity's exact span: go to it (Tab / Shift+Tab; X instead of Tab
  over a wrong suggestion that no gold entity overlaps, which rejects it on the way at
  the same cost) and accept it (Return), or press the label key if its label is wrong;
* a suggestion overlapping the entity: go to it, move its edges (Alt+Left/Right,
  Alt+Shift+Left/Right by word, [ ] , . by character cluster; shortest sequence by
  breadth-first search, never through a confirmed span), then the label key if the label
  is wrong (moving an edge confirms the span as edited);
* built from nothing: the cheapest way (Dijkstra over caret/selection states) to a
  selection of exactly the entity, then its label key. The moves: Right/Left (word),
  Ctrl+Right/Left (character), Home/End, Ctrl+Home/End, the Shift forms extending the
  selection, starting from where the caret is, or after k Tabs / Shift+Tabs (the caret
  goes to that suggestion), or after a find: Ctrl+F, typing the first k characters of the
  entity (or of the text right after it, then extending backwards), Return (keep the
  match typed), then F3 for later matches; F3 alone when the find bar still holds a
  useful needle.

How keys are counted. Every key press is one key; a chord (Ctrl+Shift+Right) is one key;
a typed character is one key. Each key is charged to a gold entity: the keys from the
moment the previous entity was confirmed up to the moment this one is, which includes
going there and rejecting the wrong suggestions passed on the way (X). Keys after the last
entity of a document (rejecting the wrong suggestions left, the Tab to reach them) and the
Ctrl+Return that finishes it are charged to no entity: they are reported apart, as
document keys, and included in "all keys / entity". Nothing is charged for choosing the
plan. "Seconds of program time per document" is the time spent in the window handling the
keys (each key event plus the events it queues), not the planner's time.

Ends with one line: ``keys per entity: median M, mean X, max Y; unreachable U; documents D``.
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MAX_ATTEMPTS = 4
MAX_NEEDLE = 14  # longest find prefix tried (characters), besides the whole entity
MAX_F3 = 6
SPARE_HOTKEYS = "qwrtyiopsdfghjklcvbnm"


# ------------------------------------------------------------------ gold
@dataclass
class GoldDoc:
    text: str
    meta: dict
    spans: list[tuple[int, int, str]]
    line: int


def read_gold(path: str | os.PathLike) -> tuple[list[GoldDoc], list[str]]:
    """The documents of a jsonl gold file, and the problems of refused lines."""
    from annotator.formats.jsonl import Refused, record_to_document

    docs: list[GoldDoc] = []
    problems: list[str] = []
    with open(path, encoding="utf-8-sig") as fh:
        for line_no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                doc = record_to_document(obj, source=str(path), line=line_no)
            except (ValueError, Refused) as e:
                problems.append(f"line {line_no}: {e}")
                continue
            states = _raw_states(obj)
            spans = []
            for i, s in enumerate(doc.spans):
                state = states[i] if i < len(states) else None
                if state in ("suggested", "rejected"):
                    continue
                spans.append((s.start, s.end, s.label))
            meta = {k: v for k, v in doc.meta.items() if k in ("title", "date", "url")}
            docs.append(GoldDoc(doc.text, meta, sorted(set(spans)), line_no))
    return docs, problems


def _raw_states(obj: dict) -> list[str | None]:
    for key in ("spans", "ents", "entities"):
        if isinstance(obj.get(key), list):
            return [item.get("state") if isinstance(item, dict) else None for item in obj[key]]
    return []


# --------------------------------------------------------------- project
def build_project(path: Path, gold: list[GoldDoc], workers: int | None) -> tuple[list[tuple[int, GoldDoc]], list[str]]:
    """A project holding the gold's texts, pre-annotated; (doc id, gold) pairs, notes."""
    from annotator.core.model import DocumentData
    from annotator.gui.actions import review_key_owner
    from annotator.nlp.preannotate import run_preannotate
    from annotator.store.project import Project

    notes: list[str] = []
    pairs: list[tuple[int, GoldDoc]] = []
    with Project.create(path, annotator="bench") as project:
        used = {(lab.hotkey or "").lower() for lab in project.labels()}
        have = {lab.name for lab in project.labels()}
        for name in sorted({label for g in gold for _, _, label in g.spans} - have):
            hotkey = next((k for k in SPARE_HOTKEYS if k not in used and review_key_owner(k) is None), None)
            project.add_label(name, hotkey=hotkey)
            used.add(hotkey or "")
            notes.append(f"label {name} added with hotkey {hotkey}")
        for g in gold:
            doc_id = project.add_document(DocumentData(g.text, dict(g.meta), []))
            if doc_id is None:
                notes.append(f"gold line {g.line}: same text as an earlier document, skipped")
                continue
            pairs.append((doc_id, g))
        report = run_preannotate(project, workers=workers)
        notes.append(f"pre-annotated: {report.summary()}")
    return pairs, notes


# ------------------------------------------------------------------ keys
@dataclass(frozen=True)
class Key:
    name: str  # as the shortcut sheet writes it; a typed character is itself
    text: str | None = None  # a character typed into the find bar


def key(name: str) -> Key:
    return Key(name)


def typed(ch: str) -> Key:
    return Key(ch, ch)


def _qt_key(name: str):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QKeySequence

    if name in ("Shift+Tab", "Shift+Backtab"):
        return Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier
    combo = QKeySequence(name)[0]
    return combo.key(), combo.keyboardModifiers()


# ------------------------------------------------------------- the model
@dataclass
class Plan:
    kind: str  # accept, relabel, edges, build-caret, build-find, build-tab, delete
    keys: list[Key]
    note: str = ""

    @property
    def cost(self) -> int:
        return len(self.keys)


@dataclass
class EntityResult:
    doc_id: int
    gold: tuple[int, int, str]
    keys: list[Key] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    reached: bool = False
    attempts: int = 0


class Reviewer:
    """Drives one MainWindow from its suggestions to the gold, by keys only."""

    def __init__(self, window, app, verbose: bool = False):
        from PySide6.QtTest import QTest

        self.window = window
        self.view = window.text_view
        self.app = app
        self.QTest = QTest
        self.verbose = verbose
        self.key_seconds = 0.0
        self.moves: Counter = Counter()
        self.label_keys: dict[str, str] = {}
        self._label_names()

    def _label_names(self) -> None:
        from PySide6.QtGui import QKeySequence

        from annotator.gui.actions import ACTIONS

        portable = QKeySequence.SequenceFormat.PortableText
        self.documented = {QKeySequence(k).toString(portable) for spec in ACTIONS for k in spec.keys}
        self.documented |= {QKeySequence(lab.hotkey).toString(portable)
                            for lab in self.window.project.labels() if lab.hotkey}

        self.label_keys = {}
        for label in self.window.project.labels():
            if label.hotkey:
                self.label_keys[label.name] = QKeySequence(label.hotkey).toString(
                    QKeySequence.SequenceFormat.PortableText)

    # ------------------------------------------------------------ sending
    def press(self, k: Key) -> None:
        from PySide6.QtCore import QEvent, Qt
        from PySide6.QtGui import QKeyEvent
        from PySide6.QtWidgets import QApplication

        if k.text is None and k.name not in self.documented:
            raise AssertionError(f"{k.name} is not on the shortcut sheet")
        if k.name in ("Tab", "Return") and k.text is None:
            self._count_move(k.name)
        t = time.perf_counter()
        widget = QApplication.focusWidget() or self.window
        if k.text is not None:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, k.text))
        else:
            qkey, mods = _qt_key(k.name)
            self.QTest.keyClick(widget, qkey, mods)
        self.app.processEvents()
        self.key_seconds += time.perf_counter() - t

    def _count_move(self, name: str) -> None:
        """Why a Tab (or a Return that only selects) was needed: the editor's share of the cost."""
        from annotator.core.model import CONFIRMED_STATES

        current = self.view.current_span()
        if current is None:
            if name == "Tab" or not self.view.textCursor().hasSelection():
                self.moves["nothing selected (a document just opened, or Esc)"] += 1
        elif name == "Tab" and current.state in CONFIRMED_STATES:
            self.moves["after a change that does not move on (edge key, label key)"] += 1
        elif name == "Tab":
            self.moves["passing an open suggestion"] += 1

    def send(self, keys: list[Key]) -> None:
        for k in keys:
            self.press(k)

    # ------------------------------------------------------------- state
    def text(self) -> str:
        return self.view.text

    def spans(self):
        return self.window.spans

    def caret(self) -> tuple[int, int]:
        c = self.view.textCursor()
        to_py = self.view.offsets.to_py
        return to_py(c.anchor()), to_py(c.position())

    def caret_qt(self) -> tuple[int, int]:
        """Anchor and caret as Qt positions: at a shown line break the two sides are one
        code-point offset but not one caret (End stays before it, Home after)."""
        c = self.view.textCursor()
        return c.anchor(), c.position()

    def confirmed(self) -> set[tuple[int, int, str]]:
        from annotator.core.model import CONFIRMED_STATES

        return {(s.start, s.end, s.label) for s in self.spans() if s.state in CONFIRMED_STATES}

    # ----------------------------------------------------- geometry helpers
    def _prepare(self) -> None:
        """Per plan: the grid, character clusters and visual lines of the text as shown."""
        from PySide6.QtGui import QTextCursor

        view = self.view
        self.grid = view.grid()
        n = len(view.text)
        self.n = n
        doc = view.document()
        to_py, to_qt = view.offsets.to_py, view.offsets.to_qt
        if getattr(self, "_cluster_text", None) is not view.text:
            cursor = QTextCursor(doc)
            stops = [0]
            while True:
                before = cursor.position()
                cursor.movePosition(QTextCursor.MoveOperation.NextCharacter)
                if cursor.position() == before:
                    break
                stops.append(to_py(cursor.position()))
            self._clusters = stops
            self._cluster_text = view.text
        # Home / End: Qt's own cursor on the laid-out text (lines move as tags are drawn)
        self._line_cache: dict[tuple[int, bool], int] = {}
        self._char_cache: dict[tuple[int, bool], int] = {}
        self._qt_len = view.offsets.qt_length
        self._qcursor = QTextCursor(doc)
        self._to_qt, self._to_py = to_qt, to_py

    # The moves below work on Qt positions, as the window's keys do.
    def q_char(self, q: int, forward: bool) -> int:
        """Ctrl+Right / Ctrl+Left: Qt's next / previous character cluster."""
        from PySide6.QtGui import QTextCursor

        cached = self._char_cache.get((q, forward))
        if cached is None:
            c = self._qcursor
            c.setPosition(q)
            c.movePosition(QTextCursor.MoveOperation.NextCharacter if forward
                           else QTextCursor.MoveOperation.PreviousCharacter)
            cached = self._char_cache[(q, forward)] = c.position()
        return cached

    def line_edge(self, q: int, end: bool) -> int:
        from PySide6.QtGui import QTextCursor

        cached = self._line_cache.get((q, end))
        if cached is None:
            c = self._qcursor
            c.setPosition(q)
            c.movePosition(QTextCursor.MoveOperation.EndOfLine if end else QTextCursor.MoveOperation.StartOfLine)
            cached = self._line_cache[(q, end)] = c.position()
        return cached

    def word_right(self, q: int) -> int:
        """Right: to the next word end (before a shown line break, as the window puts it)."""
        t = self.grid.next_word_end(self._to_py(q))
        return self._to_qt(self.n if t is None else t, end=True)

    def word_left(self, q: int) -> int:
        t = self.grid.prev_word_start(self._to_py(q))
        return self._to_qt(0 if t is None else t)

    # ------------------------------------------------------ tab navigation
    def tab_chains(self, undone: list[tuple[int, int, str]]) -> dict[int, list[Key]]:
        """Keys to make each open suggestion the selected span: Tab forward (X instead of
        Tab over a wrong suggestion no undone gold entity overlaps) or Shift+Tab back."""
        from annotator.core.model import SUGGESTED

        spans = self.spans()
        gold = set(undone) | self.gold_all
        open_ = sorted((s for s in spans if s.state == SUGGESTED), key=lambda s: (s.start, s.id))
        if not open_:
            return {}
        current = self.view.current_span()
        out: dict[int, list[Key]] = {}

        def disposable(s) -> bool:
            if (s.start, s.end, s.label) in gold:
                return False
            return not any(s.start < ge and gs < s.end for gs, ge, _ in undone)

        # forward
        alive = list(open_)
        if current is not None:
            pos, sid, cur_span = current.start, current.id, current
        else:
            _, p = self.caret()
            pos, sid, cur_span = p, -1, None
        keys: list[Key] = []
        for _ in range(len(open_) + 1):
            cands = [s for s in alive if s.id != sid]
            if not cands:
                break
            after = [s for s in cands if (s.start, s.id) > (pos, sid)]
            nxt = after[0] if after else cands[0]
            if cur_span is not None and cur_span.state == SUGGESTED and any(x.id == cur_span.id for x in alive) \
                    and disposable(cur_span):
                keys = keys + [key("X")]
                alive = [x for x in alive if x.id != cur_span.id]
            else:
                keys = keys + [key("Tab")]
            if nxt.id in out:
                break
            out[nxt.id] = keys
            pos, sid, cur_span = nxt.start, nxt.id, nxt
        # backward
        if current is not None:
            pos, sid = current.start, current.id
        else:
            _, p = self.caret()
            pos, sid = p + 1, 1 << 62
        keys = []
        for _ in range(len(open_)):
            cands = [s for s in open_ if s.id != sid]
            if not cands:
                break
            before = [s for s in cands if (s.start, s.id) < (pos, sid)]
            prv = before[-1] if before else cands[-1]
            keys = keys + [key("Shift+Tab")]
            if prv.id not in out or len(out[prv.id]) > len(keys):
                out[prv.id] = keys
            pos, sid = prv.start, prv.id
        if current is not None and current.state == SUGGESTED:
            out[current.id] = []
        return out

    # ---------------------------------------------------------- edge moves
    def edge_plan(self, start: int, end: int, gs: int, ge: int, own_id: int) -> list[Key] | None:
        """Shortest edge-key sequence taking span [start, end) to [gs, ge)."""
        from annotator.core.model import CONFIRMED_STATES

        blocked = [(s.start, s.end) for s in self.spans() if s.state in CONFIRMED_STATES and s.id != own_id]
        grid = self.grid
        moves = (
            ("Alt+Left", lambda s, e: grid.move_edge(s, e, "start", True)),
            ("Alt+Right", lambda s, e: grid.move_edge(s, e, "start", False)),
            ("Alt+Shift+Right", lambda s, e: grid.move_edge(s, e, "end", True)),
            ("Alt+Shift+Left", lambda s, e: grid.move_edge(s, e, "end", False)),
            ("[", lambda s, e: grid.move_edge_by_character(s, e, "start", True)),
            ("]", lambda s, e: grid.move_edge_by_character(s, e, "start", False)),
            (".", lambda s, e: grid.move_edge_by_character(s, e, "end", True)),
            (",", lambda s, e: grid.move_edge_by_character(s, e, "end", False)),
        )
        lo, hi = min(start, gs) - 40, max(end, ge) + 40
        seen = {(start, end): None}
        queue = deque([(start, end)])
        while queue:
            s, e = queue.popleft()
            if (s, e) == (gs, ge):
                path = []
                while seen[(s, e)] is not None:
                    (s, e), name = seen[(s, e)]
                    path.append(key(name))
                return path[::-1]
            for name, move in moves:
                nxt = move(s, e)
                if nxt is None or nxt in seen or not (lo <= nxt[0] and nxt[1] <= hi):
                    continue
                if any(nxt[0] < be and bs < nxt[1] for bs, be in blocked):
                    continue  # refused: overlaps a confirmed span
                seen[nxt] = ((s, e), name)
                queue.append(nxt)
        return None

    # ----------------------------------------------------------- building
    def build_plan(self, gs: int, ge: int, tabs: dict[int, list[Key]]) -> tuple[list[Key], str] | None:
        """Cheapest keys to a selection of exactly [gs, ge), before the label key."""
        from annotator.gui.widgets.find_bar import find_next

        text = self.text()
        anchors = {gs, ge}
        to_qt, to_py = self._to_qt, self._to_py
        start_a, start_p = self.caret_qt()
        seeds: list[tuple[int, tuple[int, int], list[Key], str]] = [(0, (start_a, start_p), [], "caret")]
        span_by_id = {s.id: s for s in self.spans()}
        for sid, keys in tabs.items():
            s = span_by_id.get(sid)
            if s is not None and keys:
                seeds.append((len(keys), (to_qt(s.start), to_qt(s.start)), keys, "tab"))
        # find (in code points; a match found is selected start to end)
        s0, e0 = self.view.offsets.range_to_py(min(start_a, start_p), max(start_a, start_p))
        needles = []
        entity = text[gs:ge]
        for k in range(1, min(len(entity), MAX_NEEDLE) + 1):
            needles.append((entity[:k], gs))
        if len(entity) > MAX_NEEDLE:
            needles.append((entity, gs))
        after = text[ge:ge + MAX_NEEDLE]
        for k in range(1, len(after) + 1):
            if not after[:k].isspace():
                needles.append((after[:k], ge))
        for needle, _where in needles:
            s, e = s0, e0
            for i in range(1, len(needle) + 1):  # typing: each character searches on
                m = find_next(text, needle[:i], s, e, True, incremental=True)
                if m is not None:
                    s, e = m
            if text[s:e] != needle:
                continue
            # Return (or Esc) hands the match typed to the text; F3 goes on to later ones.
            chain = [key("Ctrl+F")] + [typed(ch) for ch in needle] + [key("Return")]
            m = (s, e)
            for _ in range(MAX_F3 + 1):
                if m is None:
                    break
                seeds.append((len(chain), (to_qt(m[0]), to_qt(m[1], end=True)), list(chain), "find"))
                m = find_next(text, needle, m[0], m[1], True)
                chain = chain + [key("F3")]
        needle = self.window.find_bar.needle
        if needle:
            m, chain = (s0, e0), []
            for _ in range(MAX_F3):
                m = find_next(text, needle, m[0], m[1], True)
                if m is None:
                    break
                chain = chain + [key("F3")]
                seeds.append((len(chain), (to_qt(m[0]), to_qt(m[1], end=True)), list(chain), "find"))

        best: dict[tuple[int, int], int] = {}
        back: dict[tuple[int, int], tuple] = {}
        heap: list = []
        for cost, state, keys, how in seeds:
            if state not in best or cost < best[state]:
                best[state] = cost
                back[state] = ("seed", keys, how)
                heapq.heappush(heap, (cost, state))
        grid = self.grid
        goal = None
        while heap:
            cost, (a, p) = heapq.heappop(heap)
            if cost > best.get((a, p), 1 << 30):
                continue
            if a != p and self.view.offsets.range_to_py(min(a, p), max(a, p)) == (gs, ge):
                goal = (a, p)
                break
            if cost > 60:
                break
            nexts = []
            # plain moves: the caret, selection dropped
            for name, f in (("Right", self.word_right), ("Left", self.word_left),
                            ("Ctrl+Right", lambda q: self.q_char(q, True)),
                            ("Ctrl+Left", lambda q: self.q_char(q, False)),
                            ("Home", lambda q: self.line_edge(q, False)), ("End", lambda q: self.line_edge(q, True)),
                            ("Ctrl+Home", lambda q: 0), ("Ctrl+End", lambda q: self._qt_len)):
                t = f(p)
                nexts.append((name, (t, t)))
            # extending moves
            live = to_py(a) in anchors or a == p
            if live:
                pp = to_py(p)
                aa = a
                if a == p:  # word extension starts from the word's edge
                    tok = grid.token_at(pp)
                    if tok and tok[0] < pp < tok[1]:
                        aa = to_qt(tok[0])
                nexts.append(("Shift+Right", (aa, self.word_right(p))))
                ab = a
                if a == p:
                    tok = grid.token_at(max(0, pp - 1))
                    if tok and tok[0] < pp < tok[1]:
                        ab = to_qt(tok[1], end=True)
                nexts.append(("Shift+Left", (ab, self.word_left(p))))
                nexts.append(("Ctrl+Shift+Right", (a, self.q_char(p, True))))
                nexts.append(("Ctrl+Shift+Left", (a, self.q_char(p, False))))
                nexts.append(("Shift+Home", (a, self.line_edge(p, False))))
                nexts.append(("Shift+End", (a, self.line_edge(p, True))))
            for name, state in nexts:
                na, np_ = state
                if na != np_ and to_py(na) not in anchors:
                    continue  # a selection that can never become the entity
                if cost + 1 < best.get(state, 1 << 30):
                    best[state] = cost + 1
                    back[state] = ("move", (a, p), name)
                    heapq.heappush(heap, (cost + 1, state))
        if goal is None:
            return None
        path: list[Key] = []
        state = goal
        while True:
            entry = back[state]
            if entry[0] == "seed":
                return entry[1] + path[::-1], entry[2]
            _, prev, name = entry
            path.append(key(name))
            state = prev

    # -------------------------------------------------------------- plans
    def plans_for(self, g: tuple[int, int, str], undone: list[tuple[int, int, str]]) -> list[Plan]:
        from annotator.core.model import CONFIRMED_STATES, SUGGESTED

        gs, ge, label = g
        self._prepare()
        label_key = self.label_keys.get(label)
        tabs = self.tab_chains(undone)
        plans: list[Plan] = []
        current = self.view.current_span()
        for s in self.spans():
            usable = s.state == SUGGESTED and s.id in tabs
            fix_current = (current is not None and s.id == current.id and s.state in CONFIRMED_STATES
                           and (s.start, s.end, s.label) not in self.gold_all)
            if not (usable or fix_current) or not (s.start < ge and gs < s.end):
                continue
            nav = tabs.get(s.id, []) if usable else []
            if (s.start, s.end) == (gs, ge):
                if s.label == label:
                    if s.state == SUGGESTED:
                        plans.append(Plan("accept", nav + [key("Return")]))
                elif label_key:
                    plans.append(Plan("relabel", nav + [key(label_key)]))
                continue
            edges = self.edge_plan(s.start, s.end, gs, ge, s.id)
            if edges is None:
                continue
            tail = [] if s.label == label else ([key(label_key)] if label_key else None)
            if tail is None:
                continue
            plans.append(Plan("edges", nav + edges + tail))
        if label_key:
            built = self.build_plan(gs, ge, tabs)
            if built is not None:
                keys, how = built
                plans.append(Plan("build-" + how, keys + [key(label_key)]))
        plans.sort(key=lambda p: p.cost)
        return plans

    # ---------------------------------------------------------- documents
    def review(self, doc_id: int, gold: list[tuple[int, int, str]]) -> tuple[list[EntityResult], list[Key], list[str]]:
        """Review the shown document into ``gold``; (per entity results, document keys, problems)."""
        from annotator.core.model import CONFIRMED_STATES, SUGGESTED

        problems: list[str] = []
        self.gold_all = set(gold)
        results: list[EntityResult] = []
        for g in sorted(gold):
            r = EntityResult(doc_id, g)
            results.append(r)
            while g not in self.confirmed() and r.attempts < MAX_ATTEMPTS:
                r.attempts += 1
                undone = [x for x in sorted(gold) if x not in self.confirmed()]
                plans = self.plans_for(g, undone)
                if not plans:
                    break
                plan = plans[0]
                if self.verbose:
                    print(f"  #{doc_id} {g} {self.text()[g[0]:g[1]]!r}: {plan.kind} "
                          + " ".join(k.name for k in plan.keys), flush=True)
                self.send(plan.keys)
                r.keys += plan.keys
                r.kinds.append(plan.kind)
                # a wrong confirmed span just made (the model was wrong): fix it next round,
                # or delete it when it is in nobody's way
                current = self.view.current_span()
                if (g in self.confirmed() and current is not None and current.state in CONFIRMED_STATES
                        and (current.start, current.end, current.label) not in self.gold_all):
                    self.send([key("Del")])
                    r.keys.append(key("Del"))
                    r.kinds.append("delete")
            r.reached = g in self.confirmed()
            if not r.reached:
                problems.append(f"document #{doc_id}: could not reach {g} {self.text()[g[0]:g[1]]!r}")
        # wrong confirmed spans left (should not happen): select them is not possible by keys
        doc_keys: list[Key] = []
        for _ in range(len(self.spans()) * 2 + 2):
            open_ = [s for s in self.spans() if s.state == SUGGESTED]
            if not open_:
                break
            current = self.view.current_span()
            k = key("X") if current is not None and current.state == SUGGESTED else key("Tab")
            self.press(k)
            doc_keys.append(k)
        self.press(key("Ctrl+Return"))
        doc_keys.append(key("Ctrl+Return"))
        return results, doc_keys, problems


def verify(project, doc_id: int, gold: list[tuple[int, int, str]]) -> list[str]:
    """What differs between the database and the gold for one document."""
    from annotator.core.model import CONFIRMED_STATES, DONE, SUGGESTED

    spans = project.spans(doc_id)
    have = {(s.start, s.end, s.label) for s in spans if s.state in CONFIRMED_STATES}
    want = set(gold)
    out = []
    text = project.document(doc_id).text
    for s, e, lab in sorted(want - have):
        out.append(f"document #{doc_id}: missing {lab} {s}-{e} {text[s:e]!r}")
    for s, e, lab in sorted(have - want):
        out.append(f"document #{doc_id}: extra {lab} {s}-{e} {text[s:e]!r}")
    left = sum(1 for s in spans if s.state == SUGGESTED)
    if left:
        out.append(f"document #{doc_id}: {left} suggestions left open")
    if project.document_status(doc_id) != DONE:
        out.append(f"document #{doc_id}: not done ({project.document_status(doc_id)})")
    return out


def _wait(app, condition, timeout: float = 5.0) -> bool:
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        app.processEvents()
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def run(gold_path: str, limit: int | None = None, workers: int | None = None, verbose: bool = False,
        out=None, keep: str | os.PathLike | None = None) -> dict:
    """The whole benchmark; returns the figures (and prints them, last line as documented).
    ``keep``: a folder to leave the reviewed project in (``review.annot``), else a temporary one."""
    out = out or sys.stdout
    from PySide6.QtCore import QCoreApplication, QSettings, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    previous = None

    def quiet(mode, context, message):  # the offscreen platform's note on every dialog-less show
        if "propagateSizeHints" not in message and previous is not None:
            previous(mode, context, message)
        elif "propagateSizeHints" not in message:
            sys.stderr.write(message + "\n")

    previous = qInstallMessageHandler(quiet)

    def say(*args):
        print(*args, file=out, flush=True)

    gold, problems = read_gold(gold_path)
    for p in problems:
        say(f"gold refused: {p}")
    if limit is not None:
        gold = gold[:limit]
    tmp = tempfile.TemporaryDirectory(prefix="bench-review-")
    where = Path(keep) if keep is not None else Path(tmp.name)
    where.mkdir(parents=True, exist_ok=True)
    try:
        settings = Path(tmp.name) / "settings"
        settings.mkdir()
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(settings))
        app = QApplication.instance() or QApplication([])
        QCoreApplication.setOrganizationName("ThaiNER-bench-review")
        t = time.perf_counter()
        pairs, notes = build_project(where / "review.annot", gold, workers)
        say(f"project: {len(pairs)} documents, {sum(len(g.spans) for _, g in pairs)} gold entities"
            f" ({time.perf_counter() - t:.1f} s to build and pre-annotate)")
        for note in notes:
            say(f"  {note}")
        return _review_all(app, where / "review.annot", pairs, verbose, say)
    finally:
        tmp.cleanup()


def _review_all(app, path: Path, pairs, verbose: bool, say) -> dict:
    from annotator.core.model import SUGGESTED
    from annotator.gui.main_window import MainWindow
    from annotator.store.project import Project

    project = Project.open(path)
    window = MainWindow(project, remember=False)
    window.resize(1400, 860)
    window.show()
    window.activateWindow()
    _wait(app, window.isActiveWindow)
    reviewer = Reviewer(window, app, verbose)
    results: list[EntityResult] = []
    doc_keys_all: list[list[Key]] = []
    failures: list[str] = []
    seconds: list[float] = []
    first_state = Counter()
    try:
        for doc_id, g in pairs:
            if window.doc_id != doc_id:
                failures.append(f"document #{doc_id}: the window showed #{window.doc_id} instead (opened it)")
                window.show_document(doc_id)
            window.text_view.setFocus()
            _wait(app, window.text_view.hasFocus)
            for s in project.spans(doc_id):
                if s.state == SUGGESTED:
                    exact = (s.start, s.end, s.label) in set(g.spans)
                    first_state["suggestions right" if exact else "suggestions wrong"] += 1
            reviewer.key_seconds = 0.0
            res, dkeys, problems = reviewer.review(doc_id, g.spans)
            seconds.append(reviewer.key_seconds)
            results += res
            doc_keys_all.append(dkeys)
            failures += problems
            failures += verify(project, doc_id, g.spans)
            if verbose:
                say(f"#{doc_id}: {sum(len(r.keys) for r in res)} keys for {len(res)} entities,"
                    f" {len(dkeys)} document keys, {reviewer.key_seconds:.2f} s")
    finally:
        window.close()
        app.processEvents()
    return report(results, doc_keys_all, failures, seconds, first_state, len(pairs), say, reviewer.moves)


def report(results, doc_keys_all, failures, seconds, first_state, documents, say, moves=None) -> dict:
    per = [len(r.keys) for r in results]
    unreachable = sum(1 for r in results if not r.reached)
    doc_keys = sum(len(k) for k in doc_keys_all)
    total = sum(per) + doc_keys
    by_kind: dict[str, list[int]] = {}
    for r in results:
        kind = r.kinds[-1] if r.kinds else "none"
        if len(set(r.kinds) - {"delete"}) > 1 or r.attempts > 1:
            kind = "replanned"
        by_kind.setdefault(kind, []).append(len(r.keys))
    say(f"suggestions at the start: {first_state['suggestions right']} exactly right,"
        f" {first_state['suggestions wrong']} not")
    for kind in sorted(by_kind):
        v = by_kind[kind]
        say(f"  {kind:12s} {len(v):5d} entities, keys mean {statistics.mean(v):.2f}, median"
            f" {statistics.median(v):g}, max {max(v)}")
    accepted = by_kind.get("accept", [])
    if accepted:
        say(f"right suggestions accepted with one key: {sum(1 for n in accepted if n == 1)} of {len(accepted)}")
    built = [n for k, v in by_kind.items() if k.startswith("build") for n in v]
    if built:
        say(f"built from nothing: {len(built)} entities, mean {statistics.mean(built):.2f} keys (label key included)")
    keys_used = Counter(k.name if k.text is None else "(typed character)" for r in results for k in r.keys)
    say("keys used: " + ", ".join(f"{name} {n}" for name, n in keys_used.most_common()))
    for why, n in (moves or {}).items():
        say(f"  Tab/Return only to select a suggestion, {why}: {n}")
    worst = sorted(results, key=lambda r: -len(r.keys))[:5]
    for r in worst:
        if r.keys:
            say(f"  costliest: #{r.doc_id} {r.gold}: {len(r.keys)} keys ({'/'.join(r.kinds)}): "
                + " ".join(k.name for k in r.keys))
    if documents:
        say(f"document keys (after the last entity, and Ctrl+Return): {doc_keys} for {documents} documents")
    if per:
        say(f"all keys / entity: {total} / {len(per)} = {total / len(per):.2f}")
    if seconds:
        say(f"seconds of program time per document: median {statistics.median(seconds):.3f},"
            f" mean {statistics.mean(seconds):.3f}, max {max(seconds):.3f}")
    for f in failures:
        say(f"FAILED: {f}")
    say(f"failures: {len(failures)}")
    median = statistics.median(per) if per else 0
    mean = statistics.mean(per) if per else 0.0
    mx = max(per) if per else 0
    say(f"keys per entity: median {median:g}, mean {mean:.2f}, max {mx}; unreachable {unreachable};"
        f" documents {documents}")
    return {"median": median, "mean": mean, "max": mx, "unreachable": unreachable, "documents": documents,
            "failures": failures, "per_entity": per, "doc_keys": doc_keys, "seconds": seconds,
            "by_kind": {k: list(v) for k, v in by_kind.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("gold", help="gold jsonl (as annotator export --format jsonl writes it)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N documents")
    parser.add_argument("--workers", type=int, default=1, help="pre-annotation processes (default 1)")
    parser.add_argument("--verbose", action="store_true", help="print every plan")
    parser.add_argument("--keep", metavar="DIR", help="leave the reviewed project in DIR/review.annot")
    args = parser.parse_args(argv)
    figures = run(args.gold, args.limit, args.workers, args.verbose, keep=args.keep)
    return 1 if figures["failures"] or figures["unreachable"] else 0


if __name__ == "__main__":
    sys.exit(main())
