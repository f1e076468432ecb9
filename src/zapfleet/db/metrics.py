"""SQL for the metrics: messages per day, WhatsApp bookings per month, reply rate per week.

Every query takes account=None for the whole platform, or one account's id; days, months and
weeks are counted in the time zone tz."""
from __future__ import annotations

from datetime import datetime
from uuid import UUID

_ACCOUNT = "(%(account)s::uuid IS NULL OR account_id = %(account)s::uuid)"
SENT = ("'sent', 'delivered', 'read'")
EXCHANGED_SINCE = ("((m.direction = 'in' AND m.created_at >= {since}) OR (m.direction = 'out'"
                   f" AND m.status IN ({SENT}) AND m.sent_at >= {{since}}))")
"""Whether message m was exchanged from {since} on (an SQL condition): received, or taken by
WhatsApp, since then. The dashboard's messages today count by it, as the charts do."""


def messages_per_day(conn, account: UUID | None, tz: str, since: datetime) -> list[dict]:
    """[{day, sent, received}]: messages WhatsApp took from us, and received, per local day."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT day, sum(sent)::int AS sent, sum(received)::int AS received FROM ("
            " SELECT (sent_at AT TIME ZONE %(tz)s)::date AS day, 1 AS sent, 0 AS received"
            f" FROM messages WHERE {_ACCOUNT} AND direction = 'out' AND sent_at >= %(since)s"
            f" AND status IN ({SENT})"
            " UNION ALL SELECT (created_at AT TIME ZONE %(tz)s)::date, 0, 1"
            f" FROM messages WHERE {_ACCOUNT} AND direction = 'in' AND created_at >= %(since)s"
            ") m GROUP BY day", {"account": account, "tz": tz, "since": since})
        return cur.fetchall()


def bookings_per_month(conn, account: UUID | None, tz: str, since: datetime) -> list[dict]:
    """[{month, whatsapp, total}]: appointments booked per local month (by when they were made)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT date_trunc('month', created_at AT TIME ZONE %(tz)s)::date AS month,"
            " count(*) FILTER (WHERE source = 'whatsapp')::int AS whatsapp, count(*)::int AS total"
            f" FROM appointments WHERE {_ACCOUNT} AND created_at >= %(since)s GROUP BY 1",
            {"account": account, "tz": tz, "since": since})
        return cur.fetchall()


def replies_per_week(conn, account: UUID | None, tz: str, since: datetime) -> list[dict]:
    """[{week, messaged, replied}]: contacts we wrote to in a local week (from Monday), and how
    many of them wrote back within 7 days of our first message that week."""
    with conn.cursor() as cur:
        cur.execute(
            "WITH firsts AS (SELECT conversation_id,"
            " date_trunc('week', created_at AT TIME ZONE %(tz)s)::date AS week,"
            " min(created_at) AS first_out FROM messages"
            f" WHERE {_ACCOUNT} AND direction = 'out' AND created_at >= %(since)s"
            " AND status <> 'cancelled' GROUP BY 1, 2)"
            " SELECT week, count(*)::int AS messaged, count(*) FILTER (WHERE EXISTS ("
            "  SELECT 1 FROM messages i WHERE i.conversation_id = f.conversation_id"
            "  AND i.direction = 'in' AND i.created_at > f.first_out"
            "  AND i.created_at <= f.first_out + interval '7 days'))::int AS replied"
            " FROM firsts f GROUP BY week", {"account": account, "tz": tz, "since": since})
        return cur.fetchall()


def account_totals(conn, tz: str, since: datetime) -> list[dict]:
    """Per account since a moment: messages sent and received, appointments booked by WhatsApp."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT a.id AS account_id, a.name,"
            " (SELECT count(*) FROM messages m WHERE m.account_id = a.id AND m.direction = 'out'"
            f"  AND m.sent_at >= %(since)s AND m.status IN ({SENT}))::int AS sent,"
            " (SELECT count(*) FROM messages m WHERE m.account_id = a.id AND m.direction = 'in'"
            "  AND m.created_at >= %(since)s)::int AS received,"
            " (SELECT count(*) FROM appointments p WHERE p.account_id = a.id"
            "  AND p.source = 'whatsapp' AND p.created_at >= %(since)s)::int AS booked_whatsapp"
            " FROM accounts a ORDER BY a.created_at, a.id", {"tz": tz, "since": since})
        return cur.fetchall()
