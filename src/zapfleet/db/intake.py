"""SQL for the send intake: sends stored without waiting, until the dispatcher files them."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from uuid import UUID

from zapfleet.db.prepared import Prepared

INTAKE_COLUMNS = "id, account_id, phone, body, idempotency_key, deadline_at, created_at"
# One round trip for a batch of one account's sends, in their order: each is stored unless its
# key named a message before, or a send stored here (earlier, or earlier in this batch).
_TAKE_IN = Prepared(
    "take_in_sends", ("uuid", "uuid[]", "text[]", "text[]", "text[]", "timestamptz[]"),
    "INSERT INTO send_intake (id, account_id, phone, body, idempotency_key, deadline_at)"
    " SELECT s.id, $1, s.phone, s.body, s.key, s.deadline_at"
    " FROM unnest($2, $3, $4, $5, $6) WITH ORDINALITY AS s(id, phone, body, key, deadline_at, n)"
    " WHERE s.key IS NULL OR NOT EXISTS"
    "   (SELECT FROM messages m WHERE m.account_id = $1 AND m.idempotency_key = s.key)"
    " ORDER BY s.n ON CONFLICT (account_id, idempotency_key) DO NOTHING RETURNING id, created_at")


def take_in(conn, account_id: UUID, sends: Sequence[Mapping]) -> dict[UUID, datetime]:
    """Store one account's sends (id, phone, body, idempotency_key, deadline_at) in their order;
    {id: created_at} of those stored (the others' keys were used before)."""
    columns = [[send[name] for send in sends]
               for name in ("id", "phone", "body", "idempotency_key", "deadline_at")]
    with conn.cursor() as cur:
        _TAKE_IN.execute(cur, (account_id, *columns))
        return {row["id"]: row["created_at"] for row in cur.fetchall()}


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
