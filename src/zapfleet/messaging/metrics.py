"""Metrics per account and for the whole platform, as series ready to chart (gaps filled)."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from zapfleet.core.clock import utcnow
from zapfleet.core.errors import NotFound
from zapfleet.core.shapes import parse
from zapfleet.db import Database
from zapfleet.db import metrics as sql
from zapfleet.db import settings as settings_sql
from zapfleet.messaging.metric_shapes import MetricsQuery
from zapfleet.tenancy.account_settings import DEFAULT_TIME_ZONE, effective


def _month_start(day: date, back: int) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


class Metrics:
    """Counts over the messages and appointments, in a time zone's days, weeks and months."""

    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow):
        self.db, self.clock = db, clock

    def for_account(self, account_id: UUID, args: Mapping[str, Any]) -> dict:
        """One account's series, in its own time zone (?days=30&weeks=12&months=12)."""
        with self.db.tenant(account_id) as conn:
            account = settings_sql.get_settings(conn, account_id)
            if account is None:
                raise NotFound("no such account")
            zone = effective(account["settings"])["time_zone"]
            return self._series(conn, account_id, zone, args)

    def for_platform(self, args: Mapping[str, Any]) -> dict:
        """Every account's series added up, and each account's totals over the days asked."""
        with self.db.system() as conn:
            series = self._series(conn, None, DEFAULT_TIME_ZONE, args)
            series["accounts"] = sql.account_totals(conn, DEFAULT_TIME_ZONE, series["since"])
        return series

    def _series(self, conn, account: UUID | None, zone_name: str, args: Mapping[str, Any]) -> dict:
        zone, today = ZoneInfo(zone_name), self.clock().astimezone(ZoneInfo(zone_name)).date()
        spans = parse(MetricsQuery, dict(args))
        days, weeks, months = spans.days, spans.weeks, spans.months
        first_day = today - timedelta(days=days - 1)
        first_week = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
        first_month = _month_start(today, months - 1)
        at = lambda day: datetime.combine(day, time(), tzinfo=zone)  # noqa: E731
        per_day = {r["day"]: r for r in sql.messages_per_day(conn, account, zone_name, at(first_day))}
        per_week = {r["week"]: r for r in sql.replies_per_week(conn, account, zone_name, at(first_week))}
        per_month = {r["month"]: r for r in sql.bookings_per_month(conn, account, zone_name,
                                                                   at(first_month))}
        return {
            "time_zone": zone_name, "since": at(first_day),
            "messages_per_day": [_day(d, per_day.get(d)) for d in
                                 (first_day + timedelta(days=n) for n in range(days))],
            "reply_rate_per_week": [_week(w, per_week.get(w)) for w in
                                    (first_week + timedelta(weeks=n) for n in range(weeks))],
            "appointments_per_month": [_month(m, per_month.get(m)) for m in
                                       (_month_start(today, months - 1 - n) for n in range(months))],
        }


def _day(day: date, row: dict | None) -> dict:
    return {"date": day, "sent": row["sent"] if row else 0, "received": row["received"] if row else 0}


def _week(week: date, row: dict | None) -> dict:
    messaged, replied = (row["messaged"], row["replied"]) if row else (0, 0)
    return {"week_start": week, "messaged": messaged, "replied": replied,
            "rate": round(replied / messaged, 4) if messaged else None}


def _month(month: date, row: dict | None) -> dict:
    return {"month": month.strftime("%Y-%m"), "booked_whatsapp": row["whatsapp"] if row else 0,
            "booked_total": row["total"] if row else 0}
