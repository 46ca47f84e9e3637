"""The article, with its entities painted in label colours.

Painting goes through a :class:`QSyntaxHighlighter` over a read-only
:class:`QPlainTextEdit`: Qt asks for one block (paragraph) at a time and only lays out
what is on screen, so switching to a 120,000-character article with a thousand spans
costs one pass of cheap per-block lookups. (ExtraSelections or ``setHtml`` were several
times slower on the same articles, and HTML would put markup into the text.)

How a span looks:

* confirmed (accepted, edited, manual): filled with its label colour, with a filled tag
  naming the label right after it;
* open suggestion: a pale wash of the colour, a dashed underline and an outlined tag;
* rejected: not painted (it is still listed, greyed, in the entity panel);
* the selected span: framed.

The tag needs room after the span. The text cannot be changed, so the highlighter gives
the span's last character cluster extra letter spacing exactly as wide as the tag, and
the paint event draws the tag into that gap.

All offsets given to or returned by this view are code points of the document text,
end-exclusive, like the project's; UTF-16 positions stay inside (see ``text_offsets``).
"""

from __future__ import annotations

import html
import unicodedata
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from typing import Callable, Iterable, NamedTuple, Sequence

from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QKeySequence,
    QPainter,
    QPen,
    QStaticText,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextOption,
    QTransform,
)
from PySide6.QtWidgets import QPlainTextDocumentLayout, QPlainTextEdit, QToolTip, QWidget

from annotator.core.model import CONFIRMED_STATES, REJECTED, SUGGESTED, Label, Span
from annotator.gui.fonts import text_font
from annotator.gui.line_breaks import CharWidths, RunWrapper
from annotator.gui.text_offsets import OffsetMap, display_text
from annotator.nlp.tokenizer import cannot_start_token

# Mouse modifiers that keep a selection's exact characters instead of snapping to words.
# Both, because many Linux desktops take Alt+drag to move windows.
EXACT_MODIFIERS = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
SELECTED_FRAME = QColor("#1f4fb8")
UNKNOWN_LABEL_COLOR = "#cccccc"
# Above this many changed spans one full rehighlight is cheaper than block-by-block.
FULL_REHIGHLIGHT = 64
# Up to this many runs of re-broken paragraphs are edited one edit block each (see _apply_breaks).
SEPARATE_RUNS = 16


# ------------------------------------------------------------------ tokens
class TokenGrid:
    """The word tokens of one text, for snapping selections and stepping by word.

    Offsets are code points, end-exclusive. Tokens cover the text; whitespace tokens
    are kept for snapping but skipped when stepping, so a step always lands on a word.
    """

    def __init__(self, text: str, tokens: Sequence[tuple[int, int]]):
        self.text = text
        self.tokens = list(tokens)
        self.starts = [s for s, _ in tokens]
        self.ends = [e for _, e in tokens]
        self._word_starts: list[int] | None = None  # made the first time a step needs them
        self._word_ends: list[int] | None = None

    def _words(self) -> None:
        text = self.text
        words = [(s, e) for s, e in self.tokens if not text[s:e].isspace()]
        self._word_starts = [s for s, _ in words]
        self._word_ends = [e for _, e in words]

    @property
    def word_starts(self) -> list[int]:
        if self._word_starts is None:
            self._words()
        return self._word_starts

    @property
    def word_ends(self) -> list[int]:
        if self._word_ends is None:
            self._words()
        return self._word_ends

    def token_at(self, offset: int) -> tuple[int, int] | None:
        """The token holding the character at ``offset``."""
        i = bisect_right(self.starts, offset) - 1
        if i < 0 or offset >= self.ends[i]:
            return None
        return self.starts[i], self.ends[i]

    def snap(self, start: int, end: int) -> tuple[int, int]:
        """Widen [start, end) to whole tokens, then drop white space at either edge."""
        if start >= end or not self.starts:
            return start, end
        first = self.token_at(start)
        last = self.token_at(end - 1)
        s = first[0] if first else start
        e = last[1] if last else end
        while s < e and self.text[s].isspace():
            s += 1
        while e > s and self.text[e - 1].isspace():
            e -= 1
        return (s, e) if s < e else (start, end)

    def next_word_end(self, offset: int) -> int | None:
        i = bisect_right(self.word_ends, offset)
        return self.word_ends[i] if i < len(self.word_ends) else None

    def prev_word_start(self, offset: int) -> int | None:
        i = bisect_left(self.word_starts, offset) - 1
        return self.word_starts[i] if i >= 0 else None

    def next_word_start(self, offset: int) -> int | None:
        i = bisect_right(self.word_starts, offset)
        return self.word_starts[i] if i < len(self.word_starts) else None

    def prev_word_end(self, offset: int) -> int | None:
        i = bisect_left(self.word_ends, offset) - 1
        return self.word_ends[i] if i >= 0 else None

    def move_edge(self, start: int, end: int, edge: str, grow: bool) -> tuple[int, int] | None:
        """[start, end) with one edge moved by one word; None when it cannot move.

        ``edge`` is "start" or "end". Growing takes in the next word (and the space
        before it); shrinking gives back a word but never leaves the span empty.
        """
        if edge == "start":
            new = self.prev_word_start(start) if grow else self.next_word_start(start)
            if new is None or new >= end:
                return None
            return new, end
        new = self.next_word_end(end) if grow else self.prev_word_end(end)
        if new is None or new <= start:
            return None
        return start, new

    def move_edge_by_character(self, start: int, end: int, edge: str, grow: bool) -> tuple[int, int] | None:
        """[start, end) with one edge moved by one character cluster (a vowel or tone mark
        moves with its consonant); None when it cannot move."""
        if edge == "start":
            new = self._cluster_step(start, forward=not grow)
            return (new, end) if 0 <= new < end else None
        new = self._cluster_step(end, forward=grow)
        return (start, new) if start < new <= len(self.text) else None

    def _cluster_step(self, pos: int, forward: bool) -> int:
        text, step = self.text, 1 if forward else -1
        pos += step
        while 0 < pos < len(text) and cannot_start_token(text[pos - 1], text[pos]):
            pos += step
        return pos


# ------------------------------------------------------------------- spans
class PlacedSpan(NamedTuple):
    """A span in Qt positions. ``qtail`` starts its last character cluster (the tag's gap)."""

    qs: int
    qe: int
    qtail: int
    span: Span


class SpanIndex:
    """Spans sorted by start with a running maximum of ends: any range lookup is two
    bisects plus the hits, never a scan of the whole document."""

    def __init__(self, placed: Iterable[PlacedSpan] = ()):
        self.items = sorted(placed, key=lambda p: (p.qs, p.qe, p.span.id))
        self._starts = [p.qs for p in self.items]
        self._maxend: list[int] = []
        top = -1
        for p in self.items:
            top = max(top, p.qe)
            self._maxend.append(top)

    def __len__(self) -> int:
        return len(self.items)

    def overlapping(self, qstart: int, qend: int) -> list[PlacedSpan]:
        """Spans sharing at least one position with [qstart, qend)."""
        hi = bisect_left(self._starts, qend)
        lo = bisect_right(self._maxend, qstart)  # first span that could reach past qstart
        return [p for p in self.items[lo:hi] if p.qe > qstart]


