"""Business hours and free booking slots, in the account's time zone. Pure functions."""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from zapfleet.tenancy.account_settings import WEEKDAYS, minutes_of

Interval = tuple[datetime, datetime]


def _at(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time()).replace(tzinfo=zone) + timedelta(minutes=minutes)


def day_intervals(hours: Mapping[str, Sequence[str]], zone: ZoneInfo, day: date) -> list[Interval]:
    """The opening intervals of one local day, as aware datetimes."""
    spans = hours.get(WEEKDAYS[day.weekday()], [])
    return [(_at(day, minutes_of(span[:5]), zone), _at(day, minutes_of(span[6:]), zone))
            for span in spans]


def is_open(hours: Mapping[str, Sequence[str]], zone: ZoneInfo, moment: datetime) -> bool:
    """True when moment falls inside the business hours."""
    day = moment.astimezone(zone).date()
    return any(start <= moment < end for start, end in day_intervals(hours, zone, day))


def fits(hours: Mapping[str, Sequence[str]], zone: ZoneInfo, start: datetime,
         duration: timedelta) -> bool:
    """True when [start, start + duration) lies inside one opening interval."""
    day = start.astimezone(zone).date()
    return any(open_ <= start and start + duration <= close
               for open_, close in day_intervals(hours, zone, day))


def _overlaps(start: datetime, end: datetime, busy: Sequence[Mapping[str, Any]]) -> bool:
    return any(b["starts_at"] < end and start < b["ends_at"] for b in busy)


def _candidates(settings: Mapping[str, Any], duration: timedelta, earliest: datetime,
                day: date) -> Iterator[datetime]:
    zone, step = ZoneInfo(settings["time_zone"]), timedelta(minutes=settings["slot_step_minutes"])
    for open_, close in day_intervals(settings["business_hours"], zone, day):
        start = open_
        while start + duration <= close:
            if start >= earliest:
                yield start
            start += step


def free_slots(settings: Mapping[str, Any], duration: timedelta, now: datetime,
               busy: Sequence[Mapping[str, Any]], *, day: date | None = None,
               limit: int = 8, per_day: int = 4) -> list[datetime]:
    """The first free slots from now (plus the booking lead time), over the booking days or on
    one day, at most per_day a day; busy holds the scheduled appointments' starts_at/ends_at."""
    earliest = now + timedelta(minutes=settings["booking_lead_minutes"])
    today = now.astimezone(ZoneInfo(settings["time_zone"])).date()
    days = [day] if day else [today + timedelta(days=n) for n in range(settings["booking_days"])]
    slots: list[datetime] = []
    for current in days:
        found = [s for s in _candidates(settings, duration, earliest, current)
                 if not _overlaps(s, s + duration, busy)]
        slots += found[:per_day if day is None else limit]
        if len(slots) >= limit:
            break
    return slots[:limit]


def span(settings: Mapping[str, Any], now: datetime, day: date | None = None) -> Interval:
    """Where slots are looked for: one local day, or from now to the end of the booking days."""
    zone = ZoneInfo(settings["time_zone"])
    if day is not None:
        return _at(day, 0, zone), _at(day + timedelta(days=1), 0, zone)
    last = now.astimezone(zone).date() + timedelta(days=settings["booking_days"])
    return now, _at(last, 0, zone)
