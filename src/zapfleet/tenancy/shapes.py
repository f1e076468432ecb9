"""The shapes of accounts, sign-up, users and API keys."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, ValidationInfo

from zapfleet.core import validation
from zapfleet.core.errors import InvalidInput
from zapfleet.core.shapes import Choice, Patch, RequiredText, Shape, Uuid, checked
from zapfleet.core.vocabulary import ACCOUNT_PLANS, ACCOUNT_STATUSES

SLUG_PATTERN = "^[a-z0-9][a-z0-9-]{0,62}$"


def _optional_phone(value: Any, info: ValidationInfo) -> str | None:
    if value in (None, ""):
        return None
    return validation.phone(value, (info.context or {}).get("region", "BR"))


def _settings(value: Any, _info: ValidationInfo) -> dict:
    if not isinstance(value, dict):
        raise InvalidInput("settings", "must be an object")
    return value


def _slug(value: Any, _info: ValidationInfo) -> str:
    slug = validation.text({"slug": value}, "slug", max_len=63, required=True) or ""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        raise InvalidInput("slug", "must be lower-case letters, digits and dashes")
    return slug


OptionalPhone = Annotated[str | None, Field(description="WhatsApp number in any common format; "
                                                        "null or empty clears it."),
                          checked(_optional_phone)]
SETTINGS_FIELD = Field(description="Free-form settings object.")
Settings = Annotated[dict[str, Any], SETTINGS_FIELD, checked(_settings)]
Slug = Annotated[str, Field(pattern=SLUG_PATTERN, description="URL-safe identifier; made from the "
                                                              "name when absent."), checked(_slug)]
AccountName = Annotated[str, RequiredText(200, "Display name.")]
Plan = Annotated[str, Choice(ACCOUNT_PLANS, "Billing plan.")]
Status = Annotated[str, Choice(ACCOUNT_STATUSES, "Lifecycle status.")]


class AccountIn(Shape):
    """A new account (platform admin only)."""

    name: AccountName
    phone: OptionalPhone = None
    plan: Plan = "free"
    settings: Settings = {}
    slug: Slug | None = None


class AccountPatch(Patch):
    """Changes to an account; only the platform admin may change plan and status."""

    nullable = ("phone",)

    name: Annotated[str | None, RequiredText(200, "Display name.")] = None
    phone: OptionalPhone = None
    plan: Annotated[str | None, Choice(ACCOUNT_PLANS, "Billing plan.")] = None
    status: Annotated[str | None, Choice(ACCOUNT_STATUSES, "Lifecycle status.")] = None
    settings: Annotated[dict[str, Any] | None, SETTINGS_FIELD, checked(_settings)] = None


class Account(Shape):
    """An account (tenant): a business and everything stored under it."""

    id: Uuid
    name: str = Field(min_length=1, max_length=200)
    slug: str = Field(pattern=SLUG_PATTERN, description="URL-safe unique identifier.")
    phone: str | None = Field(description="WhatsApp number as E.164 digits without the plus sign.")
    plan: Plan
    status: Status
    settings: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class AccountList(Shape):
    """Every account."""

    items: list[Account]
