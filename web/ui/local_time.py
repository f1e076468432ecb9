"""The account's own time on the pages: its effective messaging settings and time zone, and the
date-and-time inputs of the forms (read and written in that zone)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import g

from web.ui.formats import moment_format
from zapfleet.core.errors import InvalidInput
from zapfleet.tenancy.account_settings import effective, zone_of

INPUT_FORMAT = "%Y-%m-%dT%H:%M"


def account_settings() -> dict:
    """The signed-in page's account's messaging settings, defaults filled in (once per request)."""
    if "account_settings" not in g:
        g.account_settings = effective(g.account.get("settings"))
    return g.account_settings


def account_zone() -> ZoneInfo:
    """The account's time zone (America/Sao_Paulo unless it chose another)."""
    return zone_of(account_settings())


def local(moment: datetime | None, fmt: str | None = None) -> str:
    """A moment in the account's time zone ("" for none), by default as the page writes dates
    and times (dd/mm/aaaa HH:MM in Portuguese)."""
    return moment.astimezone(account_zone()).strftime(fmt or moment_format()) if moment else ""


def input_value(moment: datetime | None) -> str:
    """A moment as a datetime-local input's value, in the account's time zone."""
    return local(moment, INPUT_FORMAT)


def posted_moment(value: str, field: str) -> str | None:
    """A datetime-local value read in the account's zone, as ISO 8601 with its offset; None if empty."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(field, "must be a date and a time") from None
    return naive.replace(tzinfo=naive.tzinfo or account_zone()).isoformat()
