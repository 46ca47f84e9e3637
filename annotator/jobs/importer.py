"""Bring documents into a project from files, folders and globs.

Each file is one transaction: it goes in whole (minus the documents refused inside it,
each named by line) or not at all. Texts already in the project are skipped and counted,
so an interrupted import can simply be run again.

A document that names its annotator (another annotator's project file, or its jsonl
export with authors) is their finished annotation: it is merged as theirs onto the same
text, and merging it again changes nothing (see ``annotator.store.team``). ``--as`` does
not apply to it.
"""

from __future__ import annotations

import glob
import json
import os
import sqlite3
import stat
import time
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Callable, Iterable, Iterator

from annotator import formats
from annotator.formats import txt
from annotator.core.errors import (Cancelled, InputFileError, InputNotice, InputProblem, ProjectDamagedError,
                                   StorageError)
from annotator.core.model import ACCEPTED, DONE, NEW, SUGGESTED, DocumentData, SpanData
from annotator.core.progress import ProgressFn, never_cancelled, no_progress
from annotator.nlp.tokenizer import snap_to_clusters
from annotator.store.bulk import add_documents
from annotator.store.project import Project
from annotator.store.team import merge_annotation

UNKNOWN_LABEL_POLICIES = ("refuse", "add")
READ_AHEAD = 64  # files whose reading is started ahead of time
BATCH_SECONDS = 0.25  # files read per batch (then written): roughly how long a batch holds the project


@dataclass
class ImportReport:
    files: int = 0
    imported: int = 0
    duplicates: int = 0
    spans: int = 0
    failed: list[InputProblem] = field(default_factory=list)
    labels_added: list[str] = field(default_factory=list)
    cancelled: bool = False
    merged: int = 0  # other annotators' finished annotations merged (new or changed)
    unchanged: int = 0  # ... found already merged, exactly as they are
    links_skipped: list[str] = field(default_factory=list)  # symbolic links in folders, not followed
    notices: list[InputNotice] = field(default_factory=list)  # what readers did that refuses nothing

    def summary(self) -> str:
        lines = [
            f"imported {self.imported} documents ({self.spans} spans) from {self.files} files;"
            f" {self.duplicates} duplicates skipped; {len(self.failed)} failed"
        ]
        if self.merged or self.unchanged:
            lines.append(f"annotators' work: {self.merged} annotations merged, {self.unchanged} already here")
        if self.labels_added:
            lines.append("labels added: " + ", ".join(self.labels_added))
        if self.links_skipped:
            shown = ", ".join(self.links_skipped[:5]) + (" …" if len(self.links_skipped) > 5 else "")
            lines.append(f"skipped {len(self.links_skipped)} symbolic links inside the folders (not followed;"
                         f" --follow-links imports what they point at): {shown}")
        lines.extend(f"  notice: {n}" for n in self.notices)
        lines.extend(f"  failed: {p}" for p in self.failed)
        if self.cancelled:
            lines.append("cancelled: files not reached were not imported")
        return "\n".join(lines)


def _side_file(path: Path) -> bool:
    """Files that travel with exported data but are not documents (manifests, label lists,
    brat configuration): skipped when a folder is imported."""
    return _side_name(path.name)


def _side_name(name: str) -> bool:
    """_side_file of a file name."""
    return (
        name.startswith(".")
        or name in ("manifest.json", "annotation.conf", "visual.conf", "tools.conf", "labels.json", "README.md")
        or name.endswith((".manifest.json", ".labels.json", ".labelconfig.xml"))
        # a project's writer lock and SQLite's files beside it (the project itself may be
        # imported as a team member's work; these never are)
        or name.endswith((".annot.lock", ".annot-wal", ".annot-shm", ".annot-journal"))
    )


def expand(paths: Iterable[str | Path], follow_links: bool = False,
           links: list[str] | None = None) -> Iterator[Path]:
    """Files named by paths, folders (recursively, sorted) and glob patterns.

    Inside a folder, symbolic links (to files or folders) are not followed unless
    ``follow_links``: a link can lead anywhere on the machine (``/etc/passwd``), and what
    is imported may travel in a shared export. They are listed in ``links``."""
    for raw in paths:
        p = Path(raw)
        try:
            mode: int | None = os.stat(p).st_mode  # one stat tells a folder from a file
        except (OSError, ValueError):
            mode = None
        if mode is not None and stat.S_ISDIR(mode):
            # sorted as Paths sort (part by part), without making a Path of each to sort it
            found = sorted((name.split(os.sep), name) for name, hidden in _walk(str(p), follow_links, links)
                           if not hidden and not _side_name(os.path.basename(name)))
            yield from (Path(name) for _, name in found)
        elif mode is not None:
            yield p
        else:
            matches = sorted(glob.glob(str(raw), recursive=True))
            if not matches:
                raise InputFileError(str(raw), 0, "no such file, folder or matching files")
            yield from (Path(m) for m in matches if Path(m).is_file())


