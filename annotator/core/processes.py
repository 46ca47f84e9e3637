"""Whether a process still runs: used to tell leftovers of a killed process from work in progress."""

from __future__ import annotations

import os


def process_alive(pid: int) -> bool:
    """True if process ``pid`` exists (or might: when we may not signal it)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. PermissionError: it exists, it is not ours
        return True
    return True
