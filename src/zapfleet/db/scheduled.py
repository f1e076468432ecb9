"""SQL for scheduled messages: queued outbound messages that wait for their send_at."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from zapfleet.db.outbox import OUTBOX_COLUMNS

_COLUMNS = ", ".join(f"m.{c.strip()}" for c in OUTBOX_COLUMNS.split(",")) + ", k.phone, k.name"


def list_scheduled(conn, account_id: UUID, limit: int,
                   after: tuple[datetime, UUID] | None) -> list[dict]:
    """A page of the account's messages still waiting for their send_at, soonest first."""
    where = "m.account_id = %s AND m.status = 'queued' AND m.send_at IS NOT NULL"
    params: list[Any] = [account_id]
    if after:
        where += " AND (m.send_at, m.id) > (%s, %s)"
        params += list(after)
    with conn.cursor() as cur:
        cur.execute(f"SELECT {_COLUMNS} FROM messages m"
                    " JOIN conversations c ON c.id = m.conversation_id"
                    f" JOIN contacts k ON k.id = c.contact_id WHERE {where}"
                    " ORDER BY m.send_at, m.id LIMIT %s", (*params, limit))
        return cur.fetchall()


def get_message(conn, account_id: UUID, message_id: UUID) -> dict | None:
    """One of the account's messages with its outbox columns, or None."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {OUTBOX_COLUMNS} FROM messages WHERE account_id = %s AND id = %s",
                    (account_id, message_id))
        return cur.fetchone()


def cancel_queued(conn, account_id: UUID, message_ids: list[UUID], now: datetime,
                  reason: str) -> list[dict]:
    """Cancel those of the messages still queued and not held by a sender; return them."""
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE messages SET status = 'cancelled', error = %s, updated_at = %s"
            " WHERE account_id = %s AND id = ANY(%s::uuid[]) AND status = 'queued'"
            " AND (lease_until IS NULL OR lease_until < %s)"
            f" RETURNING {OUTBOX_COLUMNS}",
            (reason, now, account_id, [str(i) for i in message_ids], now))
        return cur.fetchall()