def _shape(span: Span) -> tuple[int, int, str, str]:
    """What the highlight of a span shows: where it is, its label and its state."""
    return span.start, span.end, span.label, span.state


def _changed_paragraphs(text: str, old: Sequence[int], new: Sequence[int]) -> list[tuple[int, int]]:
    """The paragraphs ([start, end) without their newline) whose line breaks differ."""
    differ = sorted(set(old) ^ set(new))
    out: list[tuple[int, int]] = []
    for offset in differ:
        if out and out[-1][0] <= offset < out[-1][1]:
            continue
        a = text.rfind("\n", 0, offset) + 1
        b = text.find("\n", offset)
        out.append((a, len(text) if b < 0 else b))
    return out


def _runs_of(text: str, paragraphs: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """``paragraphs`` (sorted, from :func:`_changed_paragraphs`) in runs of neighbours:
    only a newline (or an empty line) between one and the next."""
    runs: list[list[tuple[int, int]]] = []
    for a, b in paragraphs:
        if runs and not text[runs[-1][-1][1]:a].strip("\n"):
            runs[-1].append((a, b))
        else:
            runs.append([(a, b)])
    return runs


def _tail_start(text: str, start: int, end: int) -> int:
    """Start of the last grapheme cluster of text[start:end] (Thai vowels and tone marks
    attach to the consonant before them; letter spacing must go on the whole cluster)."""
    i = end - 1
    while i > start and unicodedata.category(text[i]) in ("Mn", "Mc", "Me"):
        i -= 1
    return i


def _mix(color: QColor, white_share: float) -> QColor:
    """``color`` washed towards white (a solid colour: alpha blends badly under selection)."""
    r = color.red() + (255 - color.red()) * white_share
    g = color.green() + (255 - color.green()) * white_share
    b = color.blue() + (255 - color.blue()) * white_share
    return QColor(int(r), int(g), int(b))


class _Style(NamedTuple):
    body: QTextCharFormat
    tail: QTextCharFormat
    fill: QColor
    border: QColor
    tag_width: float
    frame: QPen  # the tag's outline
    ink: QColor  # the tag's letters
    label: QStaticText  # the tag's text, laid out once


class SpanHighlighter(QSyntaxHighlighter):
    """Formats each block from the view's span index; holds no spans of its own.

    When a new text is shown Qt offers every block at once; while ``deferring`` the blocks
    are only noted in ``pending`` and formatted later (the visible ones before the first
    paint, the rest in idle time: see ``TextView.format_visible``). Any other call formats
    the block, whatever asked for it (an edit, a relabel, a full rehighlight).
    """

    def __init__(self, document: QTextDocument, source: "TextView | _Staged"):
        super().__init__(document)
        self.source = source  # what holds the span index: the view, or a text staged for it
        self.deferring = False
        self.pending: set[int] = set()  # block numbers not formatted yet

    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt's name)
        view = self.source
        block = self.currentBlock()
        if self.deferring:
            self.pending.add(block.blockNumber())
            return
        if self.pending:
            self.pending.discard(block.blockNumber())
        if not len(view.index):
            return
        bs = block.position()
        be = bs + block.length() - 1  # the block's text, without its line break
        for p in view.index.overlapping(bs, be):
            style = view.style_for(p.span)
            s = max(p.qs, bs) - bs
            e = min(p.qe, be) - bs
            if p.qe <= be:  # the span ends here: its last cluster carries the tag's gap
                t = max(p.qtail, bs) - bs
                if t > s:
                    self.setFormat(s, t - s, style.body)
                self.setFormat(t, e - t, style.tail)
            else:
                self.setFormat(s, e - s, style.body)


def _placement(text: str, offsets: OffsetMap, spans: Sequence[Span], tails: dict[tuple[int, int], int],
               old: dict[int, PlacedSpan], old_breaks: Sequence[int] | None = None) -> dict[int, PlacedSpan]:
    """Each span of ``text`` in Qt positions under ``offsets`` (span id -> PlacedSpan).
    A span of ``old`` whose edges did not move keeps its positions: as they were when
    ``old`` was placed under the same offsets, else (``old_breaks``: the breaks it was
    placed under) shifted by the breaks come or gone before it, when none came or went
    inside it. ``tails`` keeps each (start, end)'s last cluster for the text."""
    to_qt = offsets.to_qt
    placed = {}
    # No character above U+FFFF (most texts): a Qt position is the offset plus the shown
    # breaks before it, two bisects here instead of three calls per span.
    plain = offsets.no_astral
    breaks = offsets.breaks
    if old_breaks is None:
        moved_from = moved_to = len(text) + 1  # nothing moved
        shift = 0
    else:
        moved = set(old_breaks).symmetric_difference(breaks)
        moved_from, moved_to = (min(moved), max(moved)) if moved else (len(text) + 1, -1)
        shift = len(breaks) - len(old_breaks)
    for s in spans:
        start, end = s.start, s.end
        if not 0 <= start < end <= len(text):
            continue
        o = old.get(s.id)
        if o is not None and o.span.start == start and o.span.end == end:
            if end < moved_from:  # wholly before the breaks that moved
                placed[s.id] = o if o.span is s else PlacedSpan(o.qs, o.qe, o.qtail, s)
                continue
            if start > moved_to:  # wholly after them: every position shifts alike
                placed[s.id] = PlacedSpan(o.qs + shift, o.qe + shift, o.qtail + shift, s)
                continue
        tail = tails.get((start, end))
        if tail is None:
            tail = tails[start, end] = _tail_start(text, start, end)
        if plain:
            placed[s.id] = PlacedSpan(start + bisect_right(breaks, start), end + bisect_left(breaks, end),
                                      tail + bisect_right(breaks, tail), s)
        else:
            placed[s.id] = PlacedSpan(to_qt(start), to_qt(end, end=True), to_qt(tail), s)
    return placed


# ---------------------------------------------------------------- prepared
class _TagExtras:
    """The width each tag adds to its line (at the start of its span's last cluster) for
    one text's spans under one set of styles, kept from call to call: a span that is the
    same object as last time costs a lookup (an equal one read again, a comparison), and
    :meth:`update` says which places' widths changed, so the line wrapper looks again only
    at the runs holding them."""

    __slots__ = ("styles", "by_span", "parts", "extra", "version")

    def __init__(self, styles: dict):
        self.styles = styles
        self.by_span: dict[int, tuple[Span, int | None]] = {}  # span id -> (span, its place)
        self.parts: dict[int, dict[int, float]] = {}  # place -> span id -> width
        self.extra: dict[int, float] = {}  # place -> the widths there, summed
        self.version = 0  # updates made

    def update(self, spans: Sequence[Span], text: str, tails: dict[tuple[int, int], int],
               style_for: Callable[[Span], "_Style"]) -> set[int] | None:
        """Widths for ``spans`` now; the places whose width changed (None the first time)."""
        first = not self.version
        self.version += 1
        old, parts = self.by_span, self.parts
        new: dict[int, tuple[Span, int | None]] = {}
        touched: set[int] = set()
        for span in spans:
            was = old.get(span.id)
            if was is not None and (was[0] is span or was[0] == span):  # equal: read again
                new[span.id] = was if was[0] is span else (span, was[1])
                continue
            if was is not None and was[1] is not None:
                del parts[was[1]][span.id]
                touched.add(was[1])
            place = None
            if span.state != REJECTED and 0 <= span.start < span.end <= len(text):
                place = tails.get((span.start, span.end))
                if place is None:
                    place = tails[span.start, span.end] = _tail_start(text, span.start, span.end)
                parts.setdefault(place, {})[span.id] = style_for(span).tag_width + 4
                touched.add(place)
            new[span.id] = (span, place)
        for gone in old.keys() - new.keys():
            place = old[gone][1]
            if place is not None:
                del parts[place][gone]
                touched.add(place)
        self.by_span = new
        for place in touched:
            widths = parts.get(place)
            if widths:  # summed in one order whatever the spans' order: the same float
                self.extra[place] = sum(sorted(widths.values()))
            else:
                parts.pop(place, None)
                self.extra.pop(place, None)
        return None if first else touched


class _Prepared:
    """What the view works out from a text alone, never from its spans: the text as given
    to Qt, the tokens (fetched when first needed), and per font the tokens' widths in a
    :class:`RunWrapper` that keeps each run's breaks. A document's text never changes, so
    nothing here goes stale; spans only enter as the keys of the kept breaks."""

    __slots__ = ("text", "shown", "tokens_fn", "grid", "wrappers", "tails", "extras")

    def __init__(self, text: str, tokens_fn: Callable[[], Sequence[tuple[int, int]]] | None):
        self.text = text
        self.shown = display_text(text)
        self.tokens_fn = tokens_fn
        self.grid: TokenGrid | None = None
        self.wrappers: dict[str, RunWrapper] = {}  # font key -> wrapper
        self.tails: dict[tuple[int, int], int] = {}  # (start, end) -> start of the last cluster
        self.extras: _TagExtras | None = None  # the tags' widths for the spans last wrapped

    def token_grid(self) -> TokenGrid:
        if self.grid is None:
            self.grid = TokenGrid(self.text, self.tokens_fn() if self.tokens_fn else [])
        return self.grid


class _Staged:
    """A text made ready to show with given spans, in a document of its own: line breaks,
    spans placed, the text in a QTextDocument with the first screen's blocks formatted.
    Showing it is a swap of documents (:meth:`TextView.set_document`), not Qt's
    setPlainText of the whole text and Python's passes over every span."""

    __slots__ = ("prepared", "spans", "width", "font", "styles", "breaks", "offsets", "placed", "index",
                 "doc", "highlighter", "style_for")

    def fits(self, view: "TextView", spans: list[Span]) -> bool:
        """Whether showing it now would show what a fresh pass would."""
        return (self.styles is view._styles and self.font == view._styled_font
                and self.width == view._wrap_width() and self.spans == spans)

    def discard(self) -> None:
        self.doc.deleteLater()  # its highlighter goes with it


# -------------------------------------------------------------------- view
class TextView(QPlainTextEdit):
    """Read-only article text with spans painted, a selected span, and word-wise selection.

    It shows and selects; it never writes. The window reads :meth:`selection` and
    :meth:`current_span` and calls the project.
    """

    currentSpanChanged = Signal(object)  # span id, or None

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("TextView")
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)  # read-only: an undo stack would only cost memory
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        # Lines break at the project's words (line_breaks.py); Qt's own breaking stays on
        # for what that leaves too long (a single word wider than the view).
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setFont(text_font())
        self.setCenterOnScroll(False)
        self.text = ""
        self.offsets = OffsetMap("")
        self.index = SpanIndex()
        self._spans: list[Span] = []
        self._placed: dict[int, PlacedSpan] = {}
        self._placed_with: OffsetMap | None = None  # the map and text _placed was worked out with
        self._placed_text = ""
        self._labels: dict[str, Label] = {}
        self._styles: dict[tuple[str, bool], _Style] = {}
        self._tag_font = QFont(self.font())
        self._tokens_fn: Callable[[], Sequence[tuple[int, int]]] | None = None
        self._grid: TokenGrid | None = None
        self._current: int | None = None
        self._scroll_when_shown = False  # a span was selected while hidden: scroll to it on show
        self._frame_rects: list = []  # where the selected span's frame was last painted
        self._exact = False
        self._press_modifiers = Qt.KeyboardModifier.NoModifier
        self._word_clicked = False
        self._claimed: set[int] = set()
        self.zoom_steps = 0  # relative to the default size; the window remembers it
        self.word_wrap = True  # break lines only between the project's tokens
        self._shown = ""  # the text as given to Qt, before line breaks
        # Texts worked out lately (shown, prefetched), newest last; see _Prepared.
        self._prepared: OrderedDict[str, _Prepared] = OrderedDict()
        self._now = _Prepared("", None)
        self._wrapped_width = -1.0
        self._rewrap_timer = QTimer(self)
        self._rewrap_timer.setSingleShot(True)
        self._rewrap_timer.setInterval(40)  # while a window is dragged wider, wrap once it rests
        self._rewrap_timer.timeout.connect(self.rewrap)
        self._rebuild_styles()
        self.highlighter = SpanHighlighter(self.document(), self)
        self._staged: OrderedDict[str, _Staged] = OrderedDict()  # texts staged to show next
        self._format_timer = QTimer(self)
        self._format_timer.setSingleShot(True)
        self._format_timer.setInterval(30)
        self._format_timer.timeout.connect(self._format_some)
        self.verticalScrollBar().valueChanged.connect(lambda _value: self.format_visible())

    # ------------------------------------------------------------- content
    def set_labels(self, labels: Iterable[Label]) -> None:
        self._labels = {label.name: label for label in labels}
        self._rebuild_styles()
        self.reformat_all()

    def set_document(
        self,
        text: str,
        spans: Sequence[Span],
        tokens: Callable[[], Sequence[tuple[int, int]]] | None = None,
    ) -> None:
        """Show a new text. ``tokens`` is called the first time words are needed (once per
        text: a text prepared before, see :meth:`prepare`, reuses its tokens and breaks,
        and one staged with these spans is shown by a swap of documents)."""
        spans = list(spans)
        staged = self._staged.pop(text, None)
        if staged is not None and not staged.fits(self, spans):
            staged.discard()
            staged = None
        if staged is None:
            staged = self._stage(text, spans, tokens)
        elif staged.prepared.tokens_fn is None:
            staged.prepared.tokens_fn = tokens
        old = self.document()
        ours = old.parent() is self  # one of ours, else Qt's first one: Qt deletes that itself
        prepared = self._now = staged.prepared
        if text:
            self._keep(prepared)
        self.text = text
        self._tokens_fn, self._grid = prepared.tokens_fn, prepared.grid
        self._current = None
        self._exact = False
        self._spans = spans
        self._shown = prepared.shown
        if staged.width is not None:
            self._wrapped_width = staged.width
        self.offsets = staged.offsets
        self._placed, self._placed_with, self._placed_text = staged.placed, staged.offsets, text
        self.index = staged.index
        self.highlighter = staged.highlighter
        self.highlighter.source = self
        self.setDocument(staged.doc)
        self.verticalScrollBar().setValue(0)  # a new text starts at its top
        if ours:
            old.deleteLater()
        self.currentSpanChanged.emit(None)
        self.format_visible()

    def _stage(self, text: str, spans: list[Span], tokens: Callable[[], Sequence[tuple[int, int]]] | None
               ) -> _Staged:
        """``text`` with ``spans`` made ready to show, in a new document; nothing shown changes."""
        staged = _Staged()
        prepared = staged.prepared = self._prepared_for(text, tokens)
        staged.spans, staged.styles, staged.font = spans, self._styles, self._styled_font
        staged.width = self._wrap_width() if text else None
        staged.breaks = self._breaks_for(prepared, spans) if staged.width is not None else []
        staged.offsets = OffsetMap(text, staged.breaks)
        staged.placed = _placement(text, staged.offsets, spans, prepared.tails, {})
        staged.index = SpanIndex(p for p in staged.placed.values() if p.span.state != REJECTED)
        staged.style_for = self.style_for  # styles are the view's, shared by every text
        mine = self.document()
        doc = staged.doc = QTextDocument(self)
        doc.setDocumentLayout(QPlainTextDocumentLayout(doc))
        doc.setUndoRedoEnabled(False)
        doc.setDefaultFont(mine.defaultFont())
        doc.setDocumentMargin(mine.documentMargin())
        doc.setDefaultTextOption(mine.defaultTextOption())
        # Qt offers every block to the highlighter as the text goes in: only noted, and
        # those of the first screen formatted now, the rest once shown, in idle time.
        highlighter = staged.highlighter = SpanHighlighter(doc, staged)  # before the text: no full pass
        highlighter.deferring = bool(staged.index)
        try:
            doc.setPlainText(display_text(text, staged.breaks) if staged.breaks else prepared.shown)
        finally:
            highlighter.deferring = False
        if highlighter.pending:
            for block in self._blocks_from(doc.firstBlock(), staged.offsets.breaks_qt):
                highlighter.rehighlightBlock(block)
        return staged

    def _wrap_width(self) -> int | None:
        """The viewport width lines are broken for, None when they are not (Qt breaks them)."""
        return self.viewport().width() if self.word_wrap and self.isVisible() else None

    def format_visible(self) -> None:
        """Format the blocks on screen that are not yet (before they are painted); the
        others follow in idle time, a few at a time."""
        pending = self.highlighter.pending
        if not pending:
            return
        # Lines on screen counted from our own breaks (each paragraph has one line more
        # than it has breaks), not from Qt's layout: laying blocks out here would lay them
        # out twice, once without their formats.
        todo = [block for block in self._blocks_on_screen() if block.blockNumber() in pending]
        self._format_blocks(todo)
        if pending:
            self._format_timer.start()

    def _blocks_on_screen(self) -> list:
        """The blocks on screen (a line or two more), counted from our own line breaks."""
        return self._blocks_from(self.firstVisibleBlock(), self.offsets.breaks_qt)

    def _blocks_from(self, block, breaks_qt: Sequence[int]) -> list:
        """``block`` and those after it that fill a screen (breaks_qt: the shown breaks)."""
        lines = self.viewport().height() / max(1.0, QFontMetricsF(self.font()).lineSpacing()) + 2
        out = []
        while block.isValid() and lines > 0:
            out.append(block)
            start = block.position()
            lines -= 1 + bisect_left(breaks_qt, start + block.length()) - bisect_left(breaks_qt, start)
            block = block.next()
        return out

    def reformat_all(self) -> None:
        """Every block's formats are stale (styles or many spans changed): the visible ones
        are formatted again now, the others in idle time."""
        self.highlighter.pending.update(range(self.document().blockCount()))
        self.format_visible()
        self.viewport().update()

    def highlighting_done(self) -> bool:
        """Whether every block of the shown text carries its formats."""
        return not self.highlighter.pending

    FORMAT_CHUNK = 24  # blocks per idle step: a key pressed meanwhile waits a few ms at most

    def _format_some(self) -> None:
        pending = self.highlighter.pending
        if not pending:
            return
        doc = self.document()
        chunk = sorted(pending)[: self.FORMAT_CHUNK]
        self._format_blocks([b for b in map(doc.findBlockByNumber, chunk) if b.isValid()])
        pending.difference_update(chunk)
        if pending:
            self._format_timer.start()

    def _format_blocks(self, blocks: list) -> None:
        """Format ``blocks`` again, repainting only those on screen.

        QSyntaxHighlighter marks a block it formatted as changed over twice the block's
        length, so Qt's plain-text layout takes it for a change running into the next
        block: it drops both layouts and repaints the whole viewport, for every block
        formatted, on screen or not. Here the layout's signals are held back meanwhile;
        the blocks on screen are repainted, unless a height changed: then the view is
        repainted and told the document's new size, as Qt would have."""
        if not blocks:
            return
        layout = self.document().documentLayout()
        viewport = self.viewport()
        offset = self.contentOffset()
        height = viewport.height()
        shown = []  # blocks laid out before and on screen: (block, its height)
        for block in blocks:
            if block.layout().lineCount():
                rect = self.blockBoundingGeometry(block).translated(offset)
                if rect.bottom() >= 0 and rect.top() <= height:
                    shown.append((block, rect.height()))
        layout.blockSignals(True)
        try:
            for block in blocks:
                self.highlighter.rehighlightBlock(block)
        finally:
            layout.blockSignals(False)
        for block, before in shown:
            rect = self.blockBoundingGeometry(block).translated(offset)  # laid out again, as the paint would
            if rect.height() != before:
                layout.documentSizeChanged.emit(layout.documentSize())
                viewport.update()
                return
            viewport.update(0, int(rect.top()) - 1, viewport.width(), int(rect.height()) + 3)

    PREPARED_TEXTS = 4  # the shown one, the next (prefetched), the one before, one more

    def _prepared_for(self, text: str, tokens: Callable[[], Sequence[tuple[int, int]]] | None) -> _Prepared:
        if not text:
            return _Prepared(text, tokens)
        prepared = self._prepared.get(text)
        if prepared is None:
            prepared = _Prepared(text, tokens)
        elif prepared.tokens_fn is None:
            prepared.tokens_fn = tokens
        self._keep(prepared)
        return prepared

    def _keep(self, prepared: _Prepared) -> None:
        """``prepared`` as the newest of the texts kept (again, if it was dropped meanwhile)."""
        self._prepared[prepared.text] = prepared
        self._prepared.move_to_end(prepared.text)
        while len(self._prepared) > self.PREPARED_TEXTS:
            self._prepared.popitem(last=False)

    def prepare(
        self,
        text: str,
        spans: Sequence[Span],
        tokens: Callable[[], Sequence[tuple[int, int]]] | None = None,
    ) -> None:
        """Work out in advance what showing ``text`` with ``spans`` needs (tokens, widths,
        line breaks for the current width and font), so that :meth:`set_document` of that
        text is only Qt's part. Meant for idle time; showing nothing changes here."""
        if not text or not self.isVisible() or text == self.text:
            return
        old = self._staged.pop(text, None)
        if old is not None:
            old.discard()
        self._staged[text] = self._stage(text, list(spans), tokens)
        while len(self._staged) > self.STAGED_TEXTS:
            self._staged.popitem(last=False)[1].discard()

    STAGED_TEXTS = 2  # the window prefetches the list's next and the next unfinished

    def forget_prepared(self) -> None:
        """Drop what was worked out for other texts (another project is shown)."""
        self._prepared.clear()
        while self._staged:
            self._staged.popitem()[1].discard()

    def set_spans(self, spans: Sequence[Span]) -> None:
        """The document's spans changed: repaint only the blocks whose spans differ (and
        redo the lines of a paragraph whose tags no longer fit as they did)."""
        before = self._placed
        self._spans = list(spans)
        redone = self._apply_breaks(self._line_breaks())  # blocks Qt highlighted while re-breaking
        if not redone:
            self._place(spans)
        after = self._placed
        changed = []  # (start, end) of each span shown otherwise: where it was and where it is
        for sid, p in before.items():
            q = after.get(sid)
            if q is None:
                changed.append((p.span.start, p.span.end))
            elif q.span is not p.span and _shape(q.span) != _shape(p.span):
                changed += [(p.span.start, p.span.end), (q.span.start, q.span.end)]
        changed += [(q.span.start, q.span.end) for sid, q in after.items() if sid not in before]
        if len(changed) > FULL_REHIGHLIGHT:
            self.reformat_all()
        else:
            doc = self.document()
            to_qt = self.offsets.to_qt
            blocks: dict[int, object] = {}  # each block once, however many of its spans changed
            for start, end in changed:
                qs, qe = to_qt(start), to_qt(end, end=True)
                block = doc.findBlock(qs)
                last = doc.findBlock(max(qs, qe - 1)).blockNumber()
                while block.isValid() and block.blockNumber() <= last:
                    if block.blockNumber() not in redone:
                        blocks[block.blockNumber()] = block
                    block = block.next()
            self._format_blocks(list(blocks.values()))
        if self._current is not None and self._current not in self._placed:
            self._set_current(None)

    def _place(self, spans: Sequence[Span]) -> None:
        offsets, text = self.offsets, self.text
        tails = self._now.tails if self._now.text == text else {}  # kept per text (see _breaks_for)
        self._spans = list(spans)
        # A span whose edges did not move keeps its positions (shifted when breaks moved).
        old, old_breaks = {}, None
        if self._placed_text is text and self._placed_with is not None:
            old = self._placed
            old_breaks = None if self._placed_with is offsets else self._placed_with.breaks
        self._placed = _placement(text, offsets, spans, tails, old, old_breaks)
        self._placed_with, self._placed_text = self.offsets, text
        self.index = SpanIndex(p for p in self._placed.values() if p.span.state != REJECTED)

    def spans(self) -> list[Span]:
        return list(self._spans)

    def span(self, span_id: int) -> Span | None:
        placed = self._placed.get(span_id)
        return placed.span if placed else None

    # -------------------------------------------------------------- styles
    def style_for(self, span: Span) -> _Style:
        key = (span.label, span.state in CONFIRMED_STATES)
        style = self._styles.get(key)
        if style is None:
            style = self._styles[key] = self._make_style(span.label, key[1])
        return style

    def _rebuild_styles(self) -> None:
        self._styled_font = self.font().key()
        self._char_widths = CharWidths(QFontMetricsF(self.font()).horizontalAdvance)
        self._tag_font = QFont(self.font())
        self._tag_font.setPointSizeF(max(6.0, self.font().pointSizeF() * 0.55))
        self._tag_font.setBold(True)
        self._tag_height = QFontMetricsF(self._tag_font).height() + 4
        self._styles = {}

    def _make_style(self, label: str, confirmed: bool) -> _Style:
        color = QColor(self._labels[label].color if label in self._labels else UNKNOWN_LABEL_COLOR)
        width = QFontMetricsF(self._tag_font).horizontalAdvance(label) + 10
        body = QTextCharFormat()
        if confirmed:
            body.setBackground(color)
            fill, border = color.darker(118), color.darker(160)
        else:
            body.setBackground(_mix(color, 0.55))
            body.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
            body.setUnderlineColor(color.darker(170))
            fill, border = QColor("white"), color.darker(150)
        tail = QTextCharFormat(body)
        tail.setFontLetterSpacingType(QFont.SpacingType.AbsoluteSpacing)
        tail.setFontLetterSpacing(width + 4)
        frame = QPen(border, 1)
        if not confirmed:
            frame.setStyle(Qt.PenStyle.DashLine)
        ink = QColor("#1a1a1a") if confirmed else border.darker(130)
        text = QStaticText(label)
        text.setTextFormat(Qt.TextFormat.PlainText)
        text.prepare(QTransform(), self._tag_font)
        return _Style(body, tail, fill, border, width, frame, ink, text)

    def zoom(self, steps: int) -> None:
        """Larger (positive) or smaller text; the tags follow."""
        self.zoom_steps += steps
        if steps > 0:
            self.zoomIn(steps)
        else:
            self.zoomOut(-steps)
        self._rebuild_styles()
        self.reformat_all()
        self.rewrap()

    # ---------------------------------------------------------------- lines
    def _line_breaks(self) -> list[int]:
        """Where lines must break for the current width, font and spans (code points)."""
        if not self.word_wrap or not self.text or not self.isVisible():
            return []
        self._wrapped_width = self.viewport().width()
        self._grid = self._now.token_grid()
        return self._breaks_for(self._now, self._spans)

    def _breaks_for(self, prepared: _Prepared, spans: Sequence[Span]) -> list[int]:
        width = self.viewport().width() - 2 * self.document().documentMargin() - 3  # 3: the caret, rounding
        if self._styled_font != self.font().key():  # a style sheet set the font after we measured
            self._rebuild_styles()
        wrapper = prepared.wrappers.get(self._styled_font)
        if wrapper is None:
            grid = prepared.token_grid()
            measure, shown = self._char_widths.of, prepared.shown
            widths = [measure(shown[a:b]) for a, b in grid.tokens]
            wrapper = prepared.wrappers[self._styled_font] = RunWrapper(shown, grid.tokens, widths, measure)
        extras = prepared.extras
        if extras is None or extras.styles is not self._styles:  # new tag widths: all again
            extras = prepared.extras = _TagExtras(self._styles)
        changed = extras.update(spans, prepared.text, prepared.tails, self.style_for)
        if wrapper.source != (extras, extras.version - 1):
            changed = None  # the wrapper last wrapped other tags: it looks at every run
        wrapper.source = (extras, extras.version)
        return wrapper.breaks(width, extras.extra, changed)

    def rewrap(self) -> None:
        """Break the lines again (the view's width or the font changed)."""
        if self.text:
            self._apply_breaks(self._line_breaks())

    def _apply_breaks(self, breaks: list[int]) -> set[int]:
        """Show line breaks at ``breaks``; only paragraphs whose breaks moved are redone.
        Returns the numbers of the blocks already formatted again or left to format
        (edited ones and those Qt offered the highlighter); empty when nothing changed."""
        old = self.offsets
        if breaks == old.breaks:
            return set()
        new = OffsetMap(self.text, breaks)
        changed = _changed_paragraphs(self._shown, old.breaks, breaks)
        cursor = self.textCursor()
        anchor, position = old.to_py(cursor.anchor()), old.to_py(cursor.position())
        scroll = self.verticalScrollBar().value()
        # Spans go to their final places first. One edit block: a cursor moved inside one
        # does not lay out the block it lands in, and Qt offers the highlighter the edited
        # range once, at the end; those blocks are only noted then, and formatted at their
        # final positions (the visible ones below, the rest in idle time).
        self.offsets = new
        self._place(self._spans)
        edit = QTextCursor(self.document())
        highlighter = self.highlighter
        highlighter.deferring = True
        # Qt's layout would repaint the whole viewport for each edit block: its signals
        # wait, and what the edits can have moved is repainted below.
        layout = self.document().documentLayout()
        doc = self.document()
        offset = self.contentOffset()
        on_screen = {b.blockNumber() for b in self._blocks_on_screen()}
        heights = {}  # paragraph start -> its block's height, for those on screen and laid out
        for a, _b in changed:
            block = doc.findBlock(old.to_qt(a))
            if block.blockNumber() in on_screen and block.layout().lineCount():
                heights[a] = self.blockBoundingGeometry(block).height()
        size = layout.documentSize()
        layout.blockSignals(True)
        try:
            # One edit block per run of neighbouring paragraphs: Qt offers the highlighter
            # everything between the first and the last change of an edit block, and a
            # block offered loses its formats until it is formatted again.
            # Many runs (a first show, a new width) are one edit block, as each edit block
            # costs Qt a pass over the cursor's block and its layout.
            runs = _runs_of(self._shown, changed)
            if len(runs) > SEPARATE_RUNS:
                runs = [changed]
            for group in reversed(runs):  # from the end: earlier positions stay put
                edit.beginEditBlock()
                try:
                    for a, b in reversed(group):
                        inside = breaks[bisect_right(breaks, a):bisect_left(breaks, b)]
                        edit.setPosition(old.to_qt(a))
                        edit.setPosition(old.to_qt(b, end=True), QTextCursor.MoveMode.KeepAnchor)
                        edit.insertText(display_text(self._shown[a:b], [x - a for x in inside]))
                finally:
                    edit.endEditBlock()
        finally:
            layout.blockSignals(False)
            highlighter.deferring = False
        if layout.documentSize() != size:  # lines came or went: the scroll bar follows
            layout.documentSizeChanged.emit(layout.documentSize())
        cursor = self.textCursor()
        cursor.setPosition(new.to_qt(anchor))
        cursor.setPosition(new.to_qt(position, end=position > anchor), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self.verticalScrollBar().setValue(scroll)
        if self._current is not None and self._current not in self._placed:
            self._set_current(None)
        doc = self.document()
        redone = set(highlighter.pending)
        for a, _b in changed:
            number = doc.findBlock(new.to_qt(a)).blockNumber()
            redone.update((number, number + 1))
        self.format_visible()
        # Repainted: the paragraphs edited, when their heights stayed; else from the first
        # one down (lines below it moved), nothing below the screen, all when above it.
        viewport = self.viewport()
        shown = self._blocks_on_screen()
        numbers = {b.blockNumber() for b in shown}
        rects = []
        for a, _b in changed:
            block = doc.findBlock(new.to_qt(a))
            if block.blockNumber() not in numbers:
                continue
            rect = self.blockBoundingGeometry(block).translated(self.contentOffset())
            if heights.get(a) != rect.height():  # its lines changed: what follows moved
                rects = None
                break
            rects.append(rect)
        if rects is not None and self.contentOffset() == offset:  # only these paragraphs changed
            for rect in rects:
                viewport.update(0, int(rect.top()) - 1, viewport.width(), int(rect.height()) + 3)
            return redone
        first = doc.findBlock(new.to_qt(changed[0][0]))
        if not shown or first.blockNumber() < shown[0].blockNumber():
            viewport.update()
        elif first.blockNumber() <= shown[-1].blockNumber():
            top = self.blockBoundingGeometry(first).translated(self.contentOffset()).top()
            if top <= viewport.height():
                viewport.update(0, max(0, int(top) - 1), viewport.width(), viewport.height())
        return redone

    def resizeEvent(self, e) -> None:  # noqa: N802
        super().resizeEvent(e)
        self.format_visible()
        if self.text and self.viewport().width() != self._wrapped_width:
            self._rewrap_timer.start()

    def showEvent(self, e) -> None:  # noqa: N802
        super().showEvent(e)
        if self.text and self.viewport().width() != self._wrapped_width:
            self.rewrap()
        if self._scroll_when_shown:
            self._scroll_when_shown = False
            if self._current in self._placed:
                self._scroll_to(self._current)

    def createMimeDataFromSelection(self) -> QMimeData:  # noqa: N802
        """Copy gives the stored text: no shown line breaks, ``\\r\\n`` as it was."""
        # Qt's own object, emptied: one made here would be freed twice at exit (Qt takes it).
        data = super().createMimeDataFromSelection()
        data.clear()
        cursor = self.textCursor()
        start, end = self.offsets.range_to_py(cursor.selectionStart(), cursor.selectionEnd())
        data.setText(self.text[start:end])
        return data

    # ---------------------------------------------------------- selection
    def set_tokens(self, tokens: Callable[[], Sequence[tuple[int, int]]]) -> None:
        """Other tokens for the shown text (what was worked out from the old ones goes)."""
        self._prepared.pop(self.text, None)
        self._now = self._prepared_for(self.text, tokens)
        self._tokens_fn = tokens
        self._grid = None

    def grid(self) -> TokenGrid:
        """Tokens of the shown text, fetched the first time they are needed."""
        if self._grid is None:
            self._grid = self._now.token_grid()
        return self._grid

    def selection(self) -> tuple[int, int] | None:
        """The selected text as code points: exactly what is highlighted (snapping to words
        happens to the highlight itself, as it is made)."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        start, end = self.offsets.range_to_py(cursor.selectionStart(), cursor.selectionEnd())
        if start >= end or self.text[start:end].isspace():
            return None  # nothing to name
        return start, end

    def select_range(self, start: int, end: int, exact: bool = False) -> None:
        """Select [start, end) (code points) as if the user had."""
        cursor = self.textCursor()
        cursor.setPosition(self.offsets.to_qt(start))
        cursor.setPosition(self.offsets.to_qt(end, end=end > start), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self._exact = exact
        self._set_current(None)

    def clear_selection(self) -> None:
        cursor = self.textCursor()
        cursor.clearSelection()
        self.setTextCursor(cursor)
        self._exact = False

    def _snap_selection(self) -> None:
        cursor = self.textCursor()
        anchor, pos = cursor.anchor(), cursor.position()
        start, end = self.offsets.range_to_py(min(anchor, pos), max(anchor, pos))
        start, end = self.grid().snap(start, end)
        qs, qe = self.offsets.range_to_qt(start, end)
        if pos < anchor:
            qs, qe = qe, qs
        cursor.setPosition(qs)
        cursor.setPosition(qe, QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    def move_word(self, forward: bool, extend: bool) -> None:
        """Caret to the next word end / previous word start; ``extend`` grows the selection."""
        grid = self.grid()
        cursor = self.textCursor()
        pos = self.offsets.to_py(cursor.position())
        if extend and not cursor.hasSelection():
            # Start from a word edge, not the middle of the word the caret sits in.
            token = grid.token_at(pos if forward else max(0, pos - 1))
            if token and token[0] < pos < token[1]:
                anchor = token[0] if forward else token[1]
                cursor.setPosition(self.offsets.to_qt(anchor, end=not forward))
        target = grid.next_word_end(pos) if forward else grid.prev_word_start(pos)
        if target is None:
            target = len(self.text) if forward else 0
        mode = QTextCursor.MoveMode.KeepAnchor if extend else QTextCursor.MoveMode.MoveAnchor
        # A word end stays on its line, before a shown line break; a word start after it.
        cursor.setPosition(self.offsets.to_qt(target, end=forward), mode)
        self.setTextCursor(cursor)
        self._exact = False
        if extend:
            self._set_current(None)
        self.ensureCursorVisible()

    def move_to(self, where: QTextCursor.MoveOperation, extend: bool) -> None:
        """Caret by one of Qt's moves (a character cluster, a line or document edge);
        ``extend`` grows the selection, which then holds exactly what is highlighted."""
        cursor = self.textCursor()
        mode = QTextCursor.MoveMode.KeepAnchor if extend else QTextCursor.MoveMode.MoveAnchor
        cursor.movePosition(where, mode)
        self.setTextCursor(cursor)
        self._exact = extend
        if extend:
            self._set_current(None)
        self.ensureCursorVisible()

    def move_char(self, forward: bool, extend: bool) -> None:
        """One character (grapheme cluster) left or right; a selection made so is exact."""
        op = QTextCursor.MoveOperation.NextCharacter if forward else QTextCursor.MoveOperation.PreviousCharacter
        self.move_to(op, extend)

    @property
    def exact(self) -> bool:
        """Whether the current selection keeps its exact characters."""
        return self._exact

    # -------------------------------------------------------- current span
    def current_span(self) -> Span | None:
        return self.span(self._current) if self._current is not None else None

    def set_current_span(self, span_id: int | None, scroll: bool = True) -> None:
        """Select a span (frame it, caret to its start) or none."""
        if span_id is not None and span_id not in self._placed:
            span_id = None
        self.clear_selection()
        self._scroll_when_shown = False
        if span_id is not None and scroll:
            if self.isVisible():
                self._scroll_to(span_id)
            else:  # a hidden view's lines are not the ones it will show: scroll once shown
                self._scroll_when_shown = True
        self._set_current(span_id)

    def _scroll_to(self, span_id: int) -> None:
        """Caret to the span's start, scrolled so that the whole span is on screen."""
        placed = self._placed[span_id]
        cursor = self.textCursor()
        cursor.setPosition(placed.qe)
        self.setTextCursor(cursor)
        self.ensureCursorVisible()
        cursor.setPosition(placed.qs)
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    def _set_current(self, span_id: int | None) -> None:
        if span_id == self._current:
            return
        self._current = span_id
        # Only the old frame and the new one repaint, not the whole view.
        viewport = self.viewport()
        for rect in self._frame_rects:
            viewport.update(rect)
        placed = self._placed.get(span_id) if span_id is not None else None
        if placed is not None:
            for rect in self._range_rects(placed.qs, placed.qe):
                viewport.update(_frame_area(rect))
        self.currentSpanChanged.emit(span_id)

    def span_at(self, offset: int) -> Span | None:
        """The innermost painted span holding the character at ``offset`` (code points)."""
        q = self.offsets.to_qt(offset)
        hits = self.index.overlapping(q, q + 1)
        if not hits:
            return None
        return min(hits, key=lambda p: (p.qe - p.qs, p.qs)).span

    def _span_at_point(self, point: QPoint) -> Span | None:
        cursor = self.cursorForPosition(point)
        q = cursor.position()
        # The nearest boundary may be either side of the character under the mouse.
        if q > 0 and point.x() < self.cursorRect(cursor).x():
            q -= 1
        hits = self.index.overlapping(q, q + 1)
        if not hits:
            return None
        return min(hits, key=lambda p: (p.qe - p.qs, p.qs)).span

    # --------------------------------------------------------------- input
    def claim_keys(self, sequences: Iterable[QKeySequence]) -> None:
        """Keys the window's actions handle; the text control must not eat them first."""
        for seq in sequences:
            for i in range(seq.count()):
                self._claimed.add(seq[i].toCombined())

    def reset_claimed_keys(self) -> None:
        """Forget the claimed keys (the keymap changed; the window claims them again)."""
        self._claimed.clear()

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ShortcutOverride:
            combo = e.keyCombination()
            mods = combo.keyboardModifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if (combo.key().value | mods.value) in self._claimed:
                # Left unaccepted, the key goes to the shortcut (our action).
                e.ignore()
                return True
        return super().event(e)

    def mousePressEvent(self, e) -> None:  # noqa: N802
        self._press_modifiers = e.modifiers()
        super().mousePressEvent(e)

    def mouseReleaseEvent(self, e) -> None:  # noqa: N802
        if self._word_clicked:
            self._word_clicked = False
            return
        super().mouseReleaseEvent(e)
        if e.button() != Qt.MouseButton.LeftButton:
            return
        if self.textCursor().hasSelection():
            self._exact = bool((self._press_modifiers | e.modifiers()) & EXACT_MODIFIERS)
            if not self._exact:
                self._snap_selection()
            self._set_current(None)
        else:
            hit = self._span_at_point(e.position().toPoint())
            self._set_current(hit.id if hit else None)

    def mouseDoubleClickEvent(self, e) -> None:  # noqa: N802
        """Select the project's word under the mouse, not Qt's idea of a word."""
        if e.button() != Qt.MouseButton.LeftButton or not self.text:
            return super().mouseDoubleClickEvent(e)
        cursor = self.cursorForPosition(e.position().toPoint())
        q = cursor.position()
        if q > 0 and e.position().x() < self.cursorRect(cursor).x():
            q -= 1
        offset = min(self.offsets.to_py(q), len(self.text) - 1)
        token = self.grid().token_at(offset)
        if token and not self.text[token[0]:token[1]].isspace():
            self.select_range(*token)
        self._word_clicked = True  # the release that follows must not redo the selection

    def viewportEvent(self, e: QEvent) -> bool:  # noqa: N802
        if e.type() == QEvent.Type.ToolTip:
            span = self._span_at_point(e.pos())
            if span is None:
                QToolTip.hideText()
                e.ignore()
            else:
                QToolTip.showText(e.globalPos(), span_tooltip(span), self.viewport())
            return True
        return super().viewportEvent(e)

    # -------------------------------------------------------------- paint
    def paintEvent(self, e) -> None:  # noqa: N802
        if self.highlighter.pending:
            self.format_visible()  # normally done already (scroll, resize, new text)
        super().paintEvent(e)
        if not self._placed:
            return
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(self._tag_font)
        clip = e.rect()
        offset = self.contentOffset()
        block = self.firstVisibleBlock()
        while block.isValid():
            geometry = self.blockBoundingGeometry(block).translated(offset)
            if geometry.top() > clip.bottom():
                break
            if block.isVisible() and geometry.bottom() >= clip.top():
                self._paint_tags(painter, block, geometry.topLeft(), clip)
            block = block.next()
        current = self._placed.get(self._current) if self._current is not None else None
        if current is not None:
            painter.setPen(QPen(SELECTED_FRAME, 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            rects = self._range_rects(current.qs, current.qe)
            for rect in rects:
                painter.drawRoundedRect(rect.adjusted(-1, 0, 1, 0), 3, 3)
            self._frame_rects = [_frame_area(rect) for rect in rects]
        painter.end()

    def _paint_tags(self, painter: QPainter, block, origin, clip) -> None:
        bs = block.position()
        be = bs + block.length() - 1
        layout = block.layout()
        # Only the lines in the clip: one paragraph can hold thousands of spans.
        lo, hi = bs, be
        if layout.lineCount() > 1:
            first = last = None
            for i in range(layout.lineCount()):
                line = layout.lineAt(i)
                top = origin.y() + line.y()
                if top + line.height() < clip.top():
                    continue
                if top > clip.bottom():
                    break
                first = line if first is None else first
                last = line
            if first is None:
                return
            lo = bs + first.textStart()
            hi = bs + last.textStart() + last.textLength()
        for p in self.index.overlapping(lo, hi):
            if not (bs < p.qe <= be):
                continue  # the tag goes where the span ends
            style = self.style_for(p.span)
            rel = p.qe - bs
            line = layout.lineForTextPosition(rel - 1)
            if not line.isValid():
                continue
            x_end = line.cursorToX(rel)[0]
            height = min(line.height() * 0.62, self._tag_height)
            rect = QRectF(
                origin.x() + x_end - style.tag_width - 2,
                origin.y() + line.y() + (line.height() - height) / 2,
                style.tag_width,
                height,
            )
            painter.setPen(style.frame)
            painter.setBrush(style.fill)
            painter.drawRoundedRect(rect, 3, 3)
            painter.setPen(style.ink)
            size = style.label.size()
            painter.drawStaticText(QPointF(rect.x() + (rect.width() - size.width()) / 2,
                                           rect.y() + (rect.height() - size.height()) / 2), style.label)

    def _range_rects(self, qs: int, qe: int) -> list[QRectF]:
        """On-screen rectangles (one per visual line) covering Qt positions [qs, qe)."""
        rects: list[QRectF] = []
        doc = self.document()
        offset = self.contentOffset()
        block = doc.findBlock(qs)
        while block.isValid() and block.position() < qe:
            origin = self.blockBoundingGeometry(block).translated(offset).topLeft()
            bs = block.position()
            layout = block.layout()
            for i in range(layout.lineCount()):
                line = layout.lineAt(i)
                ls, le = bs + line.textStart(), bs + line.textStart() + line.textLength()
                a, b = max(qs, ls), min(qe, le)
                if a >= b:
                    continue
                x1 = line.cursorToX(a - bs)[0]
                x2 = line.cursorToX(b - bs)[0]
                rects.append(QRectF(origin.x() + x1, origin.y() + line.y(), x2 - x1, line.height()))
            block = block.next()
        return rects


def _frame_area(rect: QRectF):
    """The viewport area a frame drawn around ``rect`` covers (pen, rounding, antialiasing)."""
    return rect.adjusted(-4, -3, 4, 3).toAlignedRect()


def span_tooltip(span: Span) -> str:
    """What hovering a span says: label, state, origin, confidence, model, author."""
    state = {SUGGESTED: "suggestion (open)"}.get(span.state, span.state)
    confidence = "—" if span.confidence is None else f"{span.confidence:.2f}"
    origin = span.origin + (f" ({span.model_version})" if span.model_version else "")
    parts = [
        f"<b>{html.escape(span.label)}</b> · {html.escape(state)}",
        f"origin: {html.escape(origin)} · confidence {confidence}",
    ]
    if span.author:
        parts.append(f"by {html.escape(span.author)}")
    return "<br>".join(parts)


__all__ = ["PlacedSpan", "SpanHighlighter", "SpanIndex", "TextView", "TokenGrid", "span_tooltip"]
