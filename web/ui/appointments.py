"""Appointments: the coming ones day by day (in the account's time zone), booking with a free-slot
picker, cancelling (with or without a WhatsApp notice), re-sending notices."""
from __future__ import annotations

from datetime import datetime
from itertools import groupby
from typing import Any
from uuid import UUID

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from web.managers import managers
from web.ui.auth import error_text, form_failed
from web.ui.contacts import field_errors
from web.ui.formats import date_text
from web.ui.local_time import account_zone
from web.ui.session import account_page
from zapfleet.appointments.book import STATUSES
from zapfleet.core.errors import InvalidInput, ZapfleetError

bp = Blueprint("ui_appointments", __name__)
BASE = "/a/<uuid:account_id>/appointments"
ONE = BASE + "/<uuid:appointment_id>"
PAGE_SIZE = 100
STATUS_LABELS = {"scheduled": _l("Scheduled"), "cancelled": _l("Cancelled"),
                 "completed": _l("Done"), "no_show": _l("No-show")}
WEEKDAYS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"),
            _l("Saturday"), _l("Sunday"))
NOTICES = {"confirmation": _l("The confirmation was sent again."),
           "reminder": _l("The reminder was sent."),
           "cancellation": _l("The cancellation notice was sent again.")}


def _today() -> str:
    return datetime.now(account_zone()).date().isoformat()


def filters() -> dict:
    """?status= (default scheduled; "all" for every one) and ?from= (a date, default today)."""
    status = request.args.get("status", "scheduled")
    return {"status": status if status in STATUSES or status == "all" else "scheduled",
            "from": request.args.get("from") or _today()}


def days(rows: list[dict]) -> list[dict]:
    """The appointments grouped by their local day."""
    zone, grouped = account_zone(), []
    for day, items in groupby(rows, key=lambda row: row["starts_at"].astimezone(zone).date()):
        grouped.append({"date": date_text(day), "weekday": str(WEEKDAYS[day.weekday()]),
                        "items": list(items)})
    return grouped


def page_context(account_id: UUID, form_errors: dict | None = None) -> dict:
    """The list as filtered, the booking form's choices, and the typed values on an error."""
    chosen = filters()
    args = {"from": chosen["from"], "limit": PAGE_SIZE, "cursor": request.args.get("cursor"),
            "status": None if chosen["status"] == "all" else chosen["status"]}
    try:
        page = managers().appointments.list_appointments(account_id, args)
    except InvalidInput:  # a hand-typed ?from= that is not a date
        page = managers().appointments.list_appointments(account_id, {**args, "from": _today(), "cursor": None})
    return {"days": days(page["items"]), "next_cursor": page["next_cursor"], "filters": chosen,
            "statuses": STATUS_LABELS, "services": managers().catalog.list_services(account_id),
            "contacts": managers().contacts.list_contacts(account_id, limit=200)["items"],
            "today": _today(), "field_errors": form_errors or {}}


def posted_appointment() -> dict:
    """The booking form as the AppointmentBook takes it (the time in the account's zone)."""
    form = request.form
    data = {"service_id": form.get("service_id") or None, "notes": form.get("notes", ""),
            "notify": bool(form.get("notify"))}
    if form.get("contact_id"):
        data["contact_id"] = form["contact_id"]
    else:
        data.update(phone=form.get("phone", ""), name=form.get("name", ""))
    if not form.get("date") or not form.get("time"):
        raise InvalidInput("time" if form.get("date") else "date", "choose a date and a time")
    data["starts_at"] = f"{form['date']}T{form['time']}"
    return data


def booking_errors(exc: ZapfleetError) -> dict:
    """The error at its field of the form (the start time is typed as a date and a time)."""
    errors = field_errors(exc)
    if "starts_at" in errors:
        errors["time"] = errors.pop("starts_at")
    if "contact_id" in errors and not request.form.get("contact_id"):
        errors["phone"] = errors.pop("contact_id")
    return errors


@bp.get(BASE)
@account_page
def appointments(account_id):
    """The coming appointments, day by day, and the booking form."""
    return render_template("ui/appointments.html", form={}, **page_context(account_id))


@bp.post(BASE)
@account_page
def create(account_id):
    """Book an appointment; the confirmation goes out on WhatsApp unless unticked."""
    try:
        appointment = managers().appointments.create_appointment(account_id, posted_appointment())
    except ZapfleetError as exc:
        return form_failed("ui/appointments.html", exc,
                           **page_context(account_id, booking_errors(exc)))
    local = appointment["local"]
    flash(_("Booked: %(service)s on %(date)s at %(time)s.", service=appointment["service_name"],
            date=local["date"], time=local["time"]), "success")
    return redirect(url_for("ui_appointments.appointments", account_id=account_id,
                            **{"from": appointment["starts_at"].astimezone(account_zone()).date().isoformat()}))


@bp.get(BASE + "/slots.json")
@account_page
def slots(account_id):
    """The free times of a service on a day (?service_id=&date=), for the booking form."""
    found = managers().appointments.open_slots(account_id, request.args.get("service_id"), request.args.get("date"))
    return {"slots": [{"time": s["time"], "starts_at": s["starts_at"]} for s in found["slots"]]}


@bp.post(ONE + "/cancel")
@account_page
def cancel(account_id, appointment_id: UUID):
    """Cancel; the customer is told on WhatsApp when the box is ticked."""
    try:
        notify = {"notify": bool(request.form.get("notify"))}
        managers().appointments.cancel_appointment(account_id, appointment_id, notify)
    except ZapfleetError as exc:
        if exc.code == "not_found":
            raise
        flash(error_text(exc), "error")
    else:
        flash(_("The appointment was cancelled."), "success")
    return _back(account_id)


@bp.post(ONE + "/<any(confirmation, reminder, cancellation):kind>")
@account_page
def resend(account_id, appointment_id: UUID, kind: str):
    """Send a notice again on WhatsApp."""
    try:
        managers().appointments.resend_notice(account_id, appointment_id, kind)
    except ZapfleetError as exc:
        if exc.code == "not_found":
            raise
        flash(error_text(exc), "error")
    else:
        flash(str(NOTICES[kind]), "success")
    return _back(account_id)


@bp.post(ONE + "/<any(completed, no_show):status>")
@account_page
def mark(account_id, appointment_id: UUID, status: str):
    """Mark an appointment done or a no-show."""
    try:
        managers().appointments.update_appointment(account_id, appointment_id, {"status": status})
    except ZapfleetError as exc:
        if exc.code == "not_found":
            raise
        flash(error_text(exc), "error")
    return _back(account_id)


def _back(account_id: UUID):
    """Back to the list as it was filtered (the form sends its filters along)."""
    target: dict[str, Any] = {k: v for k, v in request.form.items() if k in ("status", "from") and v}
    return redirect(url_for("ui_appointments.appointments", account_id=account_id, **target))

