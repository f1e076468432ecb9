"""Pacing of campaign messages per WhatsApp number: random gaps, a sending window, a daily cap
and a warm-up that raises the cap over a newly linked number's first days. Pure functions."""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from zapfleet.tenancy.account_settings import minutes_of, zone_of


@dataclass(frozen=True)
class Pacing:
    """One account's pacing settings, in seconds and minutes of the day."""

    min_gap: float
    max_gap: float
    daily_cap: int
    warmup_days: int
    window_start: int
    window_end: int
    zone: ZoneInfo

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Pacing:
        """The pacing of an account's effective settings."""
        p = settings["pacing"]
        low, high = sorted((p["min_gap_seconds"], p["max_gap_seconds"]))
        return cls(low, high, p["daily_cap"], p["warmup_days"], minutes_of(p["window_start"]),
                   minutes_of(p["window_end"]), zone_of(settings))

    @property
    def mean_gap(self) -> float:
        """The average gap between two messages, in seconds."""
        return (self.min_gap + self.max_gap) / 2

    def gap(self, rng: Callable[[], float]) -> timedelta:
        """A random gap between min_gap and max_gap."""
        return timedelta(seconds=self.min_gap + rng() * (self.max_gap - self.min_gap))

    def cap(self, phone_since: datetime | None, now: datetime) -> int:
        """Today's cap: the daily cap, raised step by step over the warm-up days."""
        if not self.warmup_days or phone_since is None:
            return self.daily_cap
        day = (now - phone_since) // timedelta(days=1) + 1
        if day >= self.warmup_days:
            return self.daily_cap
        return max(1, math.ceil(self.daily_cap * day / self.warmup_days))

    def local_day(self, now: datetime) -> date:
        """The account's calendar day at now."""
        return now.astimezone(self.zone).date()

    def _at(self, day: date, minutes: int) -> datetime:
        return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self.zone)

    def window_opening(self, now: datetime) -> datetime | None:
        """None inside the sending window; else when it opens next."""
        local = now.astimezone(self.zone)
        minute = local.hour * 60 + local.minute
        if self.window_start <= minute < self.window_end:
            return None
        day = local.date() if minute < self.window_start else local.date() + timedelta(days=1)
        return self._at(day, self.window_start)

    def tomorrows_opening(self, now: datetime) -> datetime:
        """When the window opens on the account's next calendar day."""
        return self._at(self.local_day(now) + timedelta(days=1), self.window_start)

    def next_due(self, previous_due: datetime | None, now: datetime,
                 rng: Callable[[], float]) -> datetime:
        """When the message after one leaving now may leave: a random gap after the previous
        one's due time (so the passes' lateness does not add up), never sooner than min_gap."""
        late = previous_due is None or now - previous_due > timedelta(seconds=self.max_gap)
        base = now if late or previous_due is None else previous_due
        return max(base + self.gap(rng), now + timedelta(seconds=self.min_gap))


def hold_until(pacing: Pacing, state: Mapping[str, Any] | None,
               now: datetime) -> tuple[datetime, str] | None:
    """None when a campaign message may leave now; else (when to look again, why): "gap",
    "window" (outside the sending hours) or "daily_cap"."""
    state = state or {}
    opening = pacing.window_opening(now)
    if opening is not None:
        return opening, "window"
    if sent_today(pacing, state, now) >= pacing.cap(state.get("phone_since"), now):
        return pacing.tomorrows_opening(now), "daily_cap"
    if state.get("next_send_at") and state["next_send_at"] > now:
        return state["next_send_at"], "gap"
    return None


def sent_today(pacing: Pacing, state: Mapping[str, Any], now: datetime) -> int:
    """How many campaign messages left the number on the account's current day."""
    return state.get("sent_today", 0) if state.get("day") == pacing.local_day(now) else 0
