"""SQL for failed sign-in attempts."""
from __future__ import annotations

from datetime import datetime


def record_failure(conn, email: str, address: str, at: datetime) -> None:
    """Remember one failed sign-in."""
    with conn.cursor() as cur:
        cur.execute("INSERT INTO login_failures (email, address, failed_at) VALUES (%s, %s, %s)",
                    (email, address, at))


def count_failures(conn, email: str, address: str, since: datetime) -> tuple[int, int]:
    """Failures since a moment: (for this e-mail, from this address)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FILTER (WHERE lower(email) = lower(%s)) AS by_email,"
            " count(*) FILTER (WHERE address = %s) AS by_address"
            " FROM login_failures WHERE failed_at >= %s"
            " AND (lower(email) = lower(%s) OR address = %s)",
            (email, address, since, email, address))
        row = cur.fetchone()
        return row["by_email"], row["by_address"]


def forget_failures(conn, email: str, before: datetime) -> None:
    """Drop an e-mail's failures (after a good sign-in) and everyone's older than a moment."""
    with conn.cursor() as cur:
        cur.execute("DELETE FROM login_failures WHERE lower(email) = lower(%s) OR failed_at < %s",
                    (email, before))
