"""Appointments: booking without overlaps, notices on create, change and cancel, re-sending on
demand, and the free slots of a service."""
from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from zapfleet.appointments.notices import KINDS, automatic_key, local_values, send_notice
from zapfleet.appointments.shapes import AppointmentCancel, AppointmentIn, AppointmentPatch, AppointmentQuery, SlotQuery
from zapfleet.appointments.slots import free_slots, span
from zapfleet.core import validation
from zapfleet.core.clock import utcnow
from zapfleet.core.errors import Conflict, InvalidInput, NotFound, found
from zapfleet.core.pagination import decode_cursor, next_cursor, page_limit
from zapfleet.core.shapes import parse
from zapfleet.core.vocabulary import APPOINTMENT_SOURCES, APPOINTMENT_STATUSES
from zapfleet.db import Database
from zapfleet.db import appointments as sql
from zapfleet.db import catalog as catalog_sql
from zapfleet.db import contacts as contacts_sql
from zapfleet.db import settings as settings_sql
from zapfleet.tenancy.account_settings import effective, zone_of

STATUSES = APPOINTMENT_STATUSES
SOURCES = APPOINTMENT_SOURCES


def remind_at(starts_at: datetime, hours: int, booked_at: datetime) -> datetime | None:
    """When to send the reminder: hours before the start, unless booked after that moment."""
    moment = starts_at - timedelta(hours=hours)
    return moment if hours and moment > booked_at else None


def book(conn, account_id: UUID, contact_id: UUID, service: Mapping[str, Any], starts_at: datetime,
         *, settings: Mapping[str, Any], now: datetime, source: str = "api", notes: str = "",
         allow_overlap: bool = False) -> dict:
    """Insert an appointment under the account's booking lock; Conflict when it overlaps one."""
    ends_at = starts_at + timedelta(minutes=service["duration_minutes"])
    sql.lock_book(conn, account_id)
    if not allow_overlap and sql.busy(conn, account_id, starts_at, ends_at):
        raise Conflict("the time overlaps another appointment")
    appointment_id = sql.insert(conn, account_id, contact_id, {
        "service_id": service.get("id"), "service_name": service["name"], "starts_at": starts_at,
        "ends_at": ends_at, "source": source, "notes": notes, "created_at": now,
        "remind_at": remind_at(starts_at, settings["reminder_hours"], now)})
    return found(sql.get(conn, account_id, appointment_id), "appointment")


def cancel(conn, appointment: Mapping[str, Any], now: datetime) -> dict:
    """Mark an appointment cancelled; return it."""
    sql.update(conn, appointment["account_id"], appointment["id"],
               {"status": "cancelled", "cancelled_at": now})
    return found(sql.get(conn, appointment["account_id"], appointment["id"]), "appointment")


def with_local(appointment: dict, settings: Mapping[str, Any]) -> dict:
    """The appointment with its start as the account's local date, time and weekday."""
    return {**appointment, "local": local_values(appointment["starts_at"], settings)}


