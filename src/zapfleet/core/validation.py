"""Field validation shared by the domain layer: each failure names its field."""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

import phonenumbers
from zxcvbn import zxcvbn

from zapfleet.core.errors import InvalidInput

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_TAG = re.compile(r"^[\w][\w .:/-]{0,49}$", re.UNICODE)


def text(data: Mapping[str, Any], field: str, *, max_len: int, required: bool = False,
         default: str | None = None) -> str | None:
    """A trimmed string field, or default when absent and not required."""
    value = data.get(field)
    if value is None:
        if required:
            raise InvalidInput(field, "is required")
        return default
    if not isinstance(value, str):
        raise InvalidInput(field, "must be a string")
    value = value.strip()
    if required and not value:
        raise InvalidInput(field, "must not be empty")
    if len(value) > max_len:
        raise InvalidInput(field, "must be at most %(most)s characters", most=max_len)
    return value


def boolean(data: Mapping[str, Any], field: str, default: bool | None = None) -> bool | None:
    """A JSON boolean field."""
    value = data.get(field, default)
    if value is not None and not isinstance(value, bool):
        raise InvalidInput(field, "must be true or false")
    return value


def whole_number(data: Mapping[str, Any], field: str, low: int, high: int,
                 default: int | None = None) -> int | None:
    """An integer field between low and high (a JSON number without a fraction, not a boolean)."""
    value = data.get(field, default)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(field, "must be a whole number from %(low)s to %(high)s", low=low, high=high)
    return value


def choice(data: Mapping[str, Any], field: str, allowed: tuple[str, ...],
           default: str | None = None) -> str | None:
    """A string field restricted to a fixed set of values."""
    value = data.get(field, default)
    if value is not None and value not in allowed:
        raise InvalidInput(field, "must be one of: %(allowed)s", allowed=", ".join(allowed))
    return value


def email(value: Any, field: str = "email") -> str:
    """A lower-cased e-mail address."""
    if not isinstance(value, str) or not _EMAIL.match(value.strip()) or len(value) > 254:
        raise InvalidInput(field, "must be a valid e-mail address")
    return value.strip().lower()


MIN_PASSWORD, MAX_PASSWORD = 10, 200


def password(value: Any, field: str = "password", hints: tuple[str, ...] = ()) -> str:
    """A password of 10 to 200 characters, no control characters, and not easy to guess: zxcvbn
    (Dropbox's estimator, with its lists of common passwords, names and keyboard patterns) must
    rate it at least 2 of 4, the hints (e-mail, business name) counted as known words."""
    if not isinstance(value, str) or not MIN_PASSWORD <= len(value) <= MAX_PASSWORD:
        raise InvalidInput(field, "must be 10 to 200 characters")
    if _CONTROL.search(value) or not value.strip():
        raise InvalidInput(field, "must not be blank or contain control characters")
    if zxcvbn(value, user_inputs=[hint for hint in hints if hint])["score"] < 2:
        raise InvalidInput(field, "is too easy to guess: use a few unrelated words or a longer phrase")
    return value


def phone(value: Any, region: str = "BR", field: str = "phone") -> str:
    """A phone number normalised to E.164 digits (no plus sign)."""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise InvalidInput(field, "must be a phone number")
    raw = str(value).strip()
    if not raw or len(raw) > 32:
        raise InvalidInput(field, "must be a phone number")
    if raw.isdigit() and len(raw) > 11:
        raw = "+" + raw  # digits with a country code, as WhatsApp writes them
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise InvalidInput(field, "%(value)s is not a phone number", value=repr(str(value))) from None
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidInput(field, "%(value)s is not a possible phone number", value=repr(str(value)))
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)[1:]


def tags(value: Any, field: str = "tags") -> list[str]:
    """A de-duplicated list of short tags."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > 50:
        raise InvalidInput(field, "must be a list of at most 50 tags")
    cleaned: list[str] = []
    for tag in value:
        if not isinstance(tag, str) or not _TAG.match(tag.strip()):
            raise InvalidInput(field, "%(tag)s is not a valid tag (letters, digits, up to 50)", tag=repr(tag))
        if tag.strip() not in cleaned:
            cleaned.append(tag.strip())
    return cleaned


def moment(value: Any, field: str, zone: tzinfo | None = None) -> datetime:
    """An ISO 8601 date and time; without an offset it is read in zone (required when None)."""
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise InvalidInput(field, "must be an ISO 8601 date and time, e.g. 2026-11-25T14:30:00-03:00")
    if parsed.tzinfo is None:
        if zone is None:
            raise InvalidInput(field, "must include a time zone offset, e.g. -03:00 or Z")
        parsed = parsed.replace(tzinfo=zone)
    return parsed
