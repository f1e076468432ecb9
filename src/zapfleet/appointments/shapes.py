"""The shapes of services, appointments, their notices and the booking bot."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, ValidationInfo

from zapfleet.core import validation
from zapfleet.core.errors import InvalidInput
from zapfleet.core.shapes import (
    E164,
    Choice,
    Patch,
    RequiredText,
    Rules,
    Shape,
    Text,
    Uuid,
    WholeNumber,
    checked,
    strict_flag,
)
from zapfleet.core.vocabulary import APPOINTMENT_SOURCES, APPOINTMENT_STATUSES, BOT_STEPS
from zapfleet.messaging.shapes import NEXT_CURSOR, OutboxMessage, PageQuery

MAX_PAUSE_MINUTES = 60 * 24 * 30


class BotState(Shape):
    """The bot in one conversation."""

    conversation_id: Uuid
    step: Annotated[str, Choice(BOT_STEPS, "Where the customer is in the booking flow.")]
    paused: bool = Field(description="True while the bot keeps quiet here.")
    paused_until: datetime | None = Field(description="Paused by hand until then.")
    last_human_reply_at: datetime | None = Field(description="When a person last wrote to the contact.")
    away_sent_at: datetime | None = Field(description="When the away message last went out.")



def _required_flag(value: Any, _info: ValidationInfo) -> bool:
    if value is None:
        raise InvalidInput("paused", "is required")
    return bool(validation.boolean({"v": value}, "v"))


class BotPause(Shape):
    """Pause or resume the bot."""

    paused: Annotated[bool, Field(description="true silences the bot here; false lets it answer at once."),
                      checked(_required_flag)]
    minutes: Annotated[int, WholeNumber(1, MAX_PAUSE_MINUTES, "How long a pause lasts (default a day).")] \
        = 24 * 60


SERVICE_NAME = RequiredText(100, "The service's name.")
DURATION = WholeNumber(5, 720, "How long it takes, in minutes.")
PRICE = WholeNumber(0, 100_000_000, "Its price in cents, shown nowhere yet; null for none.")
ACTIVE = Rules(Field(description="Offered by the booking bot."), checked(strict_flag))
POSITION = WholeNumber(0, 10000, "Display order.")


class ServiceIn(Shape):
    """A new service."""

    name: Annotated[str, SERVICE_NAME]
    duration_minutes: Annotated[int, DURATION]
    price_cents: Annotated[int, PRICE] | None = None
    active: Annotated[bool, ACTIVE] = True
    position: Annotated[int, POSITION] = 0


class ServicePatch(Patch):
    """Changes to a service: only the fields sent change."""

    nullable = ("price_cents",)
    name: Annotated[str | None, SERVICE_NAME] = None
    duration_minutes: Annotated[int | None, DURATION] = None
    price_cents: Annotated[int, PRICE] | None = None
    active: Annotated[bool | None, ACTIVE] = None
    position: Annotated[int | None, POSITION] = None


class Service(Shape):
    """Something customers book."""

    id: Uuid
    account_id: Uuid
    name: str = Field(max_length=100, description="The service's name.")
    duration_minutes: int = Field(ge=5, le=720, description="How long it takes, in minutes.")
    price_cents: int | None = Field(ge=0, description="Its price in cents.")
    active: bool = Field(description="Offered by the booking bot.")
    position: int = Field(description="Display order.")
    created_at: datetime
    updated_at: datetime


class ServiceOrder(Shape):
    """The account's services in their new order."""

    ids: list[Uuid] = Field(description="Every service's id once, first offered first.")


class ServiceList(Shape):
    """The services, in display order."""

    items: list[Service]


class LocalTime(Shape):
    """The start in the account's time zone."""

    date: str = Field(description="DD/MM/YYYY")
    time: str = Field(description="HH:MM")
    weekday: str = Field(description="In Portuguese.")


class Appointment(Shape):
    """An appointment of a contact."""

    id: Uuid
    account_id: Uuid
    contact_id: Uuid
    phone: E164
    contact_name: str = Field(description="The contact's name.")
    service_id: Uuid | None = Field(description="The service; null when deleted or given by name.")
    service_name: str = Field(description="The service's name when booked.")
    starts_at: datetime
    ends_at: datetime
    status: Annotated[str, Choice(APPOINTMENT_STATUSES, "Its status.")]
    source: Annotated[str, Choice(APPOINTMENT_SOURCES, "api, or whatsapp when the bot booked it.")]
    notes: str
    remind_at: datetime | None = Field(description="When the reminder goes out.")
    reminder_sent_at: datetime | None = Field(description="When it went out.")
    cancelled_at: datetime | None = Field(description="When it was cancelled.")
    created_at: datetime
    updated_at: datetime
    local: LocalTime


MOMENT = "ISO 8601; without an offset, the account's local time."
NOTIFY = Rules(Field(description="Send the WhatsApp notice."), checked(strict_flag))
OVERLAP = Rules(Field(description="Book even when it overlaps another appointment."), checked(strict_flag))
NOTES = Text(2000, "Notes.")


class AppointmentIn(Shape):
    """A new appointment: a contact (contact_id, or phone and name), a service (service_id, or service
    and duration_minutes) and a start."""

    contact_id: Uuid | None = Field(None, description="The contact; or give phone (and name).")
    phone: Annotated[str, Text(40, "The contact's phone (created when new).")] | None = None
    name: Annotated[str, Text(200, "Its name.")] = ""
    service_id: Uuid | None = Field(None, description="The service; or give service and duration_minutes.")
    service: Annotated[str, Text(100, "A service name.")] | None = None
    duration_minutes: Annotated[int, DURATION] | None = None
    starts_at: Annotated[str, RequiredText(40, MOMENT)]
    notes: Annotated[str, NOTES] = ""
    notify: Annotated[bool, NOTIFY] = True
    allow_overlap: Annotated[bool, OVERLAP] = False


class AppointmentPatch(Patch):
    """Changes; a new start time is confirmed again and reminded anew."""

    starts_at: Annotated[str | None, RequiredText(40, MOMENT)] = None
    service_id: Uuid | None = Field(None, description="Another service.")
    notes: Annotated[str | None, NOTES] = None
    status: Annotated[str | None, Choice(APPOINTMENT_STATUSES, "cancelled cancels it with its notice.")] = None
    notify: Annotated[bool, NOTIFY] = True
    allow_overlap: Annotated[bool, OVERLAP] = False


class AppointmentCancel(Shape):
    """How to cancel; the body is optional."""

    notify: Annotated[bool, NOTIFY] = True


class AppointmentQuery(PageQuery):
    """Filters of the appointment list."""

    from_: str | None = Field(None, alias="from", description=f"Starting at or after. {MOMENT}")
    to: str | None = Field(None, description=f"Starting before. {MOMENT}")
    status: Annotated[str, Choice(APPOINTMENT_STATUSES, "Only this status.")] | None = None
    contact_id: Uuid | None = Field(None, description="Only this contact's.")


class AppointmentPage(Shape):
    """A page of appointments by start time."""

    items: list[Appointment]
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class SlotQuery(Shape):
    """Which service, and which day."""

    service_id: Uuid = Field(description="The service.")
    date: str | None = Field(None, description="One local day, YYYY-MM-DD; the next booking days when "
                                               "omitted.")


class Slot(LocalTime):
    """A free slot."""

    starts_at: datetime
    ends_at: datetime


class Slots(Shape):
    """Free slots of a service."""

    service: Service
    slots: list[Slot]


class Notice(Shape):
    """The notice, queued."""

    message: OutboxMessage