class AppointmentBook:
    """Each account's appointments; every method touches one account only."""

    def __init__(self, db: Database, region: str = "BR", deadline_seconds: int = 86400,
                 clock: Callable[[], datetime] = utcnow):
        self.db, self.region, self.clock = db, region, clock
        self.deadline = timedelta(seconds=deadline_seconds)

    def list_appointments(self, account_id: UUID, args: Mapping[str, Any]) -> dict:
        """A page of appointments by start (?from=&to=&status=&contact_id=&limit=&cursor=)."""
        parse(AppointmentQuery, dict(args))
        size = page_limit(args.get("limit"))
        filters = {"status": validation.choice(args, "status", STATUSES),
                   "contact_id": _optional_uuid(args.get("contact_id"), "contact_id")}
        with self.db.tenant(account_id) as conn:
            settings = self._settings(conn, account_id)
            start, end = (_optional_moment(args.get(f), f, zone_of(settings)) for f in ("from", "to"))
            rows = sql.list_between(conn, account_id, start, end, filters, size,
                                    decode_cursor(args.get("cursor")))
        page = next_cursor(rows, size, moment_key="starts_at")
        return {"items": [with_local(row, settings) for row in rows], "next_cursor": page}

    def get_appointment(self, account_id: UUID, appointment_id: UUID) -> dict:
        """One appointment."""
        with self.db.tenant(account_id) as conn:
            return with_local(self._get(conn, account_id, appointment_id),
                              self._settings(conn, account_id))

    def create_appointment(self, account_id: UUID, data: Mapping[str, Any]) -> dict:
        """Book {contact_id or phone (+ name), service_id or service + duration_minutes,
        starts_at, notes?, notify?, allow_overlap?}; a confirmation goes out unless notify is false."""
        parse(AppointmentIn, data)
        now = self.clock()
        with self.db.tenant(account_id) as conn:
            settings = self._settings(conn, account_id)
            contact = self._contact(conn, account_id, data)
            service = self._service(conn, account_id, data)
            starts_at = validation.moment(data.get("starts_at"), "starts_at", zone_of(settings))
            appointment = book(conn, account_id, contact["id"], service, starts_at, settings=settings,
                               now=now, notes=_notes(data),
                               allow_overlap=bool(validation.boolean(data, "allow_overlap", False)))
            if validation.boolean(data, "notify", True):
                self._notify(conn, appointment, "confirmation", automatic_key(appointment, "confirmation"), now)
            return with_local(appointment, settings)

    def update_appointment(self, account_id: UUID, appointment_id: UUID,
                           data: Mapping[str, Any]) -> dict:
        """Change notes, status (completed, no_show) or the start time (a new confirmation and
        reminder follow); status cancelled cancels it, with its notice."""
        parse(AppointmentPatch, data)
        if data.get("status") == "cancelled":
            return self.cancel_appointment(account_id, appointment_id, data)
        now = self.clock()
        with self.db.tenant(account_id) as conn:
            settings = self._settings(conn, account_id)
            appointment = self._get(conn, account_id, appointment_id, for_update=True)
            changes = self._changes(conn, appointment, data, settings, now)
            sql.update(conn, account_id, appointment_id, changes)
            updated = found(sql.get(conn, account_id, appointment_id), "appointment")
            if "starts_at" in changes and validation.boolean(data, "notify", True):
                self._notify(conn, updated, "confirmation", automatic_key(updated, "confirmation"), now)
            return with_local(updated, settings)

    def cancel_appointment(self, account_id: UUID, appointment_id: UUID,
                           data: Mapping[str, Any] | None = None) -> dict:
        """Cancel an appointment; the cancellation notice goes out unless notify is false."""
        now, data = self.clock(), data or {}
        parse(AppointmentCancel, data)
        with self.db.tenant(account_id) as conn:
            appointment = self._get(conn, account_id, appointment_id, for_update=True)
            if appointment["status"] != "scheduled":
                raise Conflict("the appointment is %(status)s, not scheduled", status=appointment["status"])
            cancelled = cancel(conn, appointment, now)
            if validation.boolean(data, "notify", True):
                self._notify(conn, cancelled, "cancellation", automatic_key(cancelled, "cancellation"), now)
            return with_local(cancelled, self._settings(conn, account_id))

    def delete_appointment(self, account_id: UUID, appointment_id: UUID) -> None:
        """Delete an appointment without telling the contact."""
        with self.db.tenant(account_id) as conn:
            if not sql.delete(conn, account_id, appointment_id):
                raise NotFound("no such appointment")

    def resend_notice(self, account_id: UUID, appointment_id: UUID, kind: str) -> dict:
        """Send a notice again, on demand (the notice routes); the queued message."""
        if kind not in KINDS:
            raise NotFound("no such notice")
        now = self.clock()
        with self.db.tenant(account_id) as conn:
            appointment = self._get(conn, account_id, appointment_id)
            wanted = "cancelled" if kind == "cancellation" else "scheduled"
            if appointment["status"] != wanted:
                raise Conflict("the appointment is %(status)s: no %(kind)s to send",
                               status=appointment["status"], kind=kind)
            message = self._notify(conn, appointment, kind,
                                   f"appointment:{appointment_id}:{kind}:{uuid.uuid4()}", now)
        if message is None:
            raise Conflict("no %(kind)s sent: its template is empty or the appointment has begun", kind=kind)
        return message

    def account_of(self, appointment_id: UUID) -> UUID:
        """The account an appointment belongs to; NotFound when there is no such appointment."""
        with self.db.system() as conn:
            account_id = sql.account_of(conn, appointment_id)
        if account_id is None:
            raise NotFound("no such appointment")
        return account_id

    def open_slots(self, account_id: UUID, service_id: Any, day: Any = None) -> dict:
        """The free slots of a service: on one local day (YYYY-MM-DD) or the next booking days."""
        parse(SlotQuery, {"service_id": service_id, "date": day})
        now = self.clock()
        with self.db.tenant(account_id) as conn:
            settings = self._settings(conn, account_id)
            service = self._service(conn, account_id, {"service_id": service_id})
            on_day = _optional_day(day)
            busy = sql.busy(conn, account_id, *span(settings, now, on_day))
        duration = timedelta(minutes=service["duration_minutes"])
        slots = free_slots(settings, duration, now, busy, day=on_day, limit=50, per_day=50)
        return {"service": service, "slots": [{"starts_at": s, "ends_at": s + duration,
                                               **local_values(s, settings)} for s in slots]}

    def _notify(self, conn, appointment: dict, kind: str, key: str, now: datetime) -> dict | None:
        if appointment["starts_at"] <= now and kind != "cancellation":
            return None
        return send_notice(conn, appointment, kind, key, now=now, deadline=self.deadline)

    def _changes(self, conn, appointment: dict, data: Mapping[str, Any],
                 settings: Mapping[str, Any], now: datetime) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        if "notes" in data:
            changes["notes"] = _notes(data)
        if "status" in data:
            if appointment["status"] == "cancelled":
                raise Conflict("a cancelled appointment stays cancelled; book a new one")
            changes["status"] = validation.choice(data, "status", ("scheduled", "completed", "no_show"))
        if "starts_at" in data or "service_id" in data:
            changes.update(self._moved(conn, appointment, data, settings, now))
        return changes

    def _moved(self, conn, appointment: dict, data: Mapping[str, Any],
               settings: Mapping[str, Any], now: datetime) -> dict[str, Any]:
        if appointment["status"] != "scheduled":
            raise Conflict("the appointment is %(status)s; it cannot move", status=appointment["status"])
        starts_at = validation.moment(data.get("starts_at", appointment["starts_at"].isoformat()),
                                      "starts_at", zone_of(settings))
        service = self._service(conn, appointment["account_id"], data) if "service_id" in data \
            else {"id": appointment["service_id"], "name": appointment["service_name"],
                  "duration_minutes": (appointment["ends_at"] - appointment["starts_at"]) // timedelta(minutes=1)}
        ends_at = starts_at + timedelta(minutes=service["duration_minutes"])
        sql.lock_book(conn, appointment["account_id"])
        if not validation.boolean(data, "allow_overlap", False) and sql.busy(conn, appointment["account_id"], starts_at,
                                                      ends_at, except_id=appointment["id"]):
            raise Conflict("the time overlaps another appointment")
        return {"starts_at": starts_at, "ends_at": ends_at, "service_id": service["id"],
                "service_name": service["name"], "reminder_sent_at": None,
                "remind_at": remind_at(starts_at, settings["reminder_hours"], now)}

    def _contact(self, conn, account_id: UUID, data: Mapping[str, Any]) -> dict:
        if data.get("contact_id") is not None:
            contact = contacts_sql.get_contact(conn, account_id, _uuid(data["contact_id"], "contact_id"))
            if contact is None:
                raise InvalidInput("contact_id", "is not a contact of this account")
            return contact
        if data.get("phone") in (None, ""):
            raise InvalidInput("contact_id", "give contact_id or phone")
        phone = validation.phone(data["phone"], self.region)
        return contacts_sql.ensure_contact(conn, account_id, phone,
                                           validation.text(data, "name", max_len=200) or "")

    @staticmethod
    def _service(conn, account_id: UUID, data: Mapping[str, Any]) -> dict:
        if data.get("service_id") is not None:
            service = catalog_sql.get_service(conn, account_id, _uuid(data["service_id"], "service_id"))
            if service is None:
                raise InvalidInput("service_id", "is not a service of this account")
            return service
        name = validation.text(data, "service", max_len=100)
        if not name:
            raise InvalidInput("service_id", "give service_id, or service and duration_minutes")
        minutes = data.get("duration_minutes")
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 5 <= minutes <= 720:
            raise InvalidInput("duration_minutes", "must be a whole number from 5 to 720")
        return {"id": None, "name": name, "duration_minutes": minutes}

    @staticmethod
    def _get(conn, account_id: UUID, appointment_id: UUID, for_update: bool = False) -> dict:
        appointment = sql.get(conn, account_id, appointment_id, for_update)
        if appointment is None:
            raise NotFound("no such appointment")
        return appointment

    @staticmethod
    def _settings(conn, account_id: UUID) -> dict:
        return effective(settings_sql.settings_of(conn, account_id))


def _notes(data: Mapping[str, Any]) -> str:
    return validation.text(data, "notes", max_len=2000) or ""


def _optional_uuid(value: Any, field: str) -> UUID | None:
    return None if value in (None, "") else _uuid(value, field)


def _uuid(value: Any, field: str) -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        raise InvalidInput(field, "must be a UUID") from None


def _optional_moment(value: Any, field: str, zone) -> datetime | None:
    return None if value in (None, "") else validation.moment(value, field, zone)


def _optional_day(value: Any) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput("date", "must be a date as YYYY-MM-DD") from None
