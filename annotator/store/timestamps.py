"""The time stamps the project writes: UTC, ISO 8601, to the millisecond (they sort as text)."""

from __future__ import annotations

from datetime import datetime, timezone


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")
