"""A queue of delayed callbacks run in order by a single background thread."""
from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable

from workers.log import log


class TimerQueue:
    """Runs callbacks at their due time, ties broken by the order they were scheduled."""

    def __init__(self, name: str = "timers"):
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._order = itertools.count()
        self._cond = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        """Start the background thread."""
        self._thread.start()

    def call_later(self, delay: float, callback: Callable[[], None]) -> None:
        """Run callback after `delay` seconds (0: as soon as possible, after earlier ones)."""
        with self._cond:
            heapq.heappush(self._heap, (time.monotonic() + delay, next(self._order), callback))
            self._cond.notify()

    def stop(self, run_pending: bool = True) -> None:
        """Stop the thread; run what is still scheduled now (in order) unless told not to."""
        with self._cond:
            self._stopping = True
            pending = [callback for _, _, callback in sorted(self._heap)]
            self._heap.clear()
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        for callback in pending if run_pending else ():
            _run_safely(callback)

    def _next_due(self) -> Callable[[], None] | None:
        """Wait for the earliest callback to fall due; None once stopping."""
        with self._cond:
            while not self._stopping:
                if not self._heap:
                    self._cond.wait()
                    continue
                wait = self._heap[0][0] - time.monotonic()
                if wait <= 0:
                    return heapq.heappop(self._heap)[2]
                self._cond.wait(wait)
            return None

    def _run(self) -> None:
        while (callback := self._next_due()) is not None:
            _run_safely(callback)


def _run_safely(callback: Callable[[], None]) -> None:
    """Run one callback; an error is logged, never fatal to the queue."""
    try:
        callback()
    except Exception as exc:  # noqa: BLE001 - one failing timer must not stop the others
        log(f"timer callback failed: {type(exc).__name__}")