def _walk(top: str, follow_links: bool, links: list[str] | None,
          hidden: bool = False) -> Iterator[tuple[str, bool]]:
    """(path, whether it is under a hidden folder of the walk's top) of each file under
    ``top``, told apart by the directory entries themselves (no ``stat`` per file, except
    for links when they are followed)."""
    try:
        entries = list(os.scandir(top))
    except OSError:
        return  # unreadable folder: skipped, as os.walk does
    folders = []
    for entry in entries:
        try:
            link = entry.is_symlink()
            if link and not follow_links:
                if links is not None:
                    links.append(str(Path(entry.path)))
                continue
            if entry.is_dir():
                folders.append(entry)
            elif entry.is_file():
                yield entry.path, hidden
        except OSError:
            continue
    for folder in folders:
        yield from _walk(folder.path, follow_links, links, hidden or folder.name.startswith("."))


def _read_ahead(path: Path) -> None:
    """Ask the kernel to start reading a file we will soon import, so that reading the disk
    overlaps with decoding and writing (the import is otherwise I/O-bound on a cold cache)."""
    if not hasattr(os, "posix_fadvise"):
        return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return  # the import itself will report it
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
    finally:
        os.close(fd)


def _is_project_file(path: Path, project: Project) -> bool:
    """The project's own file (or its WAL), when a folder holding it is imported."""
    name = project.path.name
    if not path.name.startswith(name) or path.name[len(name):] not in ("", "-wal", "-shm", "-journal"):
        return False
    return path.resolve().parent == project.path.resolve().parent


def _brat_pairs(files: list[Path]) -> list[Path]:
    """In a brat folder the .ann files ride with their .txt; list each document once."""
    names = {f for f in files}
    return [f for f in files if not (f.suffix == ".ann" and f.with_suffix(".txt") in names)]


def run_import(
    project: Project,
    paths: Iterable[str | Path],
    fmt: str = "auto",
    as_gold: bool = False,
    unknown_labels: str = "refuse",
    label_map: dict[str, str] | None = None,
    max_bytes: int = 2_000_000,
    progress: ProgressFn = no_progress,
    cancelled: Callable[[], bool] = never_cancelled,
    follow_links: bool = False,
    token_sep: str = "auto",
) -> ImportReport:
    """Import ``paths``; ``token_sep`` is the CoNLL reader's choice (see formats.conll)."""
    if unknown_labels not in UNKNOWN_LABEL_POLICIES:
        raise ValueError(f"unknown_labels must be one of {UNKNOWN_LABEL_POLICIES}")
    report = ImportReport()
    try:
        files = _brat_pairs([f for f in expand(paths, follow_links, report.links_skipped)
                             if not _is_project_file(f, project)])
    except InputFileError as e:
        report.failed.append(e.problem)
        return report
    label_map = label_map or {}
    total = len(files)
    progress(0, total, "importing")
    options = _Options(fmt, as_gold, unknown_labels, label_map, max_bytes, token_sep)
    with project.bulk():
        n = 0
        while n < total and not report.cancelled:
            # Files are read and checked in Python, then written a batch at a time (a few
            # statements per batch, bulk.add_documents) and committed every BATCH_SECONDS
            # or so: a kill loses only the open batch. Each file still goes in whole or
            # not at all: everything that can refuse it (reading, decoding, its documents'
            # checks) happens before anything is written, and a batch the database refuses
            # is undone and written again a file at a time, each in its own savepoint.
            with project.transaction():
                started = time.monotonic()
                batch = _Batch()
                while (n < total and time.monotonic() - started < BATCH_SECONDS
                       and batch.documents < BATCH_DOCUMENTS and batch.chars < BATCH_CHARS):
                    if cancelled():
                        report.cancelled = True
                        break
                    path = files[n]
                    if n + READ_AHEAD < total:
                        _read_ahead(files[n + READ_AHEAD])
                    n += 1
                    report.files += 1
                    staged = _stage(project, path, options)
                    if staged.rest is not None:  # merged annotations, new labels, a large file
                        _write_batch(project, batch, options, report)
                        batch = _Batch()
                        _import_file(project, path, staged.rest, options, report)
                    else:
                        batch.add(staged)
                    progress(n, total, str(path))
                _write_batch(project, batch, options, report)
    return report


