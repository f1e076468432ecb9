"""Per-account messaging settings (in accounts.settings): defaults, validation, merging.

Stored settings are read leniently: a key that is missing or not valid (the account's free-form
`settings` can also be written through PATCH /api/accounts/<id>) falls back to its default."""
from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from zapfleet.core.errors import InvalidInput
from zapfleet.tenancy.templates import DEFAULT_TEMPLATES, template_value

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
            raise InvalidInput(field, f"must be a whole number from {low} to {high}")
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
        raise InvalidInput(field, f"{value!r} must be opening and closing time, e.g. 09:00-18:00")
    return value


def _day_hours(value: Any, field: str) -> list[str]:
    if not isinstance(value, list) or len(value) > 6:
        raise InvalidInput(field, "must be a list of up to 6 intervals such as \"09:00-12:00\"")
    spans = sorted((_span(v, field) for v in value), key=lambda span: minutes_of(span[:5]))
    for before, after in zip(spans, spans[1:]):
        if minutes_of(after.split("-")[0]) < minutes_of(before.split("-")[1]):
            raise InvalidInput(field, f"{before} and {after} overlap")
    return spans


def _keywords(value: Any, field: str) -> list[str]:
    if not isinstance(value, list) or len(value) > 20 or not all(
            isinstance(k, str) and 1 <= len(k.strip()) <= 30 for k in value):
        raise InvalidInput(field, "must be a list of up to 20 words of 1 to 30 characters")
    return list(dict.fromkeys(k.strip().upper() for k in value))


SCALARS: dict[str, Callable[[Any, str], Any]] = {
    "time_zone": _zone, "auto_reply": _flag, "booking_bot": _flag,
    "away_interval_hours": _integer(1, 168), "booking_days": _integer(1, 60),
    "slot_step_minutes": _integer(5, 240), "booking_lead_minutes": _integer(0, 10080),
    "bot_pause_minutes": _integer(0, 1440), "reminder_hours": _integer(0, 168),
    "opt_out_keywords": _keywords,
}
PACING: dict[str, Callable[[Any, str], Any]] = {
    "min_gap_seconds": _integer(0, 3600), "max_gap_seconds": _integer(0, 3600),
    "daily_cap": _integer(1, 100000), "warmup_days": _integer(0, 60),
    "window_start": _clock, "window_end": _clock,
}
GROUPS: dict[str, Callable[[str], Callable[[Any, str], Any]]] = {
    "business_hours": lambda day: _day_hours,
    "pacing": lambda name: PACING[name],
    "templates": lambda name: lambda value, field: template_value(value, name),
}


def _group_keys(group: str) -> tuple[str, ...]:
    return tuple(DEFAULTS[group])


def _check_group(group: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInput(group, "must be an object")
    unknown = sorted(set(value) - set(_group_keys(group)))
    if unknown:
        raise InvalidInput(f"{group}.{unknown[0]}",
                           f"is not a setting; use {', '.join(_group_keys(group))}")
    return {key: None if item is None else GROUPS[group](key)(item, f"{group}.{key}")
            for key, item in value.items()}


def validate_changes(data: Mapping[str, Any]) -> dict[str, Any]:
    """The checked changes of a settings PATCH (null resets a key to its default)."""
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key in SCALARS:
            changes[key] = None if value is None else SCALARS[key](value, key)
        elif key in GROUPS:
            changes[key] = None if value is None else _check_group(key, value)
        else:
            raise InvalidInput(key, "is not a messaging setting")
    return changes


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
    result = {key: _lenient(check, stored.get(key), DEFAULTS[key]) for key, check in SCALARS.items()}
    for group, checker in GROUPS.items():
        given = stored.get(group) if isinstance(stored.get(group), Mapping) else {}
        result[group] = {key: _lenient(checker(key), given.get(key), default)
                         for key, default in DEFAULTS[group].items()}
    return copy.deepcopy(result)


def zone_of(settings: Mapping[str, Any]) -> ZoneInfo:
    """The account's time zone."""
    return ZoneInfo(settings["time_zone"])
