"""SQL for an account's webhook and its durable delivery log."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg2.extras import Json

from zapfleet.db.prepared import Prepared

HOOK_COLUMNS = "account_id, url, secret, events, enabled, created_at, updated_at"
DELIVERY_COLUMNS = ("id, account_id, event, payload, status, attempts, next_attempt_at,"
                    " last_status_code, last_error, created_at, delivered_at")


def upsert_webhook(conn, account_id: UUID, url: str, secret: str, events: list[str],
                   enabled: bool) -> dict:
    """Create or replace the account's webhook."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO webhooks (account_id, url, secret, events, enabled)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (account_id) DO UPDATE SET"
            " url = EXCLUDED.url, secret = EXCLUDED.secret, events = EXCLUDED.events,"
            f" enabled = EXCLUDED.enabled, updated_at = now() RETURNING {HOOK_COLUMNS}",
            (account_id, url, secret, events, enabled))
        return cur.fetchone()


def get_webhook(conn, account_id: UUID) -> dict | None:
    """The account's webhook, or None."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {HOOK_COLUMNS} FROM webhooks WHERE account_id = %s", (account_id,))
        return cur.fetchone()


def delete_webhook(conn, account_id: UUID) -> bool:
    """Remove the account's webhook; True when there was one."""
    with conn.cursor() as cur:
        cur.execute("DELETE FROM webhooks WHERE account_id = %s", (account_id,))
        return cur.rowcount > 0


_INSERT_DELIVERY = Prepared(
    "insert_delivery", ("uuid", "uuid", "text", "jsonb"),
    "INSERT INTO webhook_deliveries (id, account_id, event, payload)"
    " SELECT $1, account_id, $3, $4 FROM webhooks"
    " WHERE account_id = $2 AND enabled AND $3 = ANY(events) ON CONFLICT (id) DO NOTHING")


def insert_delivery(conn, delivery_id: UUID, account_id: UUID, event: str, payload: dict) -> bool:
    """Queue one delivery when the account's webhook is enabled for this event, in one round
    trip; False when it is not, or when this id was queued before (a replayed event)."""
    with conn.cursor() as cur:
        _INSERT_DELIVERY.execute(cur, (delivery_id, account_id, event, Json(payload)))
        return cur.rowcount > 0


def list_deliveries(conn, account_id: UUID, limit: int,
                    before: tuple[datetime, UUID] | None) -> list[dict]:
    """A page of the account's deliveries, newest first."""
    where = "account_id = %s"
    params: list[Any] = [account_id]
    if before:
        where += " AND (created_at, id) < (%s, %s)"
        params += list(before)
    with conn.cursor() as cur:
        cur.execute(f"SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE {where}"
                    " ORDER BY created_at DESC, id DESC LIMIT %s", (*params, limit))
        return cur.fetchall()


def lease_due(conn, now: datetime, lease_until: datetime, per_account: int,
              exclude_accounts: list[UUID]) -> list[dict]:
    """Lease up to per_account due deliveries of every account, with the webhook to send to."""
    with conn.cursor() as cur:
        cur.execute(
            "WITH due AS (SELECT id, row_number() OVER (PARTITION BY account_id"
            "   ORDER BY next_attempt_at, created_at) AS n FROM webhook_deliveries"
            "   WHERE status = 'pending' AND next_attempt_at <= %s"
            "   AND (lease_until IS NULL OR lease_until < %s)"
            "   AND NOT (account_id = ANY(%s::uuid[])))"
            " UPDATE webhook_deliveries d SET lease_until = %s, attempts = d.attempts + 1"
            " FROM due, webhooks w WHERE d.id = due.id AND due.n <= %s"
            " AND w.account_id = d.account_id AND d.status = 'pending'"
            " AND (d.lease_until IS NULL OR d.lease_until < %s)"
            " RETURNING d.id, d.account_id, d.event, d.payload, d.attempts, d.created_at,"
            " w.url, w.secret, w.enabled",
            (now, now, [str(a) for a in exclude_accounts], lease_until, per_account, now))
        return sorted(cur.fetchall(), key=lambda row: row["created_at"])


def finish_delivery(conn, delivery_id: UUID, status: str, status_code: int | None,
                    error: str | None, next_attempt_at: datetime | None) -> None:
    """Record one attempt: delivered, failed for good, or pending until next_attempt_at."""
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE webhook_deliveries SET status = %s, last_status_code = %s, last_error = %s,"
            " next_attempt_at = coalesce(%s, next_attempt_at), lease_until = NULL,"
            " delivered_at = CASE WHEN %s = 'delivered' THEN now() END WHERE id = %s",
            (status, status_code, error, next_attempt_at, status, delivery_id))


def connection_events(conn, account_id: UUID, limit: int) -> list[dict]:
    """The account's latest connection and QR events queued for its webhook (event, data, at),
    newest first: what happened to the WhatsApp connection, where a webhook asked for it."""
    with conn.cursor() as cur:
        cur.execute("SELECT event, payload->'data' AS data, created_at AS at FROM webhook_deliveries"
                    " WHERE account_id = %s AND event IN ('connection', 'qr')"
                    " ORDER BY created_at DESC, id DESC LIMIT %s", (account_id, limit))
        return cur.fetchall()
