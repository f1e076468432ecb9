"""The shapes of the metrics: series per day, week and month, and each account's totals."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date as Date
from datetime import datetime
from typing import Annotated, Any

from annotated_types import GroupedMetadata
from pydantic import Field, ValidationInfo

from zapfleet.core.errors import InvalidInput
from zapfleet.core.shapes import Shape, Uuid, checked

SPANS = {"days": (30, 366, "messages"), "weeks": (12, 104, "reply rate"), "months": (12, 36, "bookings")}
"""Each span's default, most, and what it counts."""


@dataclass(frozen=True)
class Span(GroupedMetadata):
    """A query-string count of days, weeks or months, from 1 to its most."""

    what: str

    def __iter__(self) -> Iterator[Any]:
        default, most, counted = SPANS[self.what]
        yield Field(ge=1, le=most, description=f"{self.what.title()} of {counted} (default {default}, "
                                               f"at most {most}).")
        yield checked(self.check)

    def check(self, value: Any, _info: ValidationInfo) -> int:
        """The count, or the default when it is not given."""
        default, most, _ = SPANS[self.what]
        if value in (None, ""):
            return default
        if not str(value).isdigit() or not 1 <= int(value) <= most:
            raise InvalidInput(self.what, "must be a whole number from 1 to %(most)s", most=most)
        return int(value)


class MetricsQuery(Shape):
    """How far back the series go."""

    days: Annotated[int, Span("days")] = SPANS["days"][0]
    weeks: Annotated[int, Span("weeks")] = SPANS["weeks"][0]
    months: Annotated[int, Span("months")] = SPANS["months"][0]


class Day(Shape):
    """Messages of a day."""

    date: Date = Field(description="Local date.")
    sent: int = Field(description="Taken by WhatsApp.")
    received: int = Field(description="Received.")


class Week(Shape):
    """The reply rate of a week."""

    week_start: Date = Field(description="Monday.")
    messaged: int = Field(description="Contacts written to that week.")
    replied: int = Field(description="Of those, who wrote back within 7 days.")
    rate: float | None = Field(description="replied / messaged.")


class Month(Shape):
    """Appointments booked in a month."""

    month: str = Field(description="YYYY-MM.")
    booked_whatsapp: int = Field(description="Booked by the bot.")
    booked_total: int = Field(description="Booked in all.")


class Metrics(Shape):
    """Series, oldest first, without gaps."""

    time_zone: str = Field(description="The zone days are counted in.")
    since: datetime = Field(description="The first day's start.")
    messages_per_day: list[Day]
    reply_rate_per_week: list[Week]
    appointments_per_month: list[Month]


class AccountTotals(Shape):
    """One account's totals."""

    account_id: Uuid
    name: str = Field(description="Its name.")
    sent: int = Field(description="Sent since `since`.")
    received: int = Field(description="Received.")
    booked_whatsapp: int = Field(description="Booked by the bot.")


class PlatformMetrics(Metrics):
    """Every account's series added up, and each account's totals."""

    accounts: list[AccountTotals]
