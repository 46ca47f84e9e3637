"""Progress on a terminal (one updating line on a TTY, an occasional line otherwise), and
Ctrl+C as a polite request to stop."""

from __future__ import annotations

import signal
import sys
import time
from typing import TextIO


class TerminalProgress:
    def __init__(self, label: str, stream: TextIO | None = None, interval: float | None = None):
        self.label = label
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.interval = interval if interval is not None else (0.1 if self.tty else 5.0)
        self.started = time.monotonic()
        self.last = 0.0
        self.shown = False

    def __call__(self, done: int, total: int | None, message: str = "") -> None:
        now = time.monotonic()
        if now - self.last < self.interval and done != total:
            return
        self.last = now
        rate = done / max(now - self.started, 1e-9)
        if total:
            text = f"{self.label}: {done}/{total} ({100 * done / total:.0f}%), {rate:.0f}/s"
        else:
            text = f"{self.label}: {done}, {rate:.0f}/s"
        if self.tty:
            self.stream.write("\r" + text[:100].ljust(100))
            self.shown = True
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.tty and self.shown:
            self.stream.write("\n")
            self.stream.flush()


class Cancel:
    """Ctrl+C asks the running job to stop once what it has in hand (a document, a batch, a
    partition) is saved, instead of killing it."""

    def __init__(self) -> None:
        self.flag = False

    def __call__(self) -> bool:
        return self.flag

    def install(self) -> None:
        def handler(signum, frame):
            if self.flag:  # a second Ctrl+C means now
                raise KeyboardInterrupt
            self.flag = True
            print("\nstopping once the work in hand is saved… (Ctrl+C again to abort)", file=sys.stderr)

        signal.signal(signal.SIGINT, handler)


def job_progress(label: str) -> tuple[Cancel, TerminalProgress]:
    """What a long command gives its job: a cancel flag set by Ctrl+C, and terminal progress."""
    cancel = Cancel()
    cancel.install()
    return cancel, TerminalProgress(label)
