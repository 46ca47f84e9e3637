"""Another annotator's project file, read as documents (import only).

The file is opened read-only, so it can be read while its owner has it open. Every
document that is not skipped comes out with its text and metadata. A document its
annotator marked **done** also carries their confirmed spans (accepted, edited, manual)
and their name (the project's annotator), so the importer merges it as their annotation
(see ``annotator.store.team``); open suggestions, rejected spans and unfinished documents'
spans are work in progress and are not read.

Another person's file is untrusted: reading it has a time limit (:func:`opened`; import,
merge, agreement and ``evaluate --gold`` read through it). Past the limit, the statement
running is stopped by SQLite's progress handler, or the next one as it starts, and the
reading ends with :class:`ReadTimeLimitError` (E032) naming the file. The limit is
``ANNOTATOR_FOREIGN_READ_SECONDS`` (seconds; 0: none), :data:`DEFAULT_TIME_LIMIT` when unset.
"""

from __future__ import annotations

import os
import sqlite3
import time
from contextlib import contextmanager
from typing import Iterator

from annotator.core.errors import AnnotatorError, Cancelled, InputFileError, InputProblem
from annotator.core.model import CONFIRMED_STATES, DONE, SKIPPED, DocumentData

TIME_LIMIT_ENV = "ANNOTATOR_FOREIGN_READ_SECONDS"
DEFAULT_TIME_LIMIT = 600.0  # the 580 MB corpus project is read in far less
PROGRESS_STEPS = 20_000  # SQLite steps between two looks at the clock inside one statement


class ReadTimeLimitError(InputFileError):
    """Reading another person's project file took longer than the limit."""

    code = "E032"

    def __init__(self, path: str, line: int, message: str):
        super().__init__(path, line, f"{message} [{self.code}]")  # the import's summary shows the code too

    def __str__(self) -> str:
        return Exception.__str__(self)  # the message carries the code already


def time_limit() -> float | None:
    """Seconds allowed to read another person's project file (None: no limit)."""
    value = os.environ.get(TIME_LIMIT_ENV, "").strip()
    if not value:
        return DEFAULT_TIME_LIMIT
    try:
        seconds = float(value)
    except ValueError:
        raise AnnotatorError(f"{TIME_LIMIT_ENV}={value!r} is not a number of seconds (0: no limit)") from None
    if seconds != seconds or seconds < 0:
        raise AnnotatorError(f"{TIME_LIMIT_ENV}={value!r} is not a number of seconds (0: no limit)")
    return seconds or None


class Deadline:
    """A time limit on one connection: a progress handler stops a statement that runs past
    it, a trace callback stops the next statement to start, :meth:`check` is for loops in
    Python between statements. A pending Ctrl+C still stops a statement (the handler is
    Python code, where the interrupt is raised)."""

    def __init__(self, path, seconds: float | None, started: float | None = None):
        self.path, self.seconds = str(path), seconds
        self.at = None if seconds is None else (started or time.monotonic()) + seconds
        self.expired = False
        self._conn: sqlite3.Connection | None = None

    def install(self, conn: sqlite3.Connection) -> None:
        if self.at is None:
            return
        self._conn = conn
        conn.set_progress_handler(self._tick, PROGRESS_STEPS)
        conn.set_trace_callback(self._statement)

    def passed(self) -> bool:
        if self.at is not None and not self.expired and time.monotonic() > self.at:
            self.expired = True
        return self.expired

    def _tick(self) -> int:
        return 1 if self.passed() else 0  # non-zero: SQLite stops the statement ("interrupted")

    def _statement(self, _sql: str) -> None:
        if self.passed() and self._conn is not None:
            self._conn.interrupt()  # the statement starting now is stopped

    def check(self) -> None:
        if self.passed():
            raise self.error()

    def error(self) -> ReadTimeLimitError:
        return ReadTimeLimitError(self.path, 0, (
            f"reading this project file took longer than {self.seconds:g} s, the limit for another"
            f" person's file; nothing of it was used (set {TIME_LIMIT_ENV}=SECONDS to allow more, 0 for"
            " no limit)"))


    @contextmanager
    def stopping(self):
        """Errors of a statement the deadline stopped come out as ReadTimeLimitError."""
        try:
            yield self
        except (sqlite3.OperationalError, Cancelled) as e:
            if self.expired:
                raise self.error() from e
            raise
        if self.expired:  # the last statement was stopped and its error swallowed somewhere
            raise self.error()


def open_foreign(path, seconds: float | None = -1.0):
    """(project, deadline): another person's project file opened read-only, with the time
    limit (``seconds``; by default :func:`time_limit`) counted from now. Use the project
    inside ``with project, deadline.stopping():``."""
    from annotator.store.project import Project

    started = time.monotonic()
    deadline = Deadline(path, time_limit() if seconds == -1.0 else seconds, started)
    project = Project.open(path, readonly=True)
    deadline.install(project._conn)  # a read-only Project's one connection: it only reads
    try:
        deadline.check()
    except ReadTimeLimitError:
        project.close()
        raise
    return project, deadline


@contextmanager
def opened(path, seconds: float | None = -1.0):
    """The project of :func:`open_foreign`, closed at the end; past the limit,
    ReadTimeLimitError."""
    project, deadline = open_foreign(path, seconds)
    with project, deadline.stopping():
        yield project


def read(path: str | os.PathLike[str], max_bytes: int | None = None) -> Iterator[DocumentData | InputProblem]:
    """The documents of another person's project (``max_bytes`` is not used: a project's
    values are type-checked and bounded by the importer)."""
    try:
        project, deadline = open_foreign(path)
    except ReadTimeLimitError:
        raise
    except AnnotatorError as e:
        raise InputFileError(str(path), 0, f"cannot read this project: {e}") from None
    with project, deadline.stopping():
        name = project.annotator
        for doc_id in project.document_ids():
            deadline.check()
            doc = project.document(doc_id)
            if doc.status == SKIPPED:
                continue
            meta = {"title": doc.title, "date": doc.date, "url": doc.url, **doc.meta}
            meta = {k: v for k, v in meta.items() if v not in (None, "")}
            finished = doc.status == DONE
            spans = project.span_data(doc_id, CONFIRMED_STATES) if finished else []
            yield DocumentData(doc.text, meta, spans, source=doc.source or str(path), line=doc_id,
                               annotator=name if finished else None)


__all__ = ["read", "opened", "open_foreign", "Deadline", "ReadTimeLimitError", "time_limit"]
