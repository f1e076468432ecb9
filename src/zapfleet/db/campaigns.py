"""SQL for campaigns."""
from __future__ import annotations

from typing import Any
from uuid import UUID

CAMPAIGN_COLUMNS = ("id, account_id, name, message, variants, qr_code_url, link, target_tags, status,"
                    " send_at, started_at, finished_at, created_at, updated_at, attachment_id,"
                    " qr_code_media_id")
UPDATABLE = ("name", "message", "variants", "qr_code_url", "link", "target_tags", "attachment_id",
             "qr_code_media_id")


def insert_campaign(conn, account_id: UUID, fields: dict[str, Any]) -> dict:
    """Insert a campaign from column values (names from UPDATABLE) and return it."""
    names = [name for name in UPDATABLE if name in fields]
    with conn.cursor() as cur:
        cur.execute(
            f"INSERT INTO campaigns (account_id, {', '.join(names)})"
            f" VALUES (%s{', %s' * len(names)}) RETURNING {CAMPAIGN_COLUMNS}",
            (account_id, *[fields[n] for n in names]),
        )
        return cur.fetchone()


def get_campaign(conn, account_id: UUID, campaign_id: UUID) -> dict | None:
    """One of an account's campaigns, or None."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE account_id = %s AND id = %s",
                    (account_id, campaign_id))
        return cur.fetchone()


def list_campaigns(conn, account_id: UUID) -> list[dict]:
    """An account's campaigns, newest first."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE account_id = %s"
                    " ORDER BY created_at DESC, id", (account_id,))
        return cur.fetchall()


def update_campaign(conn, account_id: UUID, campaign_id: UUID, changes: dict[str, Any]) -> dict | None:
    """Apply column changes to one campaign; return it or None."""
    names = [name for name in UPDATABLE if name in changes]
    assignments = "".join(f"{name} = %s, " for name in names)
    with conn.cursor() as cur:
        cur.execute(
            f"UPDATE campaigns SET {assignments}updated_at = now()"
            f" WHERE account_id = %s AND id = %s RETURNING {CAMPAIGN_COLUMNS}",
            (*[changes[n] for n in names], account_id, campaign_id),
        )
        return cur.fetchone()


def delete_campaign(conn, account_id: UUID, campaign_id: UUID) -> bool:
    """Delete one campaign; True when it existed."""
    with conn.cursor() as cur:
        cur.execute("DELETE FROM campaigns WHERE account_id = %s AND id = %s",
                    (account_id, campaign_id))
        return cur.rowcount == 1


def set_status(conn, account_id: UUID, campaign_id: UUID, from_statuses: tuple[str, ...],
               status: str, **moments: Any) -> dict | None:
    """Move a campaign from one of from_statuses to status (and set send_at, started_at or
    finished_at); None when it is in none of them (or not found)."""
    names = [name for name in ("send_at", "started_at", "finished_at") if name in moments]
    assignments = "".join(f"{name} = %s, " for name in names)
    with conn.cursor() as cur:
        cur.execute(
            f"UPDATE campaigns SET status = %s, {assignments}updated_at = now()"
            " WHERE account_id = %s AND id = %s AND status = ANY(%s)"
            f" RETURNING {CAMPAIGN_COLUMNS}",
            (status, *[moments[n] for n in names], account_id, campaign_id, list(from_statuses)))
        return cur.fetchone()


def due_scheduled(conn, now) -> list[dict]:
    """Lock the scheduled campaigns (of every active account) whose start time has come."""
    with conn.cursor() as cur:
        cur.execute("SELECT id, account_id FROM campaigns WHERE status = 'scheduled'"
                    " AND send_at <= %s AND account_id IN (SELECT id FROM accounts"
                    " WHERE status = 'active') ORDER BY send_at FOR UPDATE SKIP LOCKED", (now,))
        return cur.fetchall()


def sending_accounts(conn, now) -> list[UUID]:
    """Active accounts with a running campaign, a connected number and no pacing hold past now."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT DISTINCT c.account_id FROM campaigns c"
            " JOIN instances i ON i.account_id = c.account_id"
            " LEFT JOIN send_pacing p ON p.account_id = c.account_id"
            " JOIN accounts a ON a.id = c.account_id AND a.status = 'active'"
            " WHERE c.status = 'running' AND i.status = 'connected' AND i.desired_state = 'running'"
            " AND (p.next_send_at IS NULL OR p.next_send_at <= %s)", (now,))
        return [row["account_id"] for row in cur.fetchall()]


def finish_done(conn, account_id: UUID, now) -> list[UUID]:
    """Mark the account's running campaigns without pending recipients completed; their ids."""
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE campaigns c SET status = 'completed', finished_at = %s, updated_at = %s"
            " WHERE c.account_id = %s AND c.status = 'running' AND NOT EXISTS ("
            "  SELECT 1 FROM campaign_recipients r WHERE r.campaign_id = c.id"
            "  AND r.state = 'pending') RETURNING c.id", (now, now, account_id))
        return [row["id"] for row in cur.fetchall()]
