"""The one settable clock of the tests (tests never sleep): wall-clock or monotonic."""
from __future__ import annotations

from datetime import datetime, timedelta


class Clock:
    """Returns `now`, which moves only when a test moves it or the code under test sleeps.

    `now` is a datetime (a wall clock) or a number of seconds (a monotonic clock, 1000.0 unless
    given); the clock is its own `now()` callable, and `sleep` is what the code under test calls
    instead of time.sleep.
    """

    def __init__(self, now: datetime | float = 1000.0):
        self.now = now

    def __call__(self) -> datetime | float:
        return self.now

    def advance(self, seconds: float = 0.0, **delta: float) -> datetime | float:
        """Move forward by seconds and a timedelta's keywords (minutes=, hours=…); the new now."""
        step = timedelta(seconds=seconds, **delta)
        if isinstance(self.now, datetime):
            self.now += step
        else:
            self.now += step.total_seconds()
        return self.now

    def sleep(self, seconds: float) -> None:
        """Time passes at once: now moves forward by seconds."""
        self.advance(seconds)
