"""Durable de-duplication of sends: a message id is sent at most once, even across restarts."""
from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable

from workers.log import log
from workers.session_store import SessionStore, as_store

SENT_FILE = "sent.jsonl"
KEEP_SECONDS = 8 * 86400
"""How long a send is remembered (SENT_RETENTION_SECONDS): longer than the control plane keeps
retrying a message (SEND_DEADLINE_SECONDS, a day by default); older records are dropped."""
COMPACT_LINES = 1000
"""The file is rewritten once it holds this many lines more than twice the records kept."""


class SentLog:
    """message_id → the first send's result, appended durably to the session store (sent.jsonl
    of the session folder, or its rows in PostgreSQL) and kept for a retention period."""

    def __init__(self, session: str | SessionStore, keep_seconds: float | None = None,
                 clock: Callable[[], float] = time.time):
        self.store = as_store(session)
        self.path = os.path.join(session, SENT_FILE) if isinstance(session, str) else None
        self.keep = keep_seconds or float(os.environ.get("SENT_RETENTION_SECONDS") or KEEP_SECONDS)
        self.clock = clock
        self._file = self.store.lines(SENT_FILE)
        self._guard = threading.Lock()
        self._locks: dict[str, list] = {}  # message id → [lock, requests in flight]
        self._records: dict[str, tuple[float, dict]] = {}  # message id → (sent at, result), oldest first
        self._lines = self._load()
        self._forget_old(self.clock())

    def _load(self) -> int:
        """Read the recorded results (a torn last line, from a crash mid-append, is skipped);
        returns the number of lines."""
        lines = self.store.read(SENT_FILE)
        for line in lines:
            try:
                record = json.loads(line)
                sent_at = float(record.pop("at", None) or self.clock())  # older files had no time
                self._records[record["message_id"]] = (sent_at, record)
            except (ValueError, KeyError, TypeError, AttributeError):
                log("sentlog: skipped an unreadable record")
        return len(lines)

    def __len__(self) -> int:
        return len(self._records)

    def get(self, message_id: str) -> dict | None:
        """The recorded result of a message id, if it was sent (and is still remembered)."""
        record = self._records.get(message_id)
        return record[1] if record else None

    def send_once(self, message_id: str, send: Callable[[], dict]) -> dict:
        """The recorded result, or send() once and record its result before returning it."""
        lock = self._take_lock(message_id)
        try:
            with lock:
                if (known := self.get(message_id)) is not None:
                    return known
                result = send()
                self._record(message_id, result)
                return result
        finally:
            self._drop_lock(message_id)

    def _record(self, message_id: str, result: dict) -> None:
        """Keep the result, durably, before it is answered."""
        now = self.clock()
        self._records[message_id] = (now, result)  # first: a rewrite meanwhile must keep it
        try:
            self._file.append(json.dumps({**result, "at": round(now, 3)}, separators=(",", ":")))
        except OSError:
            self._records.pop(message_id, None)
            raise
        with self._guard:
            self._lines += 1
        self._forget_old(now)

    def _forget_old(self, now: float) -> None:
        """Drop the records older than the retention period; rewrite the file when it has
        grown well beyond the records kept."""
        with self._guard:
            while self._records:
                oldest = next(iter(self._records))
                if now - self._records[oldest][0] <= self.keep:
                    break
                del self._records[oldest]
            if self._lines <= 2 * len(self._records) + COMPACT_LINES:
                return
            self._file.rewrite(self._current_lines)
            self._lines = len(self._records)

    def _current_lines(self) -> list[str]:
        return [json.dumps({**result, "at": round(sent_at, 3)}, separators=(",", ":"))
                for sent_at, result in list(self._records.values())]

    def _take_lock(self, message_id: str) -> threading.Lock:
        """The lock of one message id, shared by every request for it that is in flight."""
        with self._guard:
            entry = self._locks.setdefault(message_id, [threading.Lock(), 0])
            entry[1] += 1
            return entry[0]

    def _drop_lock(self, message_id: str) -> None:
        """Forget the message id's lock once no request for it is in flight."""
        with self._guard:
            entry = self._locks[message_id]
            entry[1] -= 1
            if entry[1] == 0:
                del self._locks[message_id]
