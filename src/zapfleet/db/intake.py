"""SQL for the send intake: sends stored without waiting, until the dispatcher files them."""
from __future__ import annotations

from datetime import datetime
from uuid import UUID

from zapfleet.db.prepared import Prepared

INTAKE_COLUMNS = "id, account_id, phone, body, idempotency_key, deadline_at, created_at"
# One round trip: stored unless the key already named a message.
_TAKE_IN = Prepared(
    "take_in_send", ("uuid", "text", "text", "text", "timestamptz"),
    "WITH existing AS (SELECT id FROM messages WHERE account_id = $1 AND idempotency_key = $4),"
    " taken AS (INSERT INTO send_intake (id, account_id, phone, body, idempotency_key, deadline_at)"
    "   SELECT gen_random_uuid(), $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT FROM existing)"
    "   ON CONFLICT (account_id, idempotency_key) DO NOTHING RETURNING id, created_at)"
    " SELECT id, created_at, true AS taken FROM taken UNION ALL SELECT id, NULL, false FROM existing")


def take_in(conn, account_id: UUID, phone: str, body: str, idempotency_key: str | None,
            deadline_at: datetime) -> dict | None:
    """Store a send: {id, created_at, taken: true}; {id, taken: false} when its key named a
    message before; None when the key waits here already."""
    with conn.cursor() as cur:
        _TAKE_IN.execute(cur, (account_id, phone, body, idempotency_key, deadline_at))
        return cur.fetchone()


def get_by_idempotency_key(conn, account_id: UUID, key: str) -> dict | None:
    """The account's send waiting here with this idempotency key, or None."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {INTAKE_COLUMNS} FROM send_intake"
                    " WHERE account_id = %s AND idempotency_key = %s", (account_id, key))
        return cur.fetchone()


def claim(conn, limit: int) -> list[dict]:
    """Delete and return the oldest waiting sends (skipping those another dispatcher holds)."""
    with conn.cursor() as cur:
        cur.execute(f"DELETE FROM send_intake WHERE id IN (SELECT id FROM send_intake"
                    " ORDER BY created_at LIMIT %s FOR UPDATE SKIP LOCKED)"
                    f" RETURNING {INTAKE_COLUMNS}", (limit,))
        return sorted(cur.fetchall(), key=lambda row: row["created_at"])
