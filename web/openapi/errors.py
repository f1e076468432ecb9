"""The one error shape, and a reusable response per error status the API documents."""
from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from zapfleet.core.errors import ERROR_CODES
from zapfleet.core.shapes import Choice, Shape

ERROR_DESCRIPTIONS = {
    "invalid_input": "The input is invalid; the message starts with the offending field.",
    "unauthorized": "The API key is missing, unknown or revoked.",
    "forbidden": "The key is valid but may not do this; code account_suspended: its account is "
                 "suspended or cancelled (only reading the account is allowed); code plan_limit: "
                 "the account's plan (PLAN_LIMITS) allows no more contacts or messages today.",
    "not_found": "No such resource, or it belongs to another account.",
    "conflict": "The request clashes with existing data, such as a duplicate phone or e-mail, or "
                "another change to the account's WhatsApp instance is in progress, or the "
                "WhatsApp worker is not linked to a phone.",
    "payload_too_large": "The request body is larger than its limit: JSON_BODY_LIMIT for JSON, "
                         "MAX_IMPORT_BYTES for uploads.",
    "unavailable": "The database, the process supervisor or the account's WhatsApp worker cannot "
                   "be reached right now.",
}


class ErrorDetail(Shape):
    """What went wrong."""

    code: Annotated[str, Choice(ERROR_CODES, "A stable, machine-readable error code.")]
    message: str = Field(description="A human-readable explanation; for invalid input it starts "
                                     "with the field.")


class Error(Shape):
    """The shape of every error response."""

    error: ErrorDetail


def error_name(code: str) -> str:
    """The components/responses name for an error code: not_found -> NotFound."""
    return "".join(part.title() for part in code.split("_"))


def error_response_components() -> dict[str, Any]:
    """One reusable response per error status the API documents."""
    return {error_name(code): {
        "description": description,
        "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Error"},
            "example": {"error": {"code": code, "message": description}},
        }},
    } for code, description in ERROR_DESCRIPTIONS.items()}
