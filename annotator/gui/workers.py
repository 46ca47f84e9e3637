"""Run the core's long jobs off the GUI thread.

A core job is a plain function ``fn(progress, cancelled)`` (see
:mod:`annotator.core.progress`). :class:`JobRunner` runs it on a worker thread, turns its
progress calls into a throttled Qt signal, shows a progress dialog only when the job takes
long enough to notice, and hands the result or the error back on the GUI thread.

The project is shared with the worker: its methods take the project's lock, and jobs
commit in small transactions, so the window can keep reading between them.
"""

from __future__ import annotations

import threading
import time
import traceback
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from annotator.core.errors import AnnotatorError, Cancelled

ProgressCallback = Callable[[int, "int | None", str], None]
JobFn = Callable[[ProgressCallback, Callable[[], bool]], object]

SHOW_AFTER_MS = 500  # a job that ends sooner never flashes a dialog
PROGRESS_INTERVAL_S = 0.05  # at most ~20 progress signals a second reach the GUI


class _Job(QObject):
    """One job's GUI-side half. It lives on the GUI thread, so the signals the worker emits
    on it are queued and its slots run on the GUI thread."""

    progressed = Signal(int, int, str)  # done, total (-1: unknown), message
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, runner: "JobRunner", title: str, fn: JobFn, on_done: Callable[[Any], None],
                 on_error: Callable[[BaseException], None] | None):
        super().__init__(runner)
        self.runner = runner
        self.title = title
        self.fn = fn
        self.on_done = on_done
        self.on_error = on_error
        self.cancel_flag = threading.Event()
        self.finished = False
        self.dialog: QProgressDialog | None = None
        self.last: tuple[int, int, str] = (0, -1, title)
        self._last_emit = 0.0
        self.progressed.connect(self._on_progress)
        self.succeeded.connect(self._on_success)
        self.failed.connect(self._on_failure)

    # ---- called on the worker thread
    def work(self) -> None:
        try:
            result = self.fn(self.progress, self.cancel_flag.is_set)
        except BaseException as exc:  # every failure must reach the user, never die silently in a thread
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)

    def progress(self, done: int, total: int | None, message: str = "") -> None:
        now = time.monotonic()
        final = total is not None and done >= total
        if final or now - self._last_emit >= PROGRESS_INTERVAL_S:
            self._last_emit = now
            self.progressed.emit(int(done), -1 if total is None else int(total), str(message))

    # ---- GUI thread
    def show_dialog(self) -> None:
        if self.finished or self.dialog is not None:
            return
        done, total, message = self.last
        dialog = QProgressDialog(self.title, "Cancel", 0, 0, self.runner.parent_widget)
        dialog.setWindowTitle(self.title)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumDuration(0)
        dialog.canceled.connect(self.cancel)
        self.dialog = dialog
        self._update_dialog(done, total, message)
        dialog.show()

    def cancel(self) -> None:
        self.cancel_flag.set()

    def _update_dialog(self, done: int, total: int, message: str) -> None:
        if self.dialog is None:
            return
        if total < 0:
            self.dialog.setRange(0, 0)  # unknown length: a busy bar
        else:
            self.dialog.setRange(0, max(total, 1))
            self.dialog.setValue(min(done, max(total, 1)))
        text = self.title if not message else f"{self.title}\n{_elide(message)}"
        if total >= 0:
            text += f"\n{done:,} of {total:,}"
        self.dialog.setLabelText(text)

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, message: str) -> None:
        self.last = (done, total, message)
        self._update_dialog(done, total, message)
        self.runner.progressed.emit(done, total, message)

    @Slot(object)
    def _on_success(self, result: object) -> None:
        self._finish()
        self.on_done(result)

    @Slot(object)
    def _on_failure(self, exc: BaseException) -> None:
        self._finish()
        if self.on_error is not None:
            self.on_error(exc)
        else:
            self.runner.report_error(self.title, exc)

    def _finish(self) -> None:
        self.finished = True
        if self.dialog is not None:
            self.dialog.canceled.disconnect(self.cancel)
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        self.runner._job_finished(self)


class _Runnable(QRunnable):
    """The worker-thread half: runs the job and nothing else."""

    def __init__(self, job: _Job):
        super().__init__()
        self._job = job

    def run(self) -> None:
        self._job.work()


class JobRunner(QObject):
    """Runs core jobs one after another on a background thread.

    Jobs queue up behind each other (one worker thread): they all write through the one
    project connection, and one at a time keeps their transactions short and ordered.
    """

    progressed = Signal(int, int, str)  # of the running job, throttled; total -1 when unknown

    def __init__(self, parent_widget: QWidget | None, show_after_ms: int = SHOW_AFTER_MS):
        super().__init__(parent_widget)
        self.parent_widget = parent_widget
        self.show_after_ms = show_after_ms
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._jobs: list[_Job] = []
        self.last_error_box: QMessageBox | None = None

    def run(
        self,
        title: str,
        fn: JobFn,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Start ``fn(progress, cancelled)`` in the background; ``on_done(result)`` or
        ``on_error(exception)`` is called on the GUI thread when it ends. Without
        ``on_error`` the error is shown in a message box."""
        job = _Job(self, title, fn, on_done, on_error)
        self._jobs.append(job)
        QTimer.singleShot(self.show_after_ms, job, job.show_dialog)
        self._pool.start(_Runnable(job))

    def is_running(self) -> bool:
        return bool(self._jobs)

    def cancel(self) -> None:
        """Ask every queued and running job to stop (each checks between documents)."""
        for job in self._jobs:
            job.cancel()

    def progress_dialog(self) -> QProgressDialog | None:
        """The dialog of the oldest unfinished job, if it is showing (for tests)."""
        for job in self._jobs:
            if job.dialog is not None:
                return job.dialog
        return None

    def wait(self, timeout_ms: int = -1) -> bool:
        """Block until every job has ended and its callback has run; False on timeout.

        For tests and shutdown (cancel first). The callbacks are delivered here, on the
        calling (GUI) thread.
        """
        deadline = None if timeout_ms < 0 else time.monotonic() + timeout_ms / 1000
        while self._jobs:
            if deadline is not None and time.monotonic() >= deadline:
                return False
            self._pool.waitForDone(50)
            # The worker's finished signal is a posted event to this thread: deliver it.
            QCoreApplication.sendPostedEvents()
        return True

    def report_error(self, title: str, exc: BaseException) -> QMessageBox:
        """Show a job's error without blocking: an AnnotatorError is a message for the user
        as it stands; anything else is a bug, shown with its type and traceback."""
        if isinstance(exc, Cancelled):
            icon, text = QMessageBox.Icon.Information, str(exc)
        elif isinstance(exc, AnnotatorError):
            icon, text = QMessageBox.Icon.Warning, str(exc)
        else:
            icon, text = QMessageBox.Icon.Critical, f"{type(exc).__name__}: {exc}"
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self.parent_widget)
        if not isinstance(exc, AnnotatorError):
            box.setDetailedText("".join(traceback.format_exception(exc)))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.last_error_box = box
        return box

    def _job_finished(self, job: _Job) -> None:
        if job in self._jobs:
            self._jobs.remove(job)
        job.deleteLater()


def _elide(message: str, limit: int = 80) -> str:
    return message if len(message) <= limit else "…" + message[-(limit - 1):]