BATCH_DOCUMENTS = 5_000  # documents read ahead of writing at most (memory)
BATCH_CHARS = 20_000_000  # ... and characters of text
STAGE_DOCUMENTS = 2_000  # a file with more documents is written as it is read, in a savepoint


@dataclass
class _Options:
    fmt: str
    as_gold: bool
    unknown_labels: str
    label_map: dict[str, str]
    max_bytes: int
    token_sep: str
    listing: formats.FolderNames = field(default_factory=formats.FolderNames)  # folders listed once, for guess

    @property
    def status(self) -> str:
        return DONE if self.as_gold else NEW

    @property
    def span_state(self) -> str:
        return ACCEPTED if self.as_gold else SUGGESTED


@dataclass
class _Staged:
    """One file read and checked, not written yet: its documents ready to store, what it
    reported, or why it is refused. ``rest`` is set instead when the file is written as it
    is read (its items so far and the reader that gives the rest)."""

    path: Path
    docs: list[DocumentData] = field(default_factory=list)
    utf8: list[bytes | None] = field(default_factory=list)  # each doc's text as UTF-8, when read so
    problems: list[InputProblem] = field(default_factory=list)
    notices: list[InputNotice] = field(default_factory=list)
    refused: InputProblem | None = None
    rest: Iterator | None = None


@dataclass
class _Batch:
    files: list[_Staged] = field(default_factory=list)
    documents: int = 0
    chars: int = 0

    def add(self, staged: _Staged) -> None:
        self.files.append(staged)
        self.documents += len(staged.docs)
        self.chars += sum(len(d.text) for d in staged.docs)


def _stage(project: Project, path: Path, o: _Options) -> _Staged:
    """Read a whole file and check its documents, writing nothing."""
    staged = _Staged(path)
    try:
        name, reader = _reader_for(path, o.fmt, o.listing)
        if name == "txt":
            return _stage_text(project, path, o, staged)
        items = _from_reader(_open_reader(path, o, name, reader), path)
        read: list = []
        for item in items:
            read.append(item)
            if isinstance(item, DocumentData) and (
                item.annotator or len(read) > STAGE_DOCUMENTS or _adds_labels(project, item, o)
            ):
                staged.rest = chain(read, items)
                return staged
        for item in read:
            if isinstance(item, InputNotice):
                staged.notices.append(item)
                continue
            if isinstance(item, InputProblem):
                staged.problems.append(item)
                continue
            snapped: list[str] = []
            problem = _prepare(project, item, o.label_map, o.unknown_labels, [], o.max_bytes, snapped)
            if problem:
                staged.problems.append(InputProblem(str(path), item.line, problem))
                continue
            if snapped:
                staged.notices.append(_snapped_notice(path, item, snapped))
            staged.docs.append(item)
            staged.utf8.append(None)
    except Exception as e:
        staged.refused = _refusal(path, e)
    return staged


def _stage_text(project: Project, path: Path, o: _Options, staged: _Staged) -> _Staged:
    """_stage for a plain text file (one document, no spans), in one pass: the same checks
    as _prepare and _unstorable, minus what reading it already made sure of. Text decoded
    from UTF-8 has no unpaired surrogate and is at most as long in UTF-8 as the file (read
    only up to --max-size); its UTF-8 bytes are hashed and stored without encoding it again.
    The metadata is metadata.extract's: text taken from the text, always storable."""
    try:
        doc, utf8 = txt.load(path, o.max_bytes)
    except (InputFileError, UnicodeError, OSError, ValueError) as e:
        staged.refused = _refusal(path, e)
        return staged
    except Exception as e:  # a reader's own bug: refuses the file, as _from_reader does
        staged.refused = InputProblem(str(path), 0, f"cannot be read ({type(e).__name__}: {e})")
        return staged
    if utf8 is None:  # cp874 or UTF-16: the general checks
        problem = _prepare(project, doc, o.label_map, o.unknown_labels, [], o.max_bytes)
    elif not _encodable(doc.source):  # (no NUL in the text: decode_keeping refuses NUL bytes)
        problem = "its metadata is not valid Unicode (an unpaired surrogate)"
    else:
        problem = None
    if problem:
        staged.problems.append(InputProblem(str(path), doc.line, problem))
    else:
        staged.docs.append(doc)
        staged.utf8.append(utf8)  # hashed and stored as they are: add_documents
    return staged


