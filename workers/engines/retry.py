"""Growing delays between connection attempts, and a pause that a reconnect or stop cuts short."""
from __future__ import annotations

import threading

FIRST_DELAY = 2.0
MAX_DELAY = 300.0


class Backoff:
    """Delays 2, 4, 8, … seconds, capped at 5 minutes; reset() after a success."""

    def __init__(self, first: float = FIRST_DELAY, cap: float = MAX_DELAY):
        self.first, self.cap = first, cap
        self._next = first

    def next(self) -> float:
        """The delay before the next attempt (each failure doubles the one after)."""
        delay, self._next = self._next, min(self._next * 2, self.cap)
        return delay

    def reset(self) -> None:
        """Start again from the first delay."""
        self._next = self.first


class Pause:
    """wait(seconds) that returns early when woken (a reconnect request) or stopped.

    Tests replace it with one that records the delays instead of waiting them out.
    """

    def __init__(self) -> None:
        self._wake = threading.Event()

    def wait(self, seconds: float | None) -> None:
        """Block for at most `seconds` (None: until woken)."""
        self._wake.wait(seconds)
        self._wake.clear()

    def wake(self) -> None:
        """End the current (or the next) wait now."""
        self._wake.set()
