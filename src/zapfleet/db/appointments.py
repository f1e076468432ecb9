"""SQL for appointments: booking, the free-time lookups, and due reminders."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

APPOINTMENT_COLUMNS = (
    "a.id, a.account_id, a.contact_id, k.phone, k.name AS contact_name, a.service_id,"
    " a.service_name, a.starts_at, a.ends_at, a.status, a.source, a.notes, a.remind_at,"
    " a.reminder_sent_at, a.cancelled_at, a.created_at, a.updated_at")
_FROM = "FROM appointments a JOIN contacts k ON k.id = a.contact_id"
UPDATABLE = ("service_id", "service_name", "starts_at", "ends_at", "status", "notes", "remind_at",
             "reminder_sent_at", "cancelled_at")
BOOK_LOCK_CLASS = 0x7A6603  # advisory-lock class ("zf" 3): one booking at a time per account
# When the reminder is due: `hours` before the start, unless it was booked later than that.
REMIND_AT = ("CASE WHEN %(hours)s > 0 AND {starts} - make_interval(hours => %(hours)s) > {created}"
             " THEN {starts} - make_interval(hours => %(hours)s) END")


def lock_book(conn, account_id: UUID) -> None:
    """Hold the account's booking lock until the transaction ends (no two bookings overlap)."""
    with conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s::text))",
                    (BOOK_LOCK_CLASS, str(account_id)))


def insert(conn, account_id: UUID, contact_id: UUID, fields: dict[str, Any]) -> UUID:
    """Insert an appointment from its columns (UPDATABLE's, source, created_at); return its id."""
    names = [name for name in (*UPDATABLE, "source", "created_at") if name in fields]
    with conn.cursor() as cur:
        cur.execute(f"INSERT INTO appointments (account_id, contact_id, {', '.join(names)})"
                    f" VALUES (%s, %s{', %s' * len(names)}) RETURNING id",
                    (account_id, contact_id, *[fields[n] for n in names]))
        return cur.fetchone()["id"]


def get(conn, account_id: UUID, appointment_id: UUID, for_update: bool = False) -> dict | None:
    """One of the account's appointments with its contact's phone and name, or None."""
    lock = " FOR UPDATE OF a" if for_update else ""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {APPOINTMENT_COLUMNS} {_FROM} WHERE a.account_id = %s AND a.id = %s{lock}",
                    (account_id, appointment_id))
        return cur.fetchone()


def account_of(conn, appointment_id: UUID) -> UUID | None:
    """The account an appointment belongs to (platform-level lookup), or None."""
    with conn.cursor() as cur:
        cur.execute("SELECT account_id FROM appointments WHERE id = %s", (appointment_id,))
        row = cur.fetchone()
        return row["account_id"] if row else None


def list_between(conn, account_id: UUID, start: datetime | None, end: datetime | None,
                 filters: dict[str, Any], limit: int, after: tuple[datetime, UUID] | None) -> list[dict]:
    """A page of appointments by start time, between start and end, filtered by status/contact."""
    where = ["a.account_id = %s"]
    params: list[Any] = [account_id]
    for clause, value in (("a.starts_at >= %s", start), ("a.starts_at < %s", end),
                          ("a.status = %s", filters.get("status")),
                          ("a.contact_id = %s", filters.get("contact_id")),
                          ("(a.starts_at, a.id) > (%s, %s)", after)):
        if value is not None:
            where.append(clause)
            params += list(value) if isinstance(value, tuple) else [value]
    with conn.cursor() as cur:
        cur.execute(f"SELECT {APPOINTMENT_COLUMNS} {_FROM} WHERE {' AND '.join(where)}"
                    " ORDER BY a.starts_at, a.id LIMIT %s", (*params, limit))
        return cur.fetchall()


def update(conn, account_id: UUID, appointment_id: UUID, changes: dict[str, Any]) -> bool:
    """Apply column changes to one appointment; True when it exists."""
    names = [name for name in UPDATABLE if name in changes]
    assignments = "".join(f"{name} = %s, " for name in names)
    with conn.cursor() as cur:
        cur.execute(f"UPDATE appointments SET {assignments}updated_at = now()"
                    " WHERE account_id = %s AND id = %s",
                    (*[changes[n] for n in names], account_id, appointment_id))
        return cur.rowcount == 1


def delete(conn, account_id: UUID, appointment_id: UUID) -> bool:
    """Delete one appointment; True when it existed."""
    with conn.cursor() as cur:
        cur.execute("DELETE FROM appointments WHERE account_id = %s AND id = %s",
                    (account_id, appointment_id))
        return cur.rowcount == 1


def busy(conn, account_id: UUID, start: datetime, end: datetime,
         except_id: UUID | None = None) -> list[dict]:
    """The scheduled appointments that overlap [start, end), by start time."""
    with conn.cursor() as cur:
        cur.execute("SELECT id, starts_at, ends_at FROM appointments WHERE account_id = %s"
                    " AND status = 'scheduled' AND starts_at < %s AND ends_at > %s"
                    " AND id IS DISTINCT FROM %s ORDER BY starts_at",
                    (account_id, end, start, except_id))
        return cur.fetchall()


def next_for_contact(conn, account_id: UUID, contact_id: UUID, now: datetime) -> dict | None:
    """The contact's next scheduled appointment, locked, or None."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {APPOINTMENT_COLUMNS} {_FROM} WHERE a.account_id = %s"
                    " AND a.contact_id = %s AND a.status = 'scheduled' AND a.starts_at > %s"
                    " ORDER BY a.starts_at LIMIT 1 FOR UPDATE OF a", (account_id, contact_id, now))
        return cur.fetchone()


def due_reminders(conn, now: datetime, limit: int) -> list[dict]:
    """Lock the appointments (of active accounts) whose reminder is due and not yet sent."""
    with conn.cursor() as cur:
        cur.execute("SELECT id, account_id FROM appointments WHERE status = 'scheduled'"
                    " AND reminder_sent_at IS NULL AND remind_at <= %s AND starts_at > %s"
                    " AND account_id IN (SELECT id FROM accounts WHERE status = 'active')"
                    " ORDER BY remind_at LIMIT %s FOR UPDATE SKIP LOCKED", (now, now, limit))
        return cur.fetchall()


def reschedule_reminders(conn, account_id: UUID, hours: int, now: datetime) -> None:
    """Recompute the reminder time of the account's future appointments not yet reminded."""
    with conn.cursor() as cur:
        cur.execute(f"UPDATE appointments SET remind_at = {REMIND_AT.format(starts='starts_at', created='created_at')}"
                    " WHERE account_id = %(account)s AND status = 'scheduled'"
                    " AND reminder_sent_at IS NULL AND starts_at > %(now)s",
                    {"hours": hours, "account": account_id, "now": now})
