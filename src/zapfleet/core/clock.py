"""The wall clock, injected wherever time matters so tests can fix it."""
from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)