def _adds_labels(project: Project, doc: DocumentData, o: _Options) -> bool:
    """Whether checking ``doc`` would add a label to the project (a write, which the
    file's own savepoint must be able to undo)."""
    if o.unknown_labels != "add":
        return False
    return any(isinstance(label, str) and not project.has_label(label)
               for label in (o.label_map.get(s.label, s.label) if isinstance(s.label, str) else s.label
                             for s in doc.spans))


def _write_batch(project: Project, batch: _Batch, o: _Options, report: ImportReport) -> None:
    """Store the documents of files read and checked; report each file in order."""
    docs = [d for staged in batch.files for d in staged.docs]
    utf8 = [b for staged in batch.files for b in staged.utf8]
    if docs:
        try:
            with project.transaction():
                ids = add_documents(project, docs, status=o.status, span_state=o.span_state, utf8=utf8)
        except Exception as e:
            if _stops_import(e):
                raise
            # A value the database (or sqlite3) refuses, in one of the files: undone
            # above; each file again in its own savepoint, so that only that one is refused.
            for staged in batch.files:
                _write_alone(project, staged, o, report)
            return
    else:
        ids = []
    k = 0
    for staged in batch.files:
        _report_file(report, staged, ids[k:k + len(staged.docs)])
        k += len(staged.docs)


def _write_alone(project: Project, staged: _Staged, o: _Options, report: ImportReport) -> None:
    ids: list[int | None] = []
    if staged.refused is None and staged.docs:
        try:
            with project.transaction():
                ids = add_documents(project, staged.docs, status=o.status, span_state=o.span_state,
                                    utf8=staged.utf8)
        except Exception as e:
            staged.refused = _refusal(staged.path, e)  # raises again what stops the import
    _report_file(report, staged, ids)


def _report_file(report: ImportReport, staged: _Staged, ids: list[int | None]) -> None:
    if staged.refused is not None:
        report.failed.append(staged.refused)
        return
    for doc, doc_id in zip(staged.docs, ids):
        if doc_id is None:
            report.duplicates += 1
        else:
            report.imported += 1
            report.spans += len(doc.spans)
    report.failed.extend(staged.problems)
    report.notices.extend(staged.notices)


def _open_reader(path: Path, o: _Options, name: str | None = None, reader=None) -> Iterator:
    if reader is None:
        name, reader = _reader_for(path, o.fmt, o.listing)
    # Every reader bounds a document by the --max-size as it reads (formats/limits.py)
    options = {"max_bytes": o.max_bytes, **({"token_sep": o.token_sep} if name == "conll" else {})}
    return reader.read(path, **options)


def _refusal(path: Path, e: BaseException) -> InputProblem:
    """Why a file is refused, from what reading, checking or storing it raised; the
    project's own trouble (and a cancel) is raised again: it stops the import."""
    if isinstance(e, InputFileError):  # the whole file is refused
        return e.problem
    if isinstance(e, (UnicodeError, OSError, ValueError)):
        return InputProblem(str(path), 0, f"{type(e).__name__}: {e}")
    if isinstance(e, (sqlite3.IntegrityError, sqlite3.DataError, sqlite3.ProgrammingError)):
        # values the database refuses (its savepoint is rolled back): this file's fault
        return InputProblem(str(path), 0, f"cannot be stored ({type(e).__name__}: {e})")
    if _stops_import(e):
        raise e  # the project, not this file: stop the import (what is committed stays)
    # whatever else a strange file provokes: refuse it, go on with the rest
    return InputProblem(str(path), 0, f"cannot be imported ({type(e).__name__}: {e})")


def _stops_import(e: BaseException) -> bool:
    """The project's own trouble (and a cancel), not a file's: see _refusal."""
    if isinstance(e, (sqlite3.IntegrityError, sqlite3.DataError, sqlite3.ProgrammingError)):
        return False
    return isinstance(e, (sqlite3.Error, StorageError, ProjectDamagedError, Cancelled)) or not isinstance(e, Exception)


