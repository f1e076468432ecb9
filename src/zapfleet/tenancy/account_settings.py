"""Per-account messaging settings (in accounts.settings): defaults, validation, merging.

Every write goes through the same rules (zapfleet.tenancy.settings_shapes), but stored settings are
still read leniently: a key that is missing or not valid (say, written before a rule tightened) falls
back to its default."""
from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from zapfleet.core.errors import InvalidInput
from zapfleet.tenancy.templates import DEFAULT_TEMPLATES, MAX_TEMPLATE, template_value

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_TIME_ZONE = "America/Sao_Paulo"
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_SPAN = re.compile(r"^(\d\d:\d\d)-(\d\d:\d\d)$")

DEFAULT_PACING = {"min_gap_seconds": 20, "max_gap_seconds": 40, "daily_cap": 200,
                  "warmup_days": 7, "window_start": "08:00", "window_end": "20:00"}
DEFAULTS: dict[str, Any] = {
    "time_zone": DEFAULT_TIME_ZONE,
    "business_hours": {**{day: ["09:00-18:00"] for day in WEEKDAYS[:5]},
                       "sat": ["09:00-13:00"], "sun": []},
    "auto_reply": False,
    "away_interval_hours": 12,
    "booking_bot": False,
    "booking_days": 7,
    "slot_step_minutes": 30,
    "booking_lead_minutes": 60,
    "bot_pause_minutes": 60,
    "send_read_receipts": True,
    "typing_indicator": True,
    "keep_deleted_messages": False,
    "reject_calls": False,
    "reminder_hours": 24,
    "opt_out_keywords": ["SAIR", "STOP"],
    "pacing": DEFAULT_PACING,
    "templates": DEFAULT_TEMPLATES,
}


