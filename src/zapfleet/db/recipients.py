"""SQL for campaign recipients: the audience fixed at start, taken one by one, and progress."""
from __future__ import annotations

from typing import Any
from uuid import UUID

from zapfleet.core.vocabulary import RECIPIENT_STATUSES

# A recipient's status as people read it: its own state until its message exists, then the
# message's status (queued, sent, delivered, read, failed).
RECIPIENT_STATUS = "CASE WHEN r.state = 'handed' THEN coalesce(m.status, 'sent') ELSE r.state END"
RECIPIENT_COLUMNS = ("r.id, r.campaign_id, r.contact_id, r.phone, r.name, r.position, r.message_id,"
                     f" r.error, r.created_at, r.updated_at, {RECIPIENT_STATUS} AS status,"
                     " m.sent_at, m.updated_at AS status_at")
STATUSES = RECIPIENT_STATUSES
def snapshot(conn, account_id: UUID, campaign_id: UUID, tags: list[str]) -> int:
    """Fix a campaign's recipients: the contacts not opted out with any of the tags (every one
    when there is no tag, as contacts.count_reachable counts them), once each."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO campaign_recipients (account_id, campaign_id, contact_id, phone, name,"
            " position) SELECT account_id, %s, id, phone, name,"
            " row_number() OVER (ORDER BY created_at, id) FROM contacts"
            " WHERE account_id = %s AND NOT opted_out"
            " AND (cardinality(%s::text[]) = 0 OR tags && %s::text[])"
            " ON CONFLICT (campaign_id, phone) DO NOTHING", (campaign_id, account_id, tags, tags))
        return cur.rowcount


def take_next(conn, account_id: UUID) -> dict | None:
    """Lock the account's next pending recipient of its oldest running campaign, with the
    campaign's texts and the contact's opt-out; None when there is none free."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT r.id, r.campaign_id, r.contact_id, r.phone, r.name, k.opted_out,"
            " c.message, c.variants, c.link, c.qr_code_url,"
            " coalesce(c.attachment_id, c.qr_code_media_id) AS media_id"
            " FROM campaign_recipients r JOIN campaigns c ON c.id = r.campaign_id"
            " LEFT JOIN contacts k ON k.id = r.contact_id"
            " WHERE r.account_id = %s AND r.state = 'pending' AND c.status = 'running'"
            " ORDER BY c.started_at, c.id, r.position LIMIT 1 FOR UPDATE OF r SKIP LOCKED",
            (account_id,))
        return cur.fetchone()


def mark(conn, recipient_id: UUID, state: str, message_id: UUID | None = None,
         error: str | None = None) -> None:
    """Record what became of a recipient: handed (with its message), skipped or cancelled."""
    with conn.cursor() as cur:
        cur.execute("UPDATE campaign_recipients SET state = %s, message_id = %s, error = %s,"
                    " updated_at = now() WHERE id = %s", (state, message_id, error, recipient_id))


def cancel_pending(conn, account_id: UUID, campaign_id: UUID) -> list[UUID]:
    """Cancel a campaign's pending recipients; return the ids of its messages still queued."""
    with conn.cursor() as cur:
        cur.execute("UPDATE campaign_recipients SET state = 'cancelled', updated_at = now()"
                    " WHERE account_id = %s AND campaign_id = %s AND state = 'pending'",
                    (account_id, campaign_id))
        cur.execute("SELECT r.message_id FROM campaign_recipients r JOIN messages m"
                    " ON m.id = r.message_id WHERE r.account_id = %s AND r.campaign_id = %s"
                    " AND m.status = 'queued'", (account_id, campaign_id))
        return [row["message_id"] for row in cur.fetchall()]


def progress(conn, account_id: UUID, campaign_ids: list[UUID]) -> dict[UUID, dict]:
    """Recipients per status (and in total) of each campaign."""
    counts = ", ".join(f"count(*) FILTER (WHERE {RECIPIENT_STATUS} = '{s}') AS {s}" for s in STATUSES)
    with conn.cursor() as cur:
        cur.execute(f"SELECT r.campaign_id, count(*) AS total, {counts}"
                    " FROM campaign_recipients r LEFT JOIN messages m ON m.id = r.message_id"
                    " WHERE r.account_id = %s AND r.campaign_id = ANY(%s::uuid[])"
                    " GROUP BY r.campaign_id", (account_id, [str(c) for c in campaign_ids]))
        return {row.pop("campaign_id"): row for row in cur.fetchall()}


def list_recipients(conn, account_id: UUID, campaign_id: UUID, status: str | None, limit: int,
                    after: int | None) -> list[dict]:
    """A page of a campaign's recipients in send order, optionally of one status."""
    where = ["r.account_id = %s", "r.campaign_id = %s"]
    params: list[Any] = [account_id, campaign_id]
    if status:
        where.append(f"{RECIPIENT_STATUS} = %s")
        params.append(status)
    if after is not None:
        where.append("r.position > %s")
        params.append(after)
    with conn.cursor() as cur:
        cur.execute(f"SELECT {RECIPIENT_COLUMNS} FROM campaign_recipients r"
                    " LEFT JOIN messages m ON m.id = r.message_id"
                    f" WHERE {' AND '.join(where)} ORDER BY r.position LIMIT %s", (*params, limit))
        return cur.fetchall()

