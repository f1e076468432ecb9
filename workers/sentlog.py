"""Durable de-duplication of sends: a message id is sent at most once, even across restarts."""
from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable

from workers.files import SyncedLines, read_lines
from workers.log import log

SENT_FILE = "sent.jsonl"


class SentLog:
    """message_id → the first send's result, appended (fsync'd) to the session folder."""

    def __init__(self, session_dir: str):
        self.path = os.path.join(session_dir, SENT_FILE)
        self._file = SyncedLines(self.path)
        self._results = self._load()
        self._guard = threading.Lock()
        self._locks: dict[str, list] = {}  # message id → [lock, requests in flight]

    def _load(self) -> dict[str, dict]:
        """The recorded results; a torn last line (a crash mid-append) is skipped."""
        results = {}
        for line in read_lines(self.path):
            try:
                record = json.loads(line)
                results[record["message_id"]] = record
            except (ValueError, KeyError, TypeError):
                log("sentlog: skipped an unreadable record")
        return results

    def get(self, message_id: str) -> dict | None:
        """The recorded result of a message id, if it was sent."""
        return self._results.get(message_id)

    def send_once(self, message_id: str, send: Callable[[], dict]) -> dict:
        """The recorded result, or send() once and record its result before returning it."""
        lock = self._take_lock(message_id)
        try:
            with lock:
                if (known := self._results.get(message_id)) is not None:
                    return known
                result = send()
                self._file.append(json.dumps(result, separators=(",", ":")))
                self._results[message_id] = result
                return result
        finally:
            self._drop_lock(message_id)

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
