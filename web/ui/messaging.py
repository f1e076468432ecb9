"""Messaging settings: time zone and business hours, auto-reply, the booking bot, reminders and
opt-out words, campaign pacing, the message texts. Each section's form changes only its own keys
(the settings manager merges them, as PATCH /settings does)."""
from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from web.managers import managers
from web.ui.auth import form_failed
from web.ui.contacts import field_errors, tag_list
from web.ui.formats import placeholder
from web.ui.session import account_page
from web.ui.time_zones import zone_groups
from zapfleet.core.errors import InvalidInput, ZapfleetError
from zapfleet.tenancy.account_settings import PACING, WEEKDAYS

bp = Blueprint("ui_messaging", __name__)
BASE = "/a/<uuid:account_id>/messaging"
DAYS = dict(zip(WEEKDAYS, (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"),
                           _l("Friday"), _l("Saturday"), _l("Sunday"))))
TEMPLATES = {
    "confirmation": _l("Appointment confirmed"), "reminder": _l("Appointment reminder"),
    "cancellation": _l("Appointment cancelled"), "opt_out": _l("Answer to an opt-out word"),
    "booking_services": _l("Bot: the list of services"), "booking_slots": _l("Bot: the free times"),
    "booking_no_slots": _l("Bot: no free time"), "booking_slot_taken": _l("Bot: the time was taken"),
    "booking_help": _l("Bot: help"), "booking_nothing_to_cancel": _l("Bot: nothing to cancel"),
    "booking_aborted": _l("Bot: booking given up"),
    "booking_no_services": _l("Bot: no services to book"),
}
SECTIONS = {  # section: (scalar settings, integer settings, groups of the section)
    "hours": (("time_zone",), (), ("business_hours",)),
    "auto-reply": (("auto_reply",), ("away_interval_hours",), ()),
    "bot": (("booking_bot",), ("booking_days", "slot_step_minutes", "booking_lead_minutes",
                               "bot_pause_minutes"), ()),
    "notices": (("opt_out_keywords",), ("reminder_hours",), ()),
    "pacing": ((), (), ("pacing",)),
    "whatsapp": (("send_read_receipts", "typing_indicator", "keep_deleted_messages", "reject_calls"),
                 (), ()),
    "templates": ((), (), ("templates",)),
}
FLAGS = ("auto_reply", "booking_bot", "send_read_receipts", "typing_indicator",
         "keep_deleted_messages", "reject_calls")
PACING_NUMBERS = ("min_gap_seconds", "max_gap_seconds", "daily_cap", "warmup_days")


def form_values(settings: dict) -> dict:
    """Every field of the page's forms, as text, from the effective settings."""
    values = {key: settings[key] for key in ("time_zone", *FLAGS)}
    for key in ("away_interval_hours", "booking_days", "slot_step_minutes", "booking_lead_minutes",
                "bot_pause_minutes", "reminder_hours"):
        values[key] = str(settings[key])
    values["opt_out_keywords"] = ", ".join(settings["opt_out_keywords"])
    for day in WEEKDAYS:
        values[f"business_hours.{day}"] = ", ".join(settings["business_hours"][day])
    for key, value in settings["pacing"].items():
        values[f"pacing.{key}"] = str(value)
    for key, value in settings["templates"].items():
        values[f"templates.{key}"] = value
    return values


def _whole(name: str) -> int:
    raw = request.form.get(name, "").strip()
    if not raw.isdigit():
        raise InvalidInput(name, "must be a whole number")
    return int(raw)


def posted_changes(section: str) -> dict:
    """The section's form as a settings change (only the keys the section shows)."""
    form, changes = request.form, dict[str, Any]()
    if section == "hours":
        changes["time_zone"] = form.get("time_zone", "").strip()
        changes["business_hours"] = {day: tag_list(form.get(f"business_hours.{day}", ""))
                                     for day in WEEKDAYS}
    if section == "auto-reply":
        changes["templates"] = {"away": form.get("templates.away", "")}
    if section == "whatsapp":
        changes["templates"] = {"call_rejected": form.get("templates.call_rejected", "")}
    if section == "notices":
        changes["opt_out_keywords"] = tag_list(form.get("opt_out_keywords", ""))
    if section == "pacing":
        changes["pacing"] = {key: _whole(f"pacing.{key}") if key in PACING_NUMBERS
                             else form.get(f"pacing.{key}", "") for key in PACING}
    if section == "templates":
        changes["templates"] = {key: form.get(f"templates.{key}", "") for key in TEMPLATES}
    scalars, integers, _groups = SECTIONS[section]
    changes.update({flag: flag in form for flag in scalars if flag in FLAGS})
    changes.update({name: _whole(name) for name in integers})
    return changes


def page_context(account_id: UUID, failed: str | None = None) -> dict:
    """The settings as the forms show them; a failed section shows what was typed."""
    view = managers().settings.get_messaging_settings(account_id)
    values = form_values(view["settings"])
    if failed:
        values.update(request.form.to_dict())
        for flag in FLAGS:
            if flag in SECTIONS[failed][0]:
                values[flag] = flag in request.form
    placeholders = {name: ", ".join(placeholder(p) for p in names)
                    for name, names in view["placeholders"].items()}
    return {"values": values, "placeholders": placeholders, "days": DAYS,
            "templates": TEMPLATES, "zones": zone_groups(values["time_zone"]), "failed": failed, "field_errors": {}}


@bp.get(BASE)
@account_page
def messaging(account_id):
    """The page: every messaging setting, section by section."""
    return render_template("ui/messaging.html", form={}, **page_context(account_id))


@bp.post(BASE + "/<any(%s):section>" % ", ".join(map(repr, SECTIONS)))
@account_page
def save(account_id, section: str):
    """Save one section; the others keep their values."""
    try:
        managers().settings.update_messaging_settings(account_id, posted_changes(section))
    except ZapfleetError as exc:
        context = {**page_context(account_id, section), "field_errors": field_errors(exc)}
        return form_failed("ui/messaging.html", exc, **context)
    flash(_("The settings were saved."), "success")
    return redirect(url_for("ui_messaging.messaging", account_id=account_id, _anchor=section))
