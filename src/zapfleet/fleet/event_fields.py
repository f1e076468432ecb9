"""Reading the fields of a worker's events: texts (cut, never refused, where WhatsApp may send
more), ids, times, and rows turned into JSON for webhooks."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from zapfleet.core import validation
from zapfleet.core.errors import InvalidInput
from zapfleet.core.vocabulary import MAX_RECEIVED_TEXT, MAX_TEXT_LENGTH


def event_uuid(value: Any, field: str) -> UUID:
    """A UUID field; InvalidInput naming it otherwise."""
    try:
        return UUID(str(value))
    except ValueError:
        raise InvalidInput(field, "must be a UUID") from None


def data_text(data: dict, field: str, max_len: int = MAX_TEXT_LENGTH, required: bool = True) -> str:
    """A text field of an event's data ("" when optional and missing)."""
    return validation.text(data, field, max_len=max_len, required=required) or ""


def target_id(data: dict) -> str:
    """The provider's id of the message a change is about."""
    return data_text(data, "provider_message_id", 200)


def truncated(data: dict, field: str, max_len: int) -> dict:
    """The data with that text field cut to max_len characters (a customer's message is kept,
    not refused, whatever its length)."""
    value = data.get(field)
    if isinstance(value, str) and len(value) > max_len:
        return {**data, field: value[:max_len]}
    return data


def message_text(data: dict) -> str:
    """A message's text, cut to WhatsApp's longest; required for a text, a caption otherwise."""
    required = data.get("type") in (None, "text")
    return data_text(truncated(data, "text", MAX_RECEIVED_TEXT), "text", MAX_RECEIVED_TEXT, required)


def until_of(data: dict) -> datetime | None:
    """The optional "until" of a connection event: an ISO-8601 time with its offset."""
    value = data.get("until")
    if value is None:
        return None
    try:
        until = datetime.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput("until", "must be an ISO-8601 time") from None
    if until.tzinfo is None:
        raise InvalidInput("until", "must carry its UTC offset")
    return until


def required_choice(data: dict, field: str, allowed: tuple[str, ...]) -> str:
    """One of the allowed strings; InvalidInput naming the field otherwise."""
    value = validation.choice(data, field, allowed)
    if value is None:
        raise InvalidInput(field, "is required")
    return value


def jsonable(value: Any) -> Any:
    """Rows with UUIDs and datetimes, turned into JSON-ready values."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (UUID,)):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value
