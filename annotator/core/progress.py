"""Progress and cancellation for long jobs, independent of any UI.

A job is a plain function that takes ``progress(done, total, message)`` and
``cancelled()`` callbacks; the CLI prints, the window adapts them to signals.
"""

from __future__ import annotations

from typing import Callable, Protocol

from .errors import Cancelled


class ProgressFn(Protocol):
    def __call__(self, done: int, total: int | None, message: str = "") -> None: ...


def no_progress(done: int, total: int | None, message: str = "") -> None:
    pass


def never_cancelled() -> bool:
    return False


def check_cancelled(cancelled: Callable[[], bool]) -> None:
    if cancelled():
        raise Cancelled("cancelled")
