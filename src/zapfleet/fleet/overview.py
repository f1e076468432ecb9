"""The owner's dashboard data: every account, its instance, messages today, workers running.

Everything comes from the database rows the workers keep up to date (observed status, QR,
phone) plus at most one supervisord call: no worker is asked anything."""
from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from zapfleet.core.errors import ZapfleetError
from zapfleet.db import Database
from zapfleet.db import overview as sql
from zapfleet.fleet.supervisor import Supervisor
from zapfleet.tenancy.account_settings import DEFAULT_TIME_ZONE


def account_zone(name: str | None) -> tzinfo:
    """The zone of an account's `time_zone` setting (an IANA name); São Paulo when unset or unknown."""
    try:
        return ZoneInfo(name or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


def day_start(now: datetime, zone: tzinfo) -> datetime:
    """Midnight of `now`'s day in `zone`."""
    return now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)


def accounts_overview(db: Database, now: datetime | None = None) -> list[dict]:
    """Every account with its instance's columns and `messages_today` (in its own time zone)."""
    now = now or datetime.now(UTC)
    with db.system() as conn:
        rows = sql.account_rows(conn)
        since = [day_start(now, account_zone(row["time_zone"])) for row in rows]
        counts = sql.messages_since(conn, [row["id"] for row in rows], since)
    for row in rows:
        row["messages_today"] = counts.get(row["id"], 0)
    return rows


RUNNING_MAX_AGE = 2.0
"""Seconds the dashboard's count of running workers may lag (pages poll it every few seconds)."""


def workers_running(supervisor: Supervisor, names: set[str]) -> int | None:
    """How many of these worker programs supervisord runs (at most one call); None when it is
    unreachable."""
    if not names:
        return 0
    try:
        processes = supervisor.all_process_info(max_age=RUNNING_MAX_AGE)
    except ZapfleetError:
        return None
    return sum(1 for name, info in processes.items()
               if name in names and info.get("statename") == "RUNNING")
