"""The durable event spool and the reporter thread that delivers it to the control plane."""
from __future__ import annotations

import json
import os
import re
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

from workers.log import log
from workers.media import MediaUploader, control_plane_opener
from workers.session_store import SessionStore, as_store

SPOOL_FILE = "events.jsonl"
BATCH_SIZE = 100
POST_TIMEOUT = 5.0
FIRST_BACKOFF = 0.25
MAX_BACKOFF = 5.0
COMPACT_LINES = 1000
"""The spool file is not compacted before it holds this many lines."""


MAX_TEXT = 65536
"""WhatsApp's longest text message: longer text in an event is cut (never refused)."""
MAX_BATCH_BYTES = 4 * 1024 * 1024
"""A batch stops growing at this size (but holds at least one event)."""
_UNSTORABLE = re.compile(r"\x00|[\ud800-\udfff]")


def storable(value: Any) -> Any:
    """The value with every text cleaned of what PostgreSQL and JSON cannot hold (NUL dropped,
    an unpaired surrogate replaced by U+FFFD) and cut to MAX_TEXT characters."""
    if isinstance(value, str):
        return _UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", value[:MAX_TEXT])
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [storable(v) for v in value]
    return value


def new_event(kind: str, data: dict) -> dict:
    """An event with a fresh uuid4 id and the current UTC time; its text made storable."""
    at = datetime.now(UTC).isoformat(timespec="milliseconds")
    return {"id": str(uuid.uuid4()), "type": kind, "at": at, "data": storable(data)}


class Spool:
    """Events not yet acknowledged, as JSON lines in the session store (events.jsonl of the
    session folder, fsync'd on append, or its rows in PostgreSQL). An
    acknowledgement is appended as a line {"ack": [ids]}; the file is rewritten with only the
    pending events when none is left, or when it has grown to several times their number, so
    that a busy worker does not rewrite its whole backlog on every delivered batch."""

    def __init__(self, session: str | SessionStore):
        self.store = as_store(session)
        self.path = os.path.join(session, SPOOL_FILE) if isinstance(session, str) else None
        self._file = self.store.lines(SPOOL_FILE)
        self._lock = threading.Lock()
        self._lines = 0  # lines in the file
        self._pending = self._load()  # [(event, its line)], oldest first
        self.changed = threading.Event()
        if self._pending:
            self.changed.set()

    def _load(self) -> list[tuple[dict, str]]:
        """The spooled events not acknowledged; a torn last line (a crash mid-append) is dropped,
        and the file rewritten with only the pending events."""
        events: dict[str, tuple[dict, str]] = {}
        lines = self.store.read(SPOOL_FILE)
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if "ack" in record:
                for event_id in record["ack"]:
                    events.pop(event_id, None)
            else:
                events[record["id"]] = (record, line)
        pending = list(events.values())
        self._lines = len(lines)
        if len(pending) < len(lines):
            self._rewrite(pending)
        return pending

    def append(self, event: dict) -> None:
        """Store an event durably, then wake the reporter. The fsync is shared with the appends
        of other threads, and taken outside the lock: a rewrite in between leaves the event in
        the new file, which the rewrite synced."""
        line = json.dumps(event, separators=(",", ":"))
        with self._lock:
            ticket = self._file.write(line)
            self._lines += 1
            self._pending.append((event, line))
        self._file.sync(ticket)
        self.changed.set()

    def batch(self, size: int = BATCH_SIZE, max_bytes: int = MAX_BATCH_BYTES) -> list[dict]:
        """The oldest pending events, at most `size` and (past the first) `max_bytes` of JSON."""
        with self._lock:
            events, total = [], 0
            for event, line in self._pending[:size]:
                total += len(line)
                if events and total > max_bytes:
                    break
                events.append(event)
            return events

    def acknowledge(self, ids: set[str]) -> None:
        """Forget delivered events. Their acknowledgement need not wait for the disk: one lost
        in a crash only sends them again, and the control plane ignores an event id it has."""
        with self._lock:
            self._pending = [entry for entry in self._pending if entry[0]["id"] not in ids]
            if not self._pending or self._lines > max(COMPACT_LINES, 4 * len(self._pending)):
                self._rewrite(self._pending)
            else:
                self._file.write(json.dumps({"ack": sorted(ids)}, separators=(",", ":")))
                self._lines += 1

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)

    def _rewrite(self, pending: list[tuple[dict, str]]) -> None:
        """Replace the spool with exactly these events (atomic)."""
        self.store.replace(SPOOL_FILE, [line for _, line in pending])
        self._lines = len(pending)


class Reporter:
    """A thread POSTing spooled events in batches; retries with capped exponential backoff."""

    def __init__(self, spool: Spool, control_url: str, instance_id: str, token: str,
                 uploader: MediaUploader | None = None):
        self.spool, self.uploader = spool, uploader
        self.url = control_url.rstrip("/") + "/internal/events"
        self.instance_id = instance_id
        self._token = token
        self._stopping = threading.Event()
        self._failing = False
        self._thread = threading.Thread(target=self._run, name="reporter", daemon=True)

    def start(self) -> None:
        """Start delivering in the background."""
        self._thread.start()

    def stop(self, flush_timeout: float = 3.0) -> None:
        """Stop the thread, then make one last attempt to deliver what is left."""
        self._stopping.set()
        self.spool.changed.set()
        self._thread.join(timeout=POST_TIMEOUT + 1)
        if len(self.spool) and not self._thread.is_alive():
            self.deliver_once(timeout=flush_timeout)

    def deliver_once(self, timeout: float = POST_TIMEOUT) -> bool:
        """POST the oldest batch; True when it was acknowledged (or there was nothing)."""
        events = self.spool.batch()
        if not events:
            return True
        problem = (self.uploader.upload_for(events) if self.uploader else None) or self._post(events, timeout)
        self._note(problem, len(events))
        if problem:
            return False
        try:
            self.spool.acknowledge({event["id"] for event in events})
        except OSError as exc:  # delivered all the same: a restart sends them again, ignored
            log(f"reporter: the acknowledgement could not be recorded ({type(exc).__name__})")
        if self.uploader:
            self.uploader.forget(events)
        return True

    def _note(self, problem: str | None, count: int) -> None:
        """Log when deliveries start failing and when they recover (not every retry)."""
        if problem and not self._failing:
            log(f"reporter: {problem}; {count} events kept, retrying with backoff")
        elif not problem and self._failing:
            log("reporter: the control plane acknowledges events again")
        self._failing = bool(problem)

    def _run(self) -> None:
        backoff = FIRST_BACKOFF
        while not self._stopping.is_set():
            self.spool.changed.clear()
            if not len(self.spool):
                self.spool.changed.wait()
            elif self.deliver_once():
                backoff = FIRST_BACKOFF
            else:
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)

    def _post(self, events: list[dict], timeout: float) -> str | None:
        """One POST of a batch; None on any 2xx, else what went wrong."""
        from urllib import error, request  # lazy: keeps the worker's start-up memory small
        body = json.dumps({"instance_id": self.instance_id, "events": events}).encode()
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self._token}"}
        req = request.Request(self.url, data=body, headers=headers, method="POST")
        opener = control_plane_opener()
        try:
            with opener.open(req, timeout=timeout) as response:
                ok = 200 <= response.status < 300
                return None if ok else f"the control plane answered HTTP {response.status}"
        except error.HTTPError as exc:
            exc.close()
            return f"the control plane answered HTTP {exc.code}"
        except (OSError, ValueError) as exc:
            return f"the control plane is unreachable ({type(exc).__name__})"
