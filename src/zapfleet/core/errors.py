"""Domain errors. Each carries one code from a fixed list; the web layer maps codes to HTTP.

A message is an English template (the msgid the pages translate) with its parameters apart:
`InvalidInput("phone", "%(value)s is not a possible phone number", value="'123'")`. The API
answers the English text; pages render the template through gettext with the parameters."""
from __future__ import annotations

from typing import Any, TypeVar

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

    def __init__(self, message: str, **params: Any):
        self.template, self.params = message, params
        self.message = fill(message, params)
        super().__init__(self.message)


class InvalidInput(ZapfleetError):
    """Bad input; names the offending field."""

    code = "invalid_input"

    def __init__(self, field: str, message: str, **params: Any):
        detail = fill(message, params)
        super().__init__(f"{field}: {detail}")
        self.template, self.params = message, params
        self.field, self.detail = field, detail

    def renamed(self, field: str) -> InvalidInput:
        """The same error naming another field (a check run on a stand-in name)."""
        return InvalidInput(field, self.template, **self.params)


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


def message_id(template: str) -> str:
    """Mark a message kept in a constant for the translation catalogue (pybabel's keyword)."""
    return template


def fill(template: str, params: dict[str, Any]) -> str:
    """The template with its %(name)s parameters filled in (a template without any as it is)."""
    return template % params if params else template


def found(row: Row | None, what: str) -> Row:
    """The row, or NotFound("no such <what>") when there is none."""
    if row is None:
        raise NotFound("no such %(what)s", what=what)
    return row
