"""Suggest a confirmed span's text wherever else it stands.

When a person confirms a span (accepts, edits or makes it), the same string elsewhere in
the document is suggested with the same label; on request (``annotator propagate
--scope project``, or Model → Suggest this span everywhere in the window) also in every
document nobody has finished. The new spans are ordinary open suggestions with origin
``gazetteer`` (they come from a word list: the project's own confirmed strings),
model version ``propagate-1`` and a fixed confidence (0.9 in the same document, 0.8
elsewhere), so the reviewer accepts or rejects them like any other.

Where a string counts as found: it ends on a token boundary (newmm tokens with brackets and
quotes cut off, as :func:`annotator.nlp.refine.split_punctuation` does), and starts on one or
inside a token at a syllable boundary. Thai puts a title or classifier before a name in the
same word (``ปลัด|กระทรวงการค้า``, ``คน|ไทย``), while a name that runs on inside a word is a
longer name (``กรุงเทพ`` in ``กรุงเทพมหานคร`` is not found). Never over a span a person decided (accepted,
edited, made or rejected); an open suggestion is replaced only by one that covers it
whole, else the place is left alone. Longer strings are placed first.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from annotator.core.model import CONFIRMED_STATES, IN_PROGRESS, NEW, SUGGESTED, SpanData
from annotator.core.progress import ProgressFn, never_cancelled, no_progress
from annotator.nlp.refine import EDGE_PUNCT
from annotator.nlp.tokenizer import cannot_start_token
from annotator.store.project import WITH_STATUS, Project
from annotator.store.ranges import overlap_finder

VERSION = "propagate-1"
ORIGIN = "gazetteer"
CONFIDENCE_DOCUMENT = 0.9
CONFIDENCE_PROJECT = 0.8
MIN_CHARS = 2  # a one-letter string is found everywhere
SCOPES = ("document", "project")


@dataclass
class PropagateReport:
    documents: int = 0
    added: int = 0
    replaced: int = 0
    strings: int = 0
    cancelled: bool = False
    # [start, end) of each suggestion planned in the span's own document (propagate_span):
    # the only places the spans there can have changed, whether added or not.
    places: list[tuple[int, int]] = field(default_factory=list)

    def summary(self) -> str:
        text = (f"suggested {self.added} more spans in {self.documents} documents from {self.strings}"
                f" confirmed strings (replacing {self.replaced} smaller suggestions)")
        return text + ("; cancelled" if self.cancelled else "")


def is_edge(text: str, tokens: Sequence[tuple[int, int]], at: int) -> bool:
    """Is ``at`` a word edge: a token boundary, or next to a bracket or quote that
    :func:`~annotator.nlp.refine.split_punctuation` would cut off? (A bisection, so a
    keystroke in a 100,000-character article does not walk all its tokens.)"""
    if at <= 0 or at >= len(text):
        return True
    i = bisect_left(tokens, (at,))
    if i < len(tokens) and tokens[i][0] == at:
        return True
    return text[at - 1] in EDGE_PUNCT or text[at] in EDGE_PUNCT


def can_start_inside(text: str, at: int) -> bool:
    """May a match start at ``at`` inside a token? Between two Thai letters, at a syllable
    boundary (not in a Latin or digit run: ``AI`` is not found in ``MAIL``)."""
    before, ch = text[at - 1], text[at]
    thai = "\u0e01" <= before <= "\u0e5b" and "\u0e01" <= ch <= "\u0e5b"
    return thai and not cannot_start_token(before, ch)


def plan(text: str, tokens: Sequence[tuple[int, int]], spans: Sequence, entries: dict[str, str],
         confidence: float) -> tuple[list[SpanData], list[int]]:
    """New suggestions for ``entries`` (string -> label) in one document, and the open
    suggestions they replace. ``spans``: the document's spans (objects with id, start,
    end, label, state)."""
    if not entries:
        return [], []
    new: list[SpanData] = []
    replace: list[int] = []
    placed: list[tuple[int, int]] = []
    found = []
    for string in sorted(entries, key=len, reverse=True):
        pos = text.find(string)
        while pos != -1:
            found.append((pos, pos + len(string), string))
            pos = text.find(string, pos + 1)
    found.sort(key=lambda f: (-(f[1] - f[0]), f[0]))  # longer first
    overlapping = overlap_finder(spans)
    for start, end, string in found:
        if not (is_edge(text, tokens, end) and (is_edge(text, tokens, start) or can_start_inside(text, start))):
            continue
        if any(a < end and start < b for a, b in placed):
            continue
        hit = overlapping(start, end)
        if any(s.state != SUGGESTED for s in hit):
            continue  # a person decided here
        label = entries[string]
        if any(s.start == start and s.end == end and s.label == label for s in hit):
            continue  # already suggested
        if not all(start <= s.start and s.end <= end for s in hit):
            continue  # an open suggestion reaches beyond: leave it
        replace.extend(s.id for s in hit)
        new.append(SpanData(start, end, label, origin=ORIGIN, confidence=confidence))
        placed.append((start, end))
    new.sort(key=lambda s: s.start)
    return new, replace


def _apply(project: Project, doc_id: int, entries: dict[str, str], confidence: float,
           report: PropagateReport, text: str | None = None, mentions: int = 1,
           known: "Known | None" = None) -> list[tuple[int, int]]:
    """Suggest ``entries`` in one document. Strings found fewer than ``mentions`` times
    (2 in the document a string was confirmed in) cannot add anything: then nothing more
    is read, so a confirm in a long article costs one substring count. ``known``: the
    document's tokens and its spans as they stand, when the caller has them (the window
    does): then neither is read again. Returns the places planned."""
    text = project.document(doc_id).text if text is None else text
    if not any(text.count(k) >= mentions for k in entries):
        return []
    tokens = known.tokens() if known is not None else project.tokens(doc_id, text)
    spans = known.spans() if known is not None else project.spans(doc_id)
    new, replace = plan(text, tokens, spans, entries, confidence)
    if not new:
        return []
    added = project.add_suggestions(doc_id, new, VERSION, replace=replace)
    if added:
        report.documents += 1
        report.added += len(added)
        report.replaced += len(replace)
    return [(s.start, s.end) for s in new]


@dataclass
class Known:
    """What the caller already holds of the span's document, so that propagating in it
    reads neither again: its text, and callables giving its tokens and its spans as they
    stand now (called only when the string occurs twice or more)."""

    doc_id: int
    text: str
    tokens: Callable[[], Sequence[tuple[int, int]]]
    spans: Callable[[], Sequence]


def can_add_in_document(text: str, start: int, end: int) -> bool:
    """Whether confirming a span at [start, end) of ``text`` can suggest anything elsewhere
    in that document: its string is long enough and stands there more than once (the
    window skips the propagation otherwise, as :func:`propagate_span` would find nothing)."""
    string = text[start:end]
    return len(string.strip()) >= MIN_CHARS and text.count(string) >= 2


def _entry(project: Project, span_id: int, known: Known | None = None) -> tuple[int, str, str, str] | None:
    """(doc id, its text, string, label) of a confirmed span worth propagating, else None."""
    span = project.span(span_id)
    if span.state not in CONFIRMED_STATES:
        return None
    text = known.text if known is not None and known.doc_id == span.doc_id else project.document(span.doc_id).text
    string = text[span.start:span.end]
    if len(string.strip()) < MIN_CHARS:
        return None
    return span.doc_id, text, string, span.label


def propagate_span(project: Project, span_id: int, scope: str = "document",
                   known: Known | None = None) -> PropagateReport:
    """Suggest confirmed span ``span_id``'s text elsewhere in its document (``scope``
    "project": also in every document that is new or in progress). ``known``: the
    document's text, tokens and spans as the caller holds them (see :class:`Known`)."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    report = PropagateReport()
    found = _entry(project, span_id, known)
    if found is None:
        return report
    doc_id, text, string, label = found
    report.strings = 1
    if known is not None and known.doc_id != doc_id:
        known = None
    report.places = _apply(project, doc_id, {string: label}, CONFIDENCE_DOCUMENT, report, text=text,
                           mentions=2, known=known)
    if scope == "project":
        others = [r[0] for r in project.query(
            f"SELECT id FROM {WITH_STATUS} WHERE status IN (?, ?) AND id != ? AND instr(text, ?) > 0 ORDER BY id",
            (NEW, IN_PROGRESS, doc_id, string))]
        for other in others:
            _apply(project, other, {string: label}, CONFIDENCE_PROJECT, report)
    return report


