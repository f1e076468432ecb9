"""Domain errors. Each carries one code from a fixed list; the web layer maps codes to HTTP."""
from __future__ import annotations

from typing import TypeVar

ERROR_CODES = (
    "invalid_input",
    "unauthorized",
    "forbidden",
    "account_suspended",
    "plan_limit",
    "not_found",
    "conflict",
    "method_not_allowed",
    "payload_too_large",
    "unsupported_media_type",
    "rate_limited",
    "unavailable",
    "internal_error",
)


class ZapfleetError(Exception):
    """Base of every domain error."""

    code = "internal_error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidInput(ZapfleetError):
    """Bad input; names the offending field."""

    code = "invalid_input"

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field, self.detail = field, message


class Unauthorized(ZapfleetError):
    """Missing or wrong credentials."""

    code = "unauthorized"


class Forbidden(ZapfleetError):
    """Valid credentials that may not do this."""

    code = "forbidden"


class AccountSuspended(Forbidden):
    """The account is suspended or cancelled: only reading the account itself is allowed."""

    code = "account_suspended"


class PlanLimit(Forbidden):
    """The account's plan allows no more of this."""

    code = "plan_limit"


class NotFound(ZapfleetError):
    """No such thing, or it belongs to another account."""

    code = "not_found"


class Conflict(ZapfleetError):
    """The request clashes with the current state (a duplicate, a concurrent change)."""

    code = "conflict"


class PayloadTooLarge(ZapfleetError):
    """The request body is larger than its limit."""

    code = "payload_too_large"


class TooManyRequests(ZapfleetError):
    """Too many attempts in a short time; try again later."""

    code = "rate_limited"


class Unavailable(ZapfleetError):
    """A dependency (database, worker) cannot be reached right now."""

    code = "unavailable"


Row = TypeVar("Row")


def found(row: Row | None, what: str) -> Row:
    """The row, or NotFound("no such <what>") when there is none."""
    if row is None:
        raise NotFound(f"no such {what}")
    return row