def _snapped_notice(path: Path, item: DocumentData, snapped: list[str]) -> InputNotice:
    return InputNotice(str(path), item.line, (
        f"{len(snapped)} span(s) cut a character cluster and were widened to whole characters: "
        + "; ".join(snapped[:3]) + (" …" if len(snapped) > 3 else "")))


def _reader_for(path: Path, fmt: str, listing=None):
    name = formats.guess(path, listing) if fmt == "auto" else fmt
    if name is None:
        raise InputFileError(str(path), 0, f"cannot tell the format from the name {path.name!r}: give --format"
                                           f" with one of {', '.join(formats.READERS)}")
    if name not in formats.READERS:
        raise InputFileError(str(path), 0, f"no reader for format {name!r}")
    reader = _READERS.get(name)
    if reader is None:
        reader = _READERS[name] = formats.get(name)
    return name, reader


_READERS: dict = {}  # format name -> its module (formats.get imports it by name each time)


def _import_file(project: Project, path: Path, items: Iterator, o: _Options, report: ImportReport) -> None:
    """Write a file's documents as they are read, in its own savepoint: for merged
    annotations, labels added, and files too large to hold whole in memory."""
    counts = {"imported": 0, "duplicates": 0, "spans": 0, "merged": 0, "unchanged": 0}
    problems: list[InputProblem] = []
    notices: list[InputNotice] = []
    added_labels: list[str] = []
    try:
        with project.transaction():
            for item in items:
                if isinstance(item, InputNotice):
                    notices.append(item)
                    continue
                if isinstance(item, InputProblem):
                    problems.append(item)
                    continue
                snapped: list[str] = []
                problem = _prepare(project, item, o.label_map, o.unknown_labels, added_labels, o.max_bytes, snapped)
                if problem:
                    problems.append(InputProblem(str(path), item.line, problem))
                    continue
                if snapped:
                    notices.append(_snapped_notice(path, item, snapped))
                if item.annotator:  # another annotator's finished work: merged as theirs
                    outcome = merge_annotation(project, item, item.annotator)
                    counts["unchanged" if outcome == "unchanged" else "merged"] += 1
                    counts["imported"] += outcome == "added"
                    counts["spans"] += len(item.spans) if outcome != "unchanged" else 0
                    continue
                doc_id = project.add_document(item, status=o.status, span_state=o.span_state)
                if doc_id is None:
                    counts["duplicates"] += 1
                else:
                    counts["imported"] += 1
                    counts["spans"] += len(item.spans)
    except Exception as e:  # its savepoint rolled back
        report.failed.append(_refusal(path, e))
        return
    report.imported += counts["imported"]
    report.duplicates += counts["duplicates"]
    report.spans += counts["spans"]
    report.merged += counts["merged"]
    report.unchanged += counts["unchanged"]
    report.failed.extend(problems)
    report.notices.extend(notices)
    report.labels_added.extend(added_labels)


def _prepare(
    project: Project,
    doc: DocumentData,
    label_map: dict[str, str],
    unknown_labels: str,
    added_labels: list[str],
    max_bytes: int | None = None,
    snapped: list[str] | None = None,
) -> str | None:
    """Map labels, check spans; return why the document is refused, or None. A span that
    cuts a character cluster is widened to whole clusters and named in ``snapped``."""
    if not doc.text:
        return "empty document"
    refused = _unstorable(doc, max_bytes)
    if refused:
        return refused
    spans: list[SpanData] = []
    if len(doc.spans) > MAX_SPANS_PER_DOCUMENT:
        return f"{len(doc.spans):,} spans in one document: more than {MAX_SPANS_PER_DOCUMENT:,} is not an annotation"
    for s in doc.spans:
        label = label_map.get(s.label, s.label)
        wrong = _wrong_types(s)
        if wrong:
            return wrong
        if not (0 <= s.start < s.end <= len(doc.text)):
            return f"span {s.start}-{s.end} {s.label} is outside the text (length {len(doc.text)})"
        start, end = snap_to_clusters(doc.text, s.start, s.end)
        if (start, end) != (s.start, s.end):
            if snapped is not None:
                snapped.append(f"{s.label} {s.start}-{s.end} {doc.text[s.start:s.end]!r} -> {start}-{end}"
                               f" {doc.text[start:end]!r}")
            s = SpanData(start, end, s.label, s.state, s.origin, s.confidence, s.author, s.provenance)
        if not isinstance(label, str) or not label.strip() or any(ch.isspace() for ch in label):
            return f"label {label!r} is not one word (labels become tags such as B-{label})"
        if not _encodable(label):
            return f"label {label!r} is not valid Unicode text (an unpaired surrogate)"
        if not project.has_label(label):
            if unknown_labels == "refuse":
                return (
                    f"unknown label {label!r}; add it with --unknown-labels add"
                    f" or map it with --map {label}=LABEL"
                )
            project.add_label(label)
            added_labels.append(label)
        spans.append(SpanData(s.start, s.end, label, s.state, s.origin, s.confidence, s.author, s.provenance))
    spans = sorted(set(spans), key=lambda s: (s.start, s.end, s.label))
    if not project.allow_overlap:
        for a, b in zip(spans, spans[1:]):
            if b.start < a.end:
                return (
                    f"spans overlap: {a.label} {a.start}-{a.end} and {b.label} {b.start}-{b.end}"
                    " (this project does not allow overlapping spans)"
                )
    doc.spans = spans
    return None