def confirmed_strings(project: Project, doc_ids: Iterable[int] | None = None) -> dict[str, str]:
    """Each confirmed string with its commonest label (strings with a tie are left out)."""
    marks = ""
    params: list = list(CONFIRMED_STATES)
    if doc_ids is not None:
        ids = list(doc_ids)
        marks = f" AND s.doc_id IN ({','.join('?' * len(ids))})"
        params += ids
    rows = project.query(
        "SELECT substr(d.text, s.start + 1, s.\"end\" - s.start), l.name FROM spans s"
        " JOIN documents d ON d.id = s.doc_id JOIN labels l ON l.id = s.label_id"
        f" WHERE s.state IN ({','.join('?' * len(CONFIRMED_STATES))}){marks}",
        params,
    )
    by: dict[str, Counter] = defaultdict(Counter)
    for string, label in rows:
        if len(string.strip()) >= MIN_CHARS and string == string.strip():
            by[string][label] += 1
    out = {}
    for string, labels in by.items():
        top = labels.most_common(2)
        if len(top) == 1 or top[0][1] > top[1][1]:
            out[string] = top[0][0]
    return out


def propagate_document(project: Project, doc_id: int) -> PropagateReport:
    """Every confirmed string of a document, suggested elsewhere in that document."""
    report = PropagateReport()
    entries = confirmed_strings(project, [doc_id])
    report.strings = len(entries)
    _apply(project, doc_id, entries, CONFIDENCE_DOCUMENT, report)
    return report


def run_propagate(
    project: Project,
    scope: str = "document",
    progress: ProgressFn = no_progress,
    cancelled: Callable[[], bool] = never_cancelled,
) -> PropagateReport:
    """For every document nobody has finished: suggest its own confirmed strings
    (``document``), or every confirmed string of the project (``project``)."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    report = PropagateReport()
    doc_ids = project.document_ids((NEW, IN_PROGRESS))
    everywhere = confirmed_strings(project) if scope == "project" else None
    report.strings = len(everywhere) if everywhere is not None else 0
    # Which of the strings a text holds: one pass of one pattern (longest first).
    pattern = (re.compile("|".join(re.escape(k) for k in sorted(everywhere, key=len, reverse=True)))
               if everywhere else None)
    total = len(doc_ids)
    progress(0, total, "suggesting confirmed strings")
    for n, doc_id in enumerate(doc_ids, 1):
        if cancelled():
            report.cancelled = True
            break
        if everywhere is not None:
            text = project.document(doc_id).text
            found = {m.group() for m in pattern.finditer(text)} if pattern is not None else set()
            entries = {k: everywhere[k] for k in found}
            confidence = CONFIDENCE_PROJECT
        else:
            entries = confirmed_strings(project, [doc_id])
            report.strings += len(entries)
            confidence = CONFIDENCE_DOCUMENT
        _apply(project, doc_id, entries, confidence, report)
        if n % 50 == 0 or n == total:
            progress(n, total, "suggesting confirmed strings")
    return report
