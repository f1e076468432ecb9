"""SQL for an account's stored settings (the accounts.settings object)."""
from __future__ import annotations

from uuid import UUID

from psycopg2.extras import Json

from zapfleet.core.errors import found


def get_settings(conn, account_id: UUID, for_update: bool = False) -> dict | None:
    """The account's name and stored settings object, or None when there is no such account."""
    lock = " FOR UPDATE" if for_update else ""
    with conn.cursor() as cur:
        cur.execute(f"SELECT name, settings FROM accounts WHERE id = %s{lock}", (account_id,))
        return cur.fetchone()


def settings_of(conn, account_id: UUID) -> dict:
    """The account's stored settings object; NotFound when there is no such account."""
    return found(get_settings(conn, account_id), "account")["settings"]


def save_settings(conn, account_id: UUID, settings: dict) -> None:
    """Replace the account's stored settings object."""
    with conn.cursor() as cur:
        cur.execute("UPDATE accounts SET settings = %s, updated_at = now() WHERE id = %s",
                    (Json(settings), account_id))