def minutes_of(clock: str) -> int:
    """Minutes since midnight of an "HH:MM" (or "24:00") string."""
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _integer(low: int, high: int) -> Callable[[Any, str], int]:
    def check(value: Any, field: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise InvalidInput(field, "must be a whole number from %(low)s to %(high)s", low=low, high=high)
        return value
    return check


def _flag(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(field, "must be true or false")
    return value


def _zone(value: Any, field: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise InvalidInput(field, "must be an IANA time zone such as America/Sao_Paulo") from None
    return value


def _clock(value: Any, field: str) -> str:
    if not isinstance(value, str) or not _CLOCK.match(value):
        raise InvalidInput(field, "must be a time of day as HH:MM")
    return value


def _span(value: Any, field: str) -> str:
    match = _SPAN.match(value) if isinstance(value, str) else None
    start, end = match.groups() if match else ("", "")
    if not match or not _CLOCK.match(start) or not (_CLOCK.match(end) or end == "24:00") \
            or minutes_of(start) >= minutes_of(end):
        raise InvalidInput(field, "%(value)s must be opening and closing time, e.g. 09:00-18:00",
                           value=repr(value))
    return value


def _day_hours(value: Any, field: str) -> list[str]:
    if not isinstance(value, list) or len(value) > 6:
        raise InvalidInput(field, "must be a list of up to 6 intervals such as \"09:00-12:00\"")
    spans = sorted((_span(v, field) for v in value), key=lambda span: minutes_of(span[:5]))
    for before, after in zip(spans, spans[1:]):
        if minutes_of(after.split("-")[0]) < minutes_of(before.split("-")[1]):
            raise InvalidInput(field, "%(before)s and %(after)s overlap", before=before, after=after)
    return spans


def _keywords(value: Any, field: str) -> list[str]:
    if not isinstance(value, list) or len(value) > 20 or not all(
            isinstance(k, str) and 1 <= len(k.strip()) <= 30 for k in value):
        raise InvalidInput(field, "must be a list of up to 20 words of 1 to 30 characters")
    return list(dict.fromkeys(k.strip().upper() for k in value))


@dataclass(frozen=True)
class Rule:
    """One setting: its check (which names the field in its error) and how the document shows it."""

    check: Callable[[Any, str], Any]
    schema: dict[str, Any]
    description: str


def _whole(low: int, high: int, description: str) -> Rule:
    return Rule(_integer(low, high), {"type": "integer", "minimum": low, "maximum": high}, description)


def _switch(description: str) -> Rule:
    return Rule(_flag, {"type": "boolean"}, description)


CLOCK_SCHEMA = {"type": "string", "pattern": r"^\d\d:\d\d$"}
SCALARS: dict[str, Rule] = {
    "time_zone": Rule(_zone, {"type": "string"}, "IANA time zone."),
    "auto_reply": _switch("Send the away message outside business hours."),
    "booking_bot": _switch("Let the bot take bookings and cancellations over WhatsApp."),
    "away_interval_hours": _whole(1, 168, "At most one away message per contact in this many hours."),
    "booking_days": _whole(1, 60, "How many days ahead the bot offers slots."),
    "slot_step_minutes": _whole(5, 240, "Slots start every this many minutes."),
    "booking_lead_minutes": _whole(0, 10080, "The soonest slot is this far from now."),
    "bot_pause_minutes": _whole(0, 1440, "After a person writes to a contact (inbox or send API), the "
                                         "bot keeps quiet in that conversation this long."),
    "reminder_hours": _whole(0, 168, "Reminders go this many hours before; 0 sends none."),
    "send_read_receipts": _switch("Opening a conversation in the inbox marks its received messages as read "
                                  "on WhatsApp (blue ticks)."),
    "typing_indicator": _switch("The bot, notices and the away message show “typing…” for a moment "
                                "(longer for a longer text) before they are sent."),
    "keep_deleted_messages": _switch("Keep what a customer deleted for everyone (in previous_bodies, and "
                                     "its file); the inbox shows it to the account's admins only."),
    "reject_calls": _switch("Decline incoming WhatsApp calls and answer with the call_rejected text "
                            "(neonize and sandbox engines)."),
    "opt_out_keywords": Rule(_keywords, {"type": "array", "maxItems": 20,
                                         "items": {"type": "string", "minLength": 1, "maxLength": 30}},
                             "A message that is exactly one of these opts the contact out of campaigns "
                             "(any case, accents ignored)."),
}
PACING: dict[str, Rule] = {
    "min_gap_seconds": _whole(0, 3600, "Shortest gap between two campaign messages."),
    "max_gap_seconds": _whole(0, 3600, "Longest gap; each gap is random in between."),
    "daily_cap": _whole(1, 100000, "Most campaign messages per local day."),
    "warmup_days": _whole(0, 60, "Over a newly linked number's first days the cap rises step by step "
                                 "up to daily_cap; 0 turns the warm-up off."),
    "window_start": Rule(_clock, CLOCK_SCHEMA, "Campaign messages leave from this local time..."),
    "window_end": Rule(_clock, CLOCK_SCHEMA, "...until this one."),
}
DAY_HOURS_SCHEMA = {"type": "array", "maxItems": 6,
                    "items": {"type": "string", "pattern": r"^\d\d:\d\d-\d\d:\d\d$"}}
GROUPS: dict[str, Callable[[str], Rule]] = {
    "business_hours": lambda day: Rule(_day_hours, DAY_HOURS_SCHEMA, f"Opening intervals on {day}."),
    "pacing": lambda name: PACING[name],
    "templates": lambda name: Rule(lambda value, field: template_value(value, name),
                                   {"type": "string", "maxLength": MAX_TEMPLATE},
                                   f"Default: {DEFAULT_TEMPLATES[name]!r}"),
}
GROUP_DESCRIPTIONS = {
    "business_hours": "Business hours per weekday, in the account's time zone; [] is closed.",
    "pacing": f"Pacing of campaigns per number. Defaults: {DEFAULT_PACING}.",
    "templates": "Texts in the account's language; {placeholders} as listed in `placeholders`. An empty "
                 "text sends nothing; null restores the default.",
}


def merged(stored: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """The stored settings with changes applied (groups merge key by key; None removes)."""
    result = dict(stored)
    for key, value in changes.items():
        if value is None:
            result.pop(key, None)
        elif key in GROUPS:
            group = dict(result.get(key) or {}) if isinstance(result.get(key), dict) else {}
            group.update(value)
            result[key] = {k: v for k, v in group.items() if v is not None}
        else:
            result[key] = value
    pacing = effective(result)["pacing"]
    if pacing["min_gap_seconds"] > pacing["max_gap_seconds"]:
        raise InvalidInput("pacing.min_gap_seconds", "must not be more than max_gap_seconds")
    if minutes_of(pacing["window_start"]) >= minutes_of(pacing["window_end"]):
        raise InvalidInput("pacing.window_start", "must be before window_end")
    return result


def _lenient(check: Callable[[Any, str], Any], value: Any, default: Any) -> Any:
    try:
        return default if value is None else check(value, "")
    except InvalidInput:
        return default


def effective(stored: Mapping[str, Any] | None) -> dict[str, Any]:
    """Every messaging setting: the stored value where it is valid, else the default."""
    stored = stored if isinstance(stored, Mapping) else {}
    result: dict[str, Any] = {key: _lenient(rule.check, stored.get(key), DEFAULTS[key])
                              for key, rule in SCALARS.items()}
    for group, rule_of in GROUPS.items():
        stored_group = stored.get(group)
        given: Mapping[str, Any] = stored_group if isinstance(stored_group, Mapping) else {}
        result[group] = {key: _lenient(rule_of(key).check, given.get(key), default)
                         for key, default in DEFAULTS[group].items()}
    return copy.deepcopy(result)


def zone_of(settings: Mapping[str, Any]) -> ZoneInfo:
    """The account's time zone."""
    return ZoneInfo(settings["time_zone"])
