"""Sends that do not wait: stored with one INSERT, filed as outbox messages by the dispatcher.

A caller sending in bulk ("wait": false) gets 202 once the send is durable in send_intake; the
dispatcher then makes its contact, conversation and queued message (with the same id) and deletes
it from the intake in one transaction, so it is filed exactly once, then handed over as usual.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from zapfleet.db import intake as sql
from zapfleet.db import outbox as outbox_sql

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


def take_in(conn, account_id: UUID, phone: str, text: str, key: str | None,
            deadline_at: datetime) -> tuple[dict, bool]:
    """Store a send for the dispatcher: (the queued message, True); or (the message first sent
    with this idempotency key, False)."""
    row = sql.take_in(conn, account_id, phone, text, key, deadline_at)
    if row is not None and row["taken"]:
        return waiting_message({"id": row["id"], "account_id": account_id, "body": text,
                                "idempotency_key": key, "created_at": row["created_at"],
                                "deadline_at": deadline_at}), True
    if key is None:
        raise LookupError("the intake took nothing although the send had no idempotency key")
    return stored_before(conn, account_id, key), False


def stored_before(conn, account_id: UUID, key: str) -> dict:
    """What was first stored with this key: a send still waiting, else the message it became
    (looked up in this order, as filing one deletes it and makes the other in one commit)."""
    waiting = sql.get_by_idempotency_key(conn, account_id, key)
    if waiting is not None:
        return waiting_message(waiting)
    message = outbox_sql.get_by_idempotency_key(conn, account_id, key)
    if message is None:
        raise LookupError("the idempotency key is neither waiting nor a message")
    return message


def file_batch(conn, queue: Callable[..., dict | None]) -> int:
    """File the oldest waiting sends as queued messages with their ids; how many were taken."""
    rows = sql.claim(conn, FILE_BATCH)
    for row in rows:
        queue(conn, row["account_id"], row["phone"], row["body"], row["idempotency_key"], "api",
              deadline_at=row["deadline_at"], message_id=row["id"])
    return len(rows)
