"""Domain errors as the pages show them: the message template translated with its parameters,
and the field it names by its label in the page's language (the API keeps the English text)."""
from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from zapfleet.core.errors import InvalidInput, ZapfleetError

FIELD_LABELS = {
    "phone": _l("Phone number"), "name": _l("Name"), "email": _l("E-mail"), "password": _l("Password"),
    "new_password": _l("New password"), "old_password": _l("Current password"), "tags": _l("Tags"),
    "opted_out": _l("Opted out"), "message": _l("Message"), "text": _l("Text"), "date": _l("Date"),
    "time": _l("Time"), "send_at": _l("Send at"), "until": _l("Until"), "notes": _l("Notes"),
    "price": _l("Price"), "duration_minutes": _l("Duration (minutes)"), "service_id": _l("Service"),
    "contact_id": _l("Contact"), "starts_at": _l("Start"), "file": _l("File"), "upload": _l("File"),
    "encoding": _l("Encoding"), "link": _l("Link"), "qr_code_url": _l("QR code image URL"),
    "variants": _l("Variants"), "target_tags": _l("Tags"), "attachment_id": _l("Attachment"),
    "url": _l("URL"), "events": _l("Events"), "secret": _l("Secret"), "settings": _l("Settings"),
    "time_zone": _l("Time zone"), "business_hours": _l("Business hours"), "pacing": _l("Pacing"),
    "templates": _l("Messages"), "opt_out_keywords": _l("Opt-out words"), "slug": _l("Address"),
    "away_interval_hours": _l("At most once per customer every (hours)"),
    "booking_days": _l("Days ahead the bot offers"), "slot_step_minutes": _l("Minutes between offered times"),
    "booking_lead_minutes": _l("Earliest booking, in minutes from now"),
    "bot_pause_minutes": _l("Minutes the bot keeps quiet after you reply by hand"),
    "reminder_hours": _l("Send the reminder this many hours before an appointment"),
    "daily_cap": _l("Most campaign messages per day"), "warmup_days": _l("Warm-up days of a new number"),
    "min_gap_seconds": _l("Shortest pause between messages (seconds)"),
    "max_gap_seconds": _l("Longest pause between messages (seconds)"),
    "window_start": _l("Sending starts at"), "window_end": _l("Sending stops at"),
    "mon": _l("Monday"), "tue": _l("Tuesday"), "wed": _l("Wednesday"), "thu": _l("Thursday"),
    "fri": _l("Friday"), "sat": _l("Saturday"), "sun": _l("Sunday"),
    "capacity": _l("Capacity (WhatsApp numbers)"), "priority": _l("Priority (higher first)"),
    "api_key": _l("Global API key"), "webhook_base": _l("How it reaches the workers (optional)"),
    "emoji": _l("Emoji"), "shortcut": _l("Shortcut"), "body": _l("Text"), "media": _l("File"),
    "provider_message_id": _l("Message"), "role": _l("Role"),
}
WORDS = (_l("draft"), _l("scheduled"), _l("running"), _l("paused"), _l("completed"), _l("cancelled"),
         _l("no_show"), _l("resumed"), _l("started"), _l("reminder"), _l("confirmation"),
         _l("cancellation"), _l("queued"), _l("sent"), _l("delivered"), _l("read"), _l("failed"),
         _l("received"), _l("appointment"), _l("account"), _l("campaign"), _l("instance"), _l("node"),
         _l("media"), _l("message"), _l("user"), _l("contact"), _l("service"), _l("conversation"),
         _l("contacts"), _l("messages_per_day"), _l("contacts in all"), _l("in any 24 hours"),
         _l("free"))
"""Words the code passes as parameters of its messages (statuses, kinds, things), translated too."""
_INDEX = re.compile(r"\[(\d+)\]$")
_PARTS = re.compile(r"\.|: ")


def field_label(field: str) -> str:
    """A field's label in the page's language: "business_hours.sat" → "Horário de atendimento ›
    Sábado", "variants[2]" → "Variações 3"; a part without a label keeps its name."""
    parts = []
    for part in _PARTS.split(field):
        index = _INDEX.search(part)
        name = part[:index.start()] if index else part
        label = str(FIELD_LABELS.get(name, name))
        parts.append(f"{label} {int(index.group(1)) + 1}" if index else label)
    return " › ".join(parts)


def error_detail(exc: ZapfleetError) -> str:
    """The error's message (without its field) in the page's language, parameters filled in."""
    translated = _(exc.template)
    if not exc.params:
        return translated
    params = {name: _(value) if isinstance(value, str) and value else value
              for name, value in exc.params.items()}
    try:
        return translated % params
    except (KeyError, TypeError, ValueError):  # a translation that lost a parameter
        return exc.template % exc.params


def error_text(exc: ZapfleetError) -> str:
    """The whole message for the page's banner: the field's label, then what is wrong with it."""
    if isinstance(exc, InvalidInput):
        return f"{field_label(exc.field)}: {error_detail(exc)}"
    return error_detail(exc)


def field_errors(exc: ZapfleetError) -> dict:
    """{field: message} for an InvalidInput, for the form to show next to its field."""
    if isinstance(exc, InvalidInput):
        return {exc.field: error_detail(exc)}
    return {}
