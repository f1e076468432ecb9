"""The shapes of services, appointments, their notices and the booking bot."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, ValidationInfo

from zapfleet.core import validation
from zapfleet.core.errors import InvalidInput
from zapfleet.core.shapes import Choice, Shape, Uuid, WholeNumber, checked
from zapfleet.core.vocabulary import BOT_STEPS

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
