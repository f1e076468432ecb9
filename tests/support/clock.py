"""A settable clock for time-dependent code (tests never sleep)."""
from __future__ import annotations

from datetime import datetime, timedelta


class Clock:
    """Returns `now`, which moves only when a test moves it."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move forward by a timedelta's keywords; return the new now."""
        self.now += timedelta(**delta)
        return self.now
