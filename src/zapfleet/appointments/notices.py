"""Appointment notices (confirmation, reminder, cancellation) from the account's templates, and
the dispatcher's reminder pass."""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from zapfleet.core.clock import utcnow
from zapfleet.core.errors import found
from zapfleet.db import Database
from zapfleet.db import appointments as sql
from zapfleet.db import settings as settings_sql
from zapfleet.messaging.outbox import queue
from zapfleet.tenancy.account_settings import effective, zone_of
from zapfleet.tenancy.templates import first_name, render

log = logging.getLogger("zapfleet.appointments.notices")
KINDS = ("confirmation", "reminder", "cancellation")
WEEKDAY_NAMES = ("segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira",
                 "sábado", "domingo")
REMINDERS_PER_PASS = 200


def local_values(moment: datetime, settings: Mapping[str, Any]) -> dict[str, str]:
    """{date, time, weekday} of a moment in the account's time zone, written the Brazilian way."""
    local = moment.astimezone(zone_of(settings))
    return {"date": local.strftime("%d/%m/%Y"), "time": local.strftime("%H:%M"),
            "weekday": WEEKDAY_NAMES[local.weekday()]}


def notice_text(kind: str, appointment: Mapping[str, Any], settings: Mapping[str, Any],
                business: str) -> str:
    """The text of one notice about an appointment ("" when its template is empty)."""
    values = {"name": first_name(appointment["contact_name"]), "service": appointment["service_name"],
              "business": business, **local_values(appointment["starts_at"], settings)}
    return render(settings["templates"][kind], values)


def send_notice(conn, appointment: Mapping[str, Any], kind: str, key: str, *, now: datetime,
                deadline: timedelta) -> dict | None:
    """Queue a notice to the appointment's contact; None when the template is empty or the key
    was used. A confirmation or reminder that cannot leave before the start is not sent."""
    account_id = appointment["account_id"]
    account = found(settings_sql.get_settings(conn, account_id), "account")
    text = notice_text(kind, appointment, effective(account["settings"]), account["name"])
    deadline_at = now + deadline
    if kind != "cancellation":
        deadline_at = min(deadline_at, appointment["starts_at"])
    if not text or deadline_at <= now:
        return None
    return queue(conn, account_id, appointment["phone"], text, key, "notice", deadline_at=deadline_at)


def automatic_key(appointment: Mapping[str, Any], kind: str) -> str:
    """The idempotency key of a notice the service sends by itself (once per start time)."""
    return f"appointment:{appointment['id']}:{kind}:{appointment['starts_at'].isoformat()}"


class ReminderRunner:
    """Sends each appointment's reminder once, when it is due."""

    def __init__(self, db: Database, deadline_seconds: int = 86400,
                 clock: Callable[[], datetime] = utcnow):
        self.db, self.clock = db, clock
        self.deadline = timedelta(seconds=deadline_seconds)

    def run_due(self) -> int:
        """Queue the due reminders (of every account); return how many were queued."""
        now, sent = self.clock(), 0
        with self.db.system() as conn:
            for due in sql.due_reminders(conn, now, REMINDERS_PER_PASS):
                sent += self._remind(conn, due["account_id"], due["id"], now)
        return sent

    def _remind(self, conn, account_id: UUID, appointment_id: UUID, now: datetime) -> int:
        appointment = found(sql.get(conn, account_id, appointment_id), "appointment")
        message = send_notice(conn, appointment, "reminder", automatic_key(appointment, "reminder"),
                              now=now, deadline=self.deadline)
        sql.update(conn, account_id, appointment_id, {"reminder_sent_at": now})
        log.info("appointment %s: reminder %s", appointment_id, "queued" if message else "skipped")
        return 1 if message else 0
