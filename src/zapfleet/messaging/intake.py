"""Sends that do not wait: stored in batches (one INSERT each), filed as outbox messages by the
dispatcher.

A caller sending in bulk ("wait": false) gets 202 once the send is durable in send_intake; the
dispatcher then makes its contact, conversation and queued message (with the same id) and deletes
it from the intake in one transaction, so it is filed exactly once, then handed over as usual.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4

from zapfleet.core.errors import PlanLimit
from zapfleet.db import intake as sql
from zapfleet.db import outbox as outbox_sql
from zapfleet.tenancy.plans import PlanLimits

FILE_BATCH = 200
"""Sends filed per transaction."""


def waiting_message(row: dict) -> dict:
    """A send still in the intake, shaped as the queued outbox message it becomes (it has no
    conversation nor place in the account's order yet)."""
    return {"id": row["id"], "account_id": row["account_id"], "conversation_id": None,
            "direction": "out", "body": row["body"], "status": "queued",
            "provider_message_id": None, "idempotency_key": row["idempotency_key"], "error": None,
            "origin": "api", "send_at": None, "created_at": row["created_at"],
            "updated_at": row["created_at"], "reactions": {}, "previous_bodies": [],
            "edited_at": None, "deleted_at": None, "reply_to": None, "type": "text", "media": None,
            "attachment": None, "seq": None, "attempts": 0, "lease_until": None,
            "deadline_at": row["deadline_at"], "sent_at": None}


@dataclass
class Send:
    """One send waiting in a web process for its batch; `answer` or `error` once written."""

    account_id: UUID
    phone: str
    body: str
    idempotency_key: str | None
    deadline_at: datetime
    id: UUID = field(default_factory=uuid4)
    answer: tuple[dict, bool] | None = None
    error: BaseException | None = None


class SendIntake:
    """Stores sends that do not wait, in batches (group commit): concurrent sends of a web
    process share one transaction per account, so bulk callers pay one commit per batch. The
    first caller to find no batch being written writes all that wait, its own included; each
    caller is answered once its send is durable."""

    def __init__(self, db, plans: Callable[[], PlanLimits]):
        self.db, self.plans = db, plans
        lock = threading.Lock()
        self.written = threading.Condition(lock)
        """Notified when a batch was written: its callers return, one of the rest writes next."""
        self.arrived = threading.Condition(lock)
        """Notified when a send begins to wait (for whoever watches the queue; no caller waits)."""
        self.waiting: list[Send] = []
        self.writing = False

    def take_in(self, send: Send) -> tuple[dict, bool]:
        """Store a send for the dispatcher: (the queued message, True); or (the message first
        sent with this idempotency key, False)."""
        batch = self._wait_for_turn(send)
        if batch:
            self._write_in_turn(batch)
        if send.error is not None:
            raise send.error
        assert send.answer is not None
        return send.answer

    def _wait_for_turn(self, send: Send) -> list[Send]:
        """[] once another caller wrote the send; else every waiting send, for this one to write."""
        with self.written:
            self.waiting.append(send)
            self.arrived.notify_all()
            while send.answer is None and send.error is None:
                if not self.writing:
                    self.writing, batch, self.waiting = True, self.waiting, []
                    return batch
                self.written.wait()
            return []

    def _write_in_turn(self, batch: list[Send]) -> None:
        """Write the batch, one transaction per account; then let the next writer in."""
        try:
            for account_id in dict.fromkeys(send.account_id for send in batch):
                self._write([send for send in batch if send.account_id == account_id])
        finally:
            with self.written:
                self.writing = False
                self.written.notify_all()

    def _write(self, sends: list[Send]) -> None:
        """One account's sends, in one transaction; one at a time when that one is refused (a
        plan limit refuses only the sends past it)."""
        try:
            self._store(sends)
        except BaseException as exc:  # each caller gets its own answer or the error
            if len(sends) > 1 and isinstance(exc, PlanLimit):
                for send in sends:
                    self._write([send])
                return
            for send in sends:
                send.error = exc

    def _store(self, sends: list[Send]) -> None:
        account_id = sends[0].account_id
        with self.db.tenant(account_id) as conn:
            self.plans().check(conn, account_id, "messages_per_day", adding=len(sends))
            stored = sql.take_in(conn, account_id, [vars(send) for send in sends])
            for send in sends:
                send.answer = _answer(conn, send, stored.get(send.id))


def _answer(conn, send: Send, created_at: datetime | None) -> tuple[dict, bool]:
    """(the queued message, True) for a send stored now; else (the first with its key, False)."""
    if created_at is not None:
        return waiting_message({**vars(send), "created_at": created_at}), True
    return stored_before(conn, send.account_id, send.idempotency_key), False


def stored_before(conn, account_id: UUID, key: str | None) -> dict:
    """What was first stored with this key (see first_with_key); LookupError when nothing was."""
    first = first_with_key(conn, account_id, key) if key is not None else None
    if first is None:
        raise LookupError("the idempotency key is neither waiting nor a message")
    return first


def first_with_key(conn, account_id: UUID, key: str) -> dict | None:
    """What was first stored with this key: a send still waiting, else the message it became, else
    None (looked up in this order, as filing one deletes it and makes the other in one commit)."""
    waiting = sql.get_by_idempotency_key(conn, account_id, key)
    if waiting is not None:
        return waiting_message(waiting)
    return outbox_sql.get_by_idempotency_key(conn, account_id, key)


def file_batch(conn, queue: Callable[..., dict | None]) -> int:
    """File the oldest waiting sends as queued messages with their ids; how many were taken."""
    rows = sql.claim(conn, FILE_BATCH)
    for row in rows:
        queue(conn, row["account_id"], row["phone"], row["body"], row["idempotency_key"], "api",
              deadline_at=row["deadline_at"], message_id=row["id"])
    return len(rows)
