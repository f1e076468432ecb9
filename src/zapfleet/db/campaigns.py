"""SQL for campaigns."""
from __future__ import annotations

from typing import Any
from uuid import UUID

CAMPAIGN_COLUMNS = ("id, account_id, name, message, qr_code_url, link, target_tags, status,"
                    " created_at, updated_at")
UPDATABLE = ("name", "message", "qr_code_url", "link", "target_tags")


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
