"""The shapes of accounts, sign-up, users and API keys."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, ValidationInfo

from zapfleet.core import validation
from zapfleet.core.errors import InvalidInput
from zapfleet.core.shapes import Choice, Patch, RequiredText, Shape, Text, Uuid, checked
from zapfleet.core.vocabulary import ACCOUNT_PLANS, ACCOUNT_STATUSES, USER_ROLES
from zapfleet.tenancy.settings_shapes import stored_settings

SLUG_PATTERN = "^[a-z0-9][a-z0-9-]{0,62}$"


def _optional_phone(value: Any, info: ValidationInfo) -> str | None:
    if value in (None, ""):
        return None
    return validation.phone(value, (info.context or {}).get("region", "BR"))


def _email(value: Any, _info: ValidationInfo) -> str:
    return validation.email(value)


def _password(value: Any, info: ValidationInfo) -> str:
    return validation.password(value, hints=(str(info.data.get("email", "")),))


def _settings(value: Any, _info: ValidationInfo) -> dict:
    if not isinstance(value, dict):
        raise InvalidInput("settings", "must be an object")
    try:
        return stored_settings(value)
    except InvalidInput as exc:  # name the setting inside: "settings: pacing.daily_cap: must be …"
        raise exc.renamed(f"settings: {exc.field}") from None


def _slug(value: Any, _info: ValidationInfo) -> str:
    slug = validation.text({"slug": value}, "slug", max_len=63, required=True) or ""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        raise InvalidInput("slug", "must be lower-case letters, digits and dashes")
    return slug


OptionalPhone = Annotated[str | None, Field(description="WhatsApp number in any common format; "
                                                        "null or empty clears it."),
                          checked(_optional_phone)]
SETTINGS_FIELD = Field(description="The messaging settings, as in MessagingSettingsChanges and checked by "
                                   "the same rules as PATCH …/settings; an object here replaces them all.")
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
    cancelled_at: datetime | None = Field(
        description="When the account was cancelled; its data is deleted CANCELLED_RETENTION_DAYS "
                    "later. Null unless cancelled.")
    created_at: datetime
    updated_at: datetime


class AccountList(Shape):
    """Every account."""

    items: list[Account]


class User(Shape):
    """A person who signs in."""

    id: Uuid
    account_id: Uuid | None = Field(description="The user's account; null for the platform admin.")
    email: str = Field(description="Lower-cased e-mail address.", json_schema_extra={"format": "email"})
    role: Annotated[str, Choice(USER_ROLES, "admin: the platform admin; member: a user of one account.")]
    account_role: str | None = Field(default=None, description="A member's role in the account: admin "
                                     "or agent (null for the platform admin).",
                                     json_schema_extra={"enum": ["admin", "agent", None]})
    created_at: datetime
    updated_at: datetime


class ApiKeyIn(Shape):
    """A new API key."""

    label: Annotated[str, Text(100, "A name for the key.")] = ""


class ApiKey(Shape):
    """An API key, without the secret."""

    id: Uuid
    account_id: Uuid | None = Field(description="The account the key acts for.")
    user_id: Uuid | None = Field(description="The user who created the key.")
    prefix: str = Field(description="The first characters of the key, to tell keys apart.")
    label: str = Field(max_length=100, description="A name for the key.")
    created_at: datetime
    last_used_at: datetime | None = Field(description="When the key was last used (to the minute).")
    revoked_at: datetime | None = Field(description="When the key was revoked; null while it works.")


class NewApiKey(ApiKey):
    """A new API key, with its secret."""

    key: str = Field(description="The secret key: store it now, it is shown only once.")


class ApiKeyList(Shape):
    """Every key, newest first."""

    items: list[ApiKey]


class RegistrationIn(Shape):
    """A sign-up."""

    email: Annotated[str, Field(max_length=254, description="The first user's e-mail address.",
                                json_schema_extra={"format": "email"}), checked(_email)]
    password: Annotated[str, Field(min_length=10, max_length=200, description="The first user's password: "
                                   "10 to 200 characters, not easy to guess (rated by zxcvbn)."),
                        checked(_password)]
    name: Annotated[str, RequiredText(200, "The business's display name.")]
    phone: Annotated[str | None, Field(description="The business's WhatsApp number (optional)."),
                     checked(_optional_phone)] = None


class SignUpSent(Shape):
    """The answer to every sign-up while sign-ups are confirmed by e-mail (SMTP_URL set): the
    same whether or not the address has an account."""

    status: Annotated[str, Field(description="Always check_your_email.")]
    message: str


class Registration(Shape):
    """The new account, its first user and its first API key."""

    account: Account
    user: User
    api_key: NewApiKey
