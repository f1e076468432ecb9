"""SQL for failed sign-in attempts."""
from __future__ import annotations

from datetime import datetime


def count_attempt(conn, email: str, address: str, at: datetime, since: datetime,
                  per_email: int, per_address: int) -> int | None:
    """Count a sign-in attempt as a failure before its password is checked, unless the e-mail or
    the address is at its limit since a moment; the new row's id, or None when limited. Attempts
    on the same e-mail or address queue on advisory locks, so parallel ones cannot all slip
    under the limit."""
    with conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(hashtext('login:' || k)) FROM"
                    " (SELECT unnest(ARRAY[lower(%s), %s]) AS k ORDER BY 1) AS keys", (email, address))
        cur.execute(
            "INSERT INTO login_failures (email, address, failed_at)"
            " SELECT %(email)s, %(address)s, %(at)s FROM login_failures"
            " WHERE failed_at >= %(since)s AND (lower(email) = lower(%(email)s) OR address = %(address)s)"
            " HAVING count(*) FILTER (WHERE lower(email) = lower(%(email)s)) < %(per_email)s"
            " AND count(*) FILTER (WHERE address = %(address)s) < %(per_address)s RETURNING id",
            {"email": email, "address": address, "at": at, "since": since,
             "per_email": per_email, "per_address": per_address})
        row = cur.fetchone()
        return row["id"] if row else None


def forget_failures(conn, email: str, before: datetime) -> None:
    """Drop an e-mail's failures (after a good sign-in) and everyone's older than a moment."""
    with conn.cursor() as cur:
        cur.execute("DELETE FROM login_failures WHERE lower(email) = lower(%s) OR failed_at < %s",
                    (email, before))
