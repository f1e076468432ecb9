"""SQL for the accounts aggregate (the tenants themselves)."""
from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg2.extras import Json

ACCOUNT_COLUMNS = ("id, name, slug, phone, plan, status, settings, cancelled_at, created_at,"
                   " updated_at")
UPDATABLE = ("name", "phone", "plan", "status", "settings")


def insert_account(conn, name: str, slug: str, phone: str | None, plan: str,
                   settings: dict[str, Any]) -> dict:
    """Insert an account row and return it."""
    with conn.cursor() as cur:
        cur.execute(
            f"INSERT INTO accounts (name, slug, phone, plan, settings) VALUES (%s, %s, %s, %s, %s)"
            f" RETURNING {ACCOUNT_COLUMNS}",
            (name, slug, phone, plan, Json(settings)),
        )
        return cur.fetchone()


def get_account(conn, account_id: UUID) -> dict | None:
    """One account by id, or None."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = %s", (account_id,))
        return cur.fetchone()


def list_accounts(conn) -> list[dict]:
    """Every account, oldest first."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY created_at, id")
        return cur.fetchall()


def slug_taken(conn, slug: str) -> bool:
    """True when an account already uses this slug."""
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM accounts WHERE slug = %s", (slug,))
        return cur.fetchone() is not None


def update_account(conn, account_id: UUID, changes: dict[str, Any]) -> dict | None:
    """Apply the given column changes (names from UPDATABLE); return the row or None."""
    assignments = "".join(f"{name} = %s, " for name in changes if name in UPDATABLE)
    values = [Json(v) if k == "settings" else v for k, v in changes.items() if k in UPDATABLE]
    with conn.cursor() as cur:
        cur.execute(
            f"UPDATE accounts SET {assignments}updated_at = now() WHERE id = %s"
            f" RETURNING {ACCOUNT_COLUMNS}",
            (*values, account_id),
        )
        return cur.fetchone()


def cancelled_before(conn, days: int) -> list[UUID]:
    """The ids of accounts cancelled more than `days` days ago."""
    with conn.cursor() as cur:
        cur.execute("SELECT id FROM accounts WHERE status = 'cancelled'"
                    " AND cancelled_at < now() - make_interval(days => %s) ORDER BY cancelled_at",
                    (days,))
        return [row["id"] for row in cur.fetchall()]


def plan_of(conn, account_id: UUID) -> str | None:
    """The account's plan, or None when there is no such account."""
    with conn.cursor() as cur:
        cur.execute("SELECT plan FROM accounts WHERE id = %s", (account_id,))
        row = cur.fetchone()
        return row["plan"] if row else None


USAGE = {"contacts": "SELECT count(*) AS n FROM contacts WHERE account_id = %s",
         "messages_per_day": "SELECT (SELECT count(*) FROM messages WHERE account_id = a.id"
                             "   AND direction = 'out' AND created_at > now() - interval '24 hours')"
                             " + (SELECT count(*) FROM send_intake WHERE account_id = a.id) AS n"
                             " FROM (SELECT %s::uuid AS id) a"}  # with sends not yet filed


def usage(conn, account_id: UUID, what: str) -> int:
    """How much of a plan limit (PLAN_LIMIT_NAMES) the account uses now."""
    with conn.cursor() as cur:
        cur.execute(USAGE[what], (account_id,))
        return cur.fetchone()["n"]


def delete_account(conn, account_id: UUID) -> bool:
    """Delete an account and (by cascade) all its data; True when it existed."""
    with conn.cursor() as cur:
        cur.execute("DELETE FROM accounts WHERE id = %s", (account_id,))
        return cur.rowcount == 1
