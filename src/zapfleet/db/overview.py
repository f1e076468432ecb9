"""SQL for the owner's dashboard: every account beside its instance, in two cheap queries."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from zapfleet.db.metrics import EXCHANGED_SINCE

ACCOUNT_ROWS = (
    "SELECT a.id, a.name, a.slug, a.phone AS account_phone, a.status AS account_status,"
    " a.settings->>'time_zone' AS time_zone,"
    " i.id AS instance_id, i.instance_name, i.port, i.engine, i.status, i.desired_state,"
    " i.qr_code, i.phone, i.last_connected, i.last_error"
    " FROM accounts a LEFT JOIN instances i ON i.account_id = a.id"
    " ORDER BY a.created_at, a.id")


def account_rows(conn) -> list[dict]:
    """Every account with its instance's columns (None where it has no instance), oldest first."""
    with conn.cursor() as cur:
        cur.execute(ACCOUNT_ROWS)
        return cur.fetchall()


def messages_since(conn, account_ids: Sequence[UUID], since: Sequence[datetime]) -> dict[UUID, int]:
    """How many messages each account exchanged since its own moment in `since`: received, or
    sent (taken by WhatsApp), as the metrics count them."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT s.account_id, (SELECT count(*) FROM messages m WHERE m.account_id = s.account_id"
            f"  AND {EXCHANGED_SINCE.format(since='s.since')}) AS n"
            " FROM unnest(%s::uuid[], %s::timestamptz[]) AS s(account_id, since)",
            (list(account_ids), list(since)))
        return {row["account_id"]: row["n"] for row in cur.fetchall()}
