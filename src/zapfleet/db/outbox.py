"""SQL for the outbox: outbound messages queued, leased, sent, and their receipts."""
from __future__ import annotations

from datetime import datetime
from uuid import UUID

from psycopg2.extras import Json

from zapfleet.db.messages import MESSAGE_COLUMNS
from zapfleet.db.prepared import Prepared

OUTBOX_COLUMNS = MESSAGE_COLUMNS + ", attempts, lease_until, deadline_at, sent_at"
# Receipts only move a message forward: queued < sent < delivered < read; a failure can
# only end a message that was not yet delivered, and nothing follows a failure.
_APPLY_RECEIPT = Prepared(
    "apply_receipt", ("uuid", "uuid", "text", "text", "text"),
    "UPDATE messages SET status = $3, error = coalesce($5, error), lease_until = NULL,"
    " provider_message_id = coalesce(provider_message_id, $4),"
    " sent_at = CASE WHEN $3 = 'failed' THEN sent_at ELSE coalesce(sent_at, now()) END,"
    " updated_at = now() WHERE account_id = $1 AND id = $2 AND direction = 'out'"
    " AND CASE WHEN status = 'failed' THEN false WHEN $3 = 'failed' THEN status IN ('queued', 'sent')"
    " ELSE array_position(ARRAY['queued','sent','delivered','read'], status)"
    " < array_position(ARRAY['queued','sent','delivered','read'], $3) END"
    " RETURNING " + OUTBOX_COLUMNS)


def insert_queued(conn, account_id: UUID, conversation_id: UUID, body: str,
                  idempotency_key: str | None, deadline_at: datetime,
                  lease_until: datetime | None, origin: str = "api",
                  send_at: datetime | None = None, media: dict | None = None,
                  message_id: UUID | None = None) -> dict | None:
    """Queue an outbound message (leased to the caller when lease_until is given; with its id
    when given); None when the idempotency key was used. A send_at keeps it from the dispatcher
    until then."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO messages (id, account_id, conversation_id, direction, body, status,"
            " idempotency_key, deadline_at, lease_until, attempts, origin, send_at, type, media)"
            " VALUES (coalesce(%s, gen_random_uuid()), %s, %s, 'out', %s, 'queued', %s, %s, %s, %s,"
            " %s, %s, %s, %s)"
            f" ON CONFLICT (account_id, idempotency_key) DO NOTHING RETURNING {OUTBOX_COLUMNS}",
            (message_id, account_id, conversation_id, body, idempotency_key, deadline_at,
             lease_until, 0 if lease_until is None else 1, origin, send_at,
             media["kind"] if media else "text", Json(media) if media else None))
        row = cur.fetchone()
        if row:
            cur.execute("UPDATE conversations SET last_message_at = %s WHERE id = %s",
                        (row["created_at"], conversation_id))
        return row


_QUEUE_API_MESSAGE = Prepared(
    "queue_api_message",
    ("uuid", "text", "text", "text", "timestamptz", "timestamptz", "int", "timestamptz", "text",
     "jsonb", "uuid"),
    "WITH existing AS (SELECT " + OUTBOX_COLUMNS + " FROM messages"
    "   WHERE account_id = $1 AND idempotency_key = $4),"
    " stamp AS (SELECT clock_timestamp() AS at),"  # the message's time and the conversation's
    " contact AS (INSERT INTO contacts (account_id, phone, name)"
    "   SELECT $1, $2, '' WHERE NOT EXISTS (SELECT FROM existing) AND NOT EXISTS"
    "   (SELECT FROM send_intake WHERE account_id = $1 AND idempotency_key = $4)"
    "   ON CONFLICT (account_id, phone) DO UPDATE SET name = contacts.name RETURNING id),"
    " conversation AS (INSERT INTO conversations (account_id, contact_id, last_message_at)"
    "   SELECT $1, id, (SELECT at FROM stamp) FROM contact ON CONFLICT (account_id, contact_id)"
    "   DO UPDATE SET last_message_at = EXCLUDED.last_message_at RETURNING id),"
    " queued AS (INSERT INTO messages (account_id, conversation_id, direction, body,"
    "   status, idempotency_key, deadline_at, lease_until, attempts, origin, send_at, created_at,"
    "   type, media, reply_to)"
    "   SELECT $1, id, 'out', $3, 'queued', $4, $5, $6, $7, 'api', $8, (SELECT at FROM stamp),"
    "   $9, $10, $11"
    "   FROM conversation"
    "   ON CONFLICT (account_id, idempotency_key) DO NOTHING"
    "   RETURNING " + OUTBOX_COLUMNS + ")"
    " SELECT answer.*, (SELECT json_build_object('id', i.id, 'port', i.port, 'desired_state',"
    "   i.desired_state, 'node_address', n.address) FROM instances i"
    "   LEFT JOIN nodes n ON n.id = i.node_id WHERE i.account_id = $1) AS instance"
    " FROM (SELECT true AS created, * FROM queued UNION ALL SELECT false, * FROM existing) answer")


def queue_api_message(conn, account_id: UUID, phone: str, body: str, idempotency_key: str | None,
                      deadline_at: datetime, lease_until: datetime | None,
                      send_at: datetime | None, media: dict | None = None,
                      reply_to: UUID | None = None) -> tuple[dict, bool, dict | None] | None:
    """Queue a message from the send API for a phone, in one round trip: the contact and its
    conversation are made when new, the conversation's last_message_at moves. Returns
    (message, created, the account's instance: id, port, desired_state and its node's address,
    or None); an idempotency key used before returns the message it queued then, found first
    without an INSERT (one racing the receipt UPDATE of that row can deadlock). None when the
    key waits in the send intake, or another request queued it at the same moment."""
    with conn.cursor() as cur:
        _QUEUE_API_MESSAGE.execute(cur, (account_id, phone, body, idempotency_key, deadline_at,
                                         lease_until, 0 if lease_until is None else 1, send_at,
                                         media["kind"] if media else "text",
                                         Json(media) if media else None, reply_to))
        row = cur.fetchone()
    if row is None:
        return None
    instance = row.pop("instance")
    return row, row.pop("created"), instance


def get_by_idempotency_key(conn, account_id: UUID, key: str) -> dict | None:
    """The account's message sent with this idempotency key, or None."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {OUTBOX_COLUMNS} FROM messages"
                    " WHERE account_id = %s AND idempotency_key = %s", (account_id, key))
        return cur.fetchone()


