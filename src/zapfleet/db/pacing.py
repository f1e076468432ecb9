"""SQL for the pacing state of each account's number."""
from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

PACING_COLUMNS = "account_id, next_send_at, day, sent_today, phone, phone_since, updated_at"


def lock(conn, account_id: UUID) -> dict | None:
    """The account's pacing row, locked; None when another sender holds it right now."""
    with conn.cursor() as cur:
        cur.execute("INSERT INTO send_pacing (account_id) VALUES (%s) ON CONFLICT DO NOTHING",
                    (account_id,))
        cur.execute(f"SELECT {PACING_COLUMNS} FROM send_pacing WHERE account_id = %s"
                    " FOR UPDATE SKIP LOCKED", (account_id,))
        return cur.fetchone()


def get(conn, account_id: UUID) -> dict | None:
    """The account's pacing row, or None before its first campaign."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {PACING_COLUMNS} FROM send_pacing WHERE account_id = %s",
                    (account_id,))
        return cur.fetchone()


def save(conn, account_id: UUID, next_send_at: datetime | None, day: date | None,
         sent_today: int) -> None:
    """Record when the next message may leave and today's count."""
    with conn.cursor() as cur:
        cur.execute("UPDATE send_pacing SET next_send_at = %s, day = %s, sent_today = %s,"
                    " updated_at = now() WHERE account_id = %s",
                    (next_send_at, day, sent_today, account_id))


def number_linked(conn, account_id: UUID, phone: str | None, now: datetime) -> None:
    """Remember since when the account's number is linked (the warm-up starts anew for a new one)."""
    if not phone:
        return
    with conn.cursor() as cur:
        # Read first, without a lock: a reconnect of the same number (the usual case) writes
        # nothing, so it never waits for a campaign pass that holds this row.
        cur.execute("SELECT phone FROM send_pacing WHERE account_id = %s", (account_id,))
        known = cur.fetchone()
        if known is not None and known["phone"] == phone:
            return
        cur.execute(
            "INSERT INTO send_pacing (account_id, phone, phone_since) VALUES (%s, %s, %s)"
            " ON CONFLICT (account_id) DO UPDATE SET phone = EXCLUDED.phone,"
            " phone_since = EXCLUDED.phone_since, updated_at = now()"
            " WHERE send_pacing.phone IS DISTINCT FROM EXCLUDED.phone", (account_id, phone, now))
