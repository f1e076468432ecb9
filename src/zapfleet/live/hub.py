"""The fan-out: each event goes to the open streams of its account, and to the platform
admin's streams; never to another account's."""
from __future__ import annotations

import asyncio
import json
from typing import Any
from uuid import UUID

KINDS = frozenset({"message", "conversation", "instance", "qr", "campaign", "account"})
ADMIN_ONLY = frozenset({"account"})
"""Kinds only the platform admin's streams get (an account never learns of another)."""
QUEUE_LIMIT = 500
"""Events waiting for one slow client; past it the stream ends (the page reconnects and
catches up, polling meanwhile)."""


class Stream:
    """One open stream: what its client may see, and the events waiting to be written."""

    def __init__(self, account_id: UUID | None, limit: int = QUEUE_LIMIT):
        self.account = str(account_id) if account_id else None
        self.queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(limit)
        self.ended = False

    def offer(self, event: dict[str, Any] | None) -> None:
        """Queue an event (None ends the stream); a client too far behind is ended."""
        if self.ended:
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(None)
            event = None
        self.ended = event is None


class Hub:
    """The open streams, indexed by account, and the platform admin's (every account)."""

    def __init__(self) -> None:
        self._by_account: dict[str, set[Stream]] = {}
        self._everything: set[Stream] = set()

    def __len__(self) -> int:
        return len(self._everything) + sum(len(s) for s in self._by_account.values())

    def add(self, stream: Stream) -> None:
        """Start handing events to a stream."""
        if stream.account is None:
            self._everything.add(stream)
        else:
            self._by_account.setdefault(stream.account, set()).add(stream)

    def remove(self, stream: Stream) -> None:
        """Stop handing events to a stream (its client went away)."""
        if stream.account is None:
            self._everything.discard(stream)
            return
        streams = self._by_account.get(stream.account, set())
        streams.discard(stream)
        if not streams:
            self._by_account.pop(stream.account, None)

    def publish(self, event: dict[str, Any]) -> int:
        """Hand an event to the streams allowed to see it; how many got it."""
        if event.get("kind") not in KINDS or not event.get("account_id"):
            return 0
        targets = list(self._everything)
        if event["kind"] not in ADMIN_ONLY:
            targets += self._by_account.get(str(event["account_id"]), ())
        for stream in targets:
            stream.offer(event)
        return len(targets)

    def end_all(self) -> None:
        """End every stream (the clients reconnect, and poll until they have)."""
        for stream in [*self._everything, *(s for group in self._by_account.values() for s in group)]:
            stream.offer(None)


def parse(payload: str) -> dict[str, Any] | None:
    """A NOTIFY payload as an event, or None when it is not one."""
    try:
        event = json.loads(payload)
    except ValueError:
        return None
    return event if isinstance(event, dict) else None