def mark_sent(conn, account_id: UUID, message_id: UUID, provider_message_id: str,
              now: datetime) -> dict | None:
    """Record that the worker took the message; receipts already applied are kept."""
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE messages SET provider_message_id = coalesce(provider_message_id, %s),"
            " status = CASE WHEN status = 'queued' THEN 'sent' ELSE status END,"
            " sent_at = coalesce(sent_at, %s), lease_until = NULL, updated_at = %s"
            f" WHERE account_id = %s AND id = %s RETURNING {OUTBOX_COLUMNS}",
            (provider_message_id, now, now, account_id, message_id))
        return cur.fetchone()


def release(conn, account_id: UUID, message_id: UUID, retry_at: datetime | None,
            error: str | None) -> None:
    """Give a queued message back to the dispatcher, to be tried again from retry_at."""
    with conn.cursor() as cur:
        cur.execute("UPDATE messages SET lease_until = %s, error = %s, updated_at = now()"
                    " WHERE account_id = %s AND id = %s AND status = 'queued'",
                    (retry_at, error, account_id, message_id))


def apply_receipt(conn, account_id: UUID, message_id: UUID, status: str,
                  provider_message_id: str | None, error: str | None) -> dict | None:
    """Move an outbound message forward to status; None when it is not newer or not found."""
    with conn.cursor() as cur:
        _APPLY_RECEIPT.execute(cur, (account_id, message_id, status, provider_message_id, error))
        return cur.fetchone()


def apply_provider_receipt(conn, account_id: UUID, provider_message_id: str, status: str,
                           error: str | None) -> dict | None:
    """apply_receipt for a message known by the provider's id only (a receipt that arrived
    after the worker restarted, or from a provider that names no message of ours)."""
    with conn.cursor() as cur:
        cur.execute("SELECT id FROM messages WHERE account_id = %s AND direction = 'out'"
                    " AND provider_message_id = %s", (account_id, provider_message_id))
        row = cur.fetchone()
    if row is None:
        return None
    return apply_receipt(conn, account_id, row["id"], status, provider_message_id, error)


def expire_overdue(conn, now: datetime) -> list[dict]:
    """Fail every queued message whose deadline passed (and is not leased); return them."""
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE messages SET status = 'failed', updated_at = %s,"
            " error = coalesce(error || '; ', '') || 'not delivered before its deadline'"
            " WHERE status = 'queued' AND direction = 'out' AND deadline_at < %s"
            " AND (lease_until IS NULL OR lease_until < %s)"
            f" RETURNING {OUTBOX_COLUMNS}", (now, now, now))
        return cur.fetchall()


def lease_due(conn, now: datetime, lease_until: datetime, per_account: int,
              exclude_accounts: list[UUID]) -> list[dict]:
    """Lease up to per_account due queued messages of every active account, oldest first, with
    phones and what the worker needs besides the text (a suspended account's wait for its
    reactivation)."""
    with conn.cursor() as cur:
        cur.execute(
            "WITH due AS (SELECT id, row_number() OVER (PARTITION BY account_id"
            "   ORDER BY created_at, id) AS n FROM messages"
            "   WHERE status = 'queued' AND direction = 'out'"
            "   AND (lease_until IS NULL OR lease_until < %s) AND (send_at IS NULL OR send_at <= %s)"
            "   AND NOT (account_id = ANY(%s::uuid[]))"
            "   AND account_id IN (SELECT id FROM accounts WHERE status = 'active'))"
            " UPDATE messages m SET lease_until = %s, attempts = m.attempts + 1"
            " FROM due, conversations c, contacts k"
            " WHERE m.id = due.id AND due.n <= %s AND c.id = m.conversation_id"
            " AND k.id = c.contact_id AND m.status = 'queued'"
            " AND (m.lease_until IS NULL OR m.lease_until < %s)"
            " RETURNING m.id, m.account_id, m.body, m.created_at, m.attempts, m.origin, m.media,"
            " m.reply_to, k.phone",
            (now, now, [str(a) for a in exclude_accounts], lease_until, per_account, now))
        return sorted(cur.fetchall(), key=lambda row: (row["created_at"], row["id"]))