def _from_reader(items: Iterator, path: Path) -> Iterator:
    """A reader's items. Whatever it raises while reading refuses this file (a damaged
    project file imported as a team member's work, a reader's own bug), so that it can
    never be taken for trouble with the project being imported into."""
    items = iter(items)
    while True:
        try:
            item = next(items)
        except StopIteration:
            return
        except (InputFileError, Cancelled, UnicodeError, OSError, ValueError):
            raise  # refusals, and what _import_file reports as it always has
        except Exception as e:
            raise InputFileError(str(path), 0, f"cannot be read ({type(e).__name__}: {e})") from e
        yield item


MAX_SPANS_PER_DOCUMENT = 100_000
MAX_NAME_CHARS = 200  # a label, an author, an annotator's name


def _wrong_types(s: SpanData) -> str | None:
    """Values read from someone else's file are checked before they are stored: offsets
    are whole numbers (6.5 would pass a range check and break every later reader), names
    are short strings, a confidence is a number from 0 to 1."""
    for what, value in (("start", s.start), ("end", s.end)):
        if not isinstance(value, int) or isinstance(value, bool):
            return f"span {what} {value!r} is not a whole number of characters"
    if not isinstance(s.label, str) or len(s.label) > MAX_NAME_CHARS:
        return f"span label {str(s.label)[:40]!r} is not a short name"
    if s.author is not None and (not isinstance(s.author, str) or len(s.author) > MAX_NAME_CHARS):
        return f"span author {str(s.author)[:40]!r}… is not a short name"
    if s.confidence is not None and (isinstance(s.confidence, bool) or not isinstance(s.confidence, (int, float))
                                     or not 0 <= s.confidence <= 1):
        return f"span confidence {s.confidence!r} is not a number from 0 to 1"
    return None


def _unstorable(doc: DocumentData, max_bytes: int | None) -> str | None:
    """Why a document read from a file cannot be stored as it is, or None."""
    text = doc.text
    if not isinstance(text, str):
        return "its text is not text"
    if "\x00" in text:  # SQLite's text functions stop at NUL: offsets past it would break
        return "its text contains NUL characters (\\u0000); is it a binary file?"
    if not _encodable(text):
        return "its text is not valid Unicode (an unpaired surrogate such as \\ud800)"
    if max_bytes is not None and len(text) > max_bytes // 4 and len(text.encode("utf-8")) > max_bytes:
        return f"too large for one article: over {max_bytes:,} bytes (raise the limit with --max-size)"
    try:
        meta = json.dumps(doc.meta, ensure_ascii=False)
    except (TypeError, ValueError) as e:
        return f"its metadata cannot be stored: {e}"
    for key in ("date", "url"):  # stored in columns of their own: text (or a number)
        value = doc.meta.get(key)
        if value is not None and (not isinstance(value, (str, int, float)) or isinstance(value, bool)):
            return f"its metadata {key!r} must be text, not {type(value).__name__}"
    if not _encodable(meta) or not _encodable(doc.source or ""):
        return "its metadata is not valid Unicode (an unpaired surrogate)"
    if doc.annotator is not None and (not isinstance(doc.annotator, str) or len(doc.annotator) > MAX_NAME_CHARS):
        return f"its annotator's name is not a short name ({len(str(doc.annotator)):,} characters)"
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


__all__ = ["ImportReport", "run_import", "expand", "Cancelled"]
