"""Fencing: a worker acts only while its node agent keeps the instance's lease file fresh.

The node agent touches the lease file (os.utime) about every second, right after its own
heartbeat in PostgreSQL succeeded. The worker may act only while the file's mtime is younger
than the lease; once a held lease lapses it is lost for good in this process (a later touch
does not bring it back: the worker exits and supervisord starts a fresh one, which waits).
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping

FENCE_FILE_ENV = "ZAPFLEET_FENCE_FILE"
FENCE_LEASE_ENV = "ZAPFLEET_FENCE_LEASE"
DEFAULT_LEASE = 5.0
CHECK_INTERVAL = 0.25
"""How often the watchdog (and a worker waiting for its lease) looks at the file."""


class FenceLost(OSError):
    """The worker's lease on its instance is not valid: nothing may be written or done."""


class Fence:
    """A lease file kept fresh by the node agent; valid while younger than `lease` seconds."""

    def __init__(self, path: str, lease: float = DEFAULT_LEASE,
                 clock: Callable[[], float] = time.time):
        self.path, self.lease, self.clock = path, lease, clock
        self._lock = threading.Lock()
        self._held = self._lost = False

    def age(self) -> float:
        """Seconds since the agent last touched the file (infinite when it is missing)."""
        try:
            return self.clock() - os.stat(self.path).st_mtime
        except OSError:
            return float("inf")

    def valid(self) -> bool:
        """True while the lease is fresh; once a held lease lapsed, False for good."""
        fresh = self.age() < self.lease
        with self._lock:
            if self._lost:
                return False
            if fresh:
                self._held = True
            elif self._held:
                self._lost = True
            return fresh

    def lost(self) -> bool:
        """True once a lease this process held has lapsed."""
        with self._lock:
            return self._lost

    def check(self) -> None:
        """Raise FenceLost unless the lease is valid (before every durable write)."""
        if not self.valid():
            raise FenceLost(f"the lease on this instance is not valid ({self.path})")

    def wait_until_valid(self, stop: threading.Event, interval: float = CHECK_INTERVAL) -> bool:
        """Block until the lease is valid (True) or stop is set (False)."""
        while not self.valid():
            if self.lost() or stop.wait(interval):
                return False
        return True

    def watch(self, on_lost: Callable[[], None], interval: float = CHECK_INTERVAL) -> threading.Thread:
        """Start a watchdog thread calling on_lost() once, the moment the lease is not valid."""
        def run() -> None:
            while self.valid():
                time.sleep(interval)
            on_lost()
        thread = threading.Thread(target=run, name="fence-watchdog", daemon=True)
        thread.start()
        return thread


class NoFence(Fence):
    """No fencing (no ZAPFLEET_FENCE_FILE): always valid, no watchdog."""

    def __init__(self) -> None:
        super().__init__("", float("inf"))

    def valid(self) -> bool:
        """Always True."""
        return True

    def watch(self, on_lost: Callable[[], None], interval: float = CHECK_INTERVAL) -> threading.Thread:
        """No watchdog: a thread that does nothing."""
        return threading.Thread(target=lambda: None, name="fence-none", daemon=True)


def fence_from_environment(environ: Mapping[str, str] = os.environ) -> Fence:
    """The worker's fence: ZAPFLEET_FENCE_FILE and ZAPFLEET_FENCE_LEASE (seconds, default 5),
    or NoFence when no file is given; ValueError for a lease that is not a positive number."""
    path = (environ.get(FENCE_FILE_ENV) or "").strip()
    if not path:
        return NoFence()
    raw = (environ.get(FENCE_LEASE_ENV) or "").strip() or str(DEFAULT_LEASE)
    try:
        lease = float(raw)
    except ValueError:
        lease = -1.0
    if not lease > 0:
        raise ValueError(f"{FENCE_LEASE_ENV} must be a positive number of seconds, not {raw!r}")
    return Fence(path, lease)
