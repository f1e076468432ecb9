"""The shapes of an account's members and invitations."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, ValidationInfo

from zapfleet.core import validation
from zapfleet.core.shapes import Choice, RequiredText, Shape, Uuid, checked
from zapfleet.core.vocabulary import ACCOUNT_ROLES

ROLE_HELP = "admin: everything, keys, settings and members included; agent: the inbox, contacts and appointments."
Role = Annotated[str, Choice(ACCOUNT_ROLES, ROLE_HELP)]


def _email(value: Any, _info: ValidationInfo) -> str:
    return validation.email(value)


class InvitationIn(Shape):
    """An invitation to join the account."""

    email: Annotated[str, Field(max_length=254, description="The invited person's e-mail address.",
                                json_schema_extra={"format": "email"}), checked(_email)]
    role: Role = "agent"


class RoleChange(Shape):
    """A member's new role."""

    role: Role


class AcceptanceIn(Shape):
    """What the invited person chooses when accepting (the password is checked with the e-mail)."""

    name: Annotated[str, RequiredText(100, "The person's name, shown to the team.")]
    password: Annotated[str, Field(min_length=10, max_length=200, description="10 to 200 characters, "
                                   "not easy to guess (rated by zxcvbn).")]


class Member(Shape):
    """A person who signs in to the account."""

    id: Uuid
    account_id: Uuid
    email: str = Field(description="Lower-cased e-mail address.", json_schema_extra={"format": "email"})
    name: str = Field(description="The name chosen when accepting the invitation; empty for the "
                                  "account's first user.")
    role: Role
    created_at: datetime


class MemberList(Shape):
    """The account's members, oldest first."""

    items: list[Member]


class Invitation(Shape):
    """An invitation not accepted yet (its link is never stored: only the token's hash)."""

    id: Uuid
    account_id: Uuid
    email: str = Field(json_schema_extra={"format": "email"})
    role: Role
    invited_by: Uuid | None = Field(description="The member who invited; null once removed.")
    created_at: datetime
    expires_at: datetime = Field(description="The link works until then (7 days after it was made).")


class InvitationList(Shape):
    """The account's open invitations, newest first (expired ones included)."""

    items: list[Invitation]


class NewInvitation(Invitation):
    """An invitation just made (or its new link)."""

    emailed: bool = Field(description="Whether the link was sent by e-mail (SMTP_URL set).")
    link: str | None = Field(description="The link to give the invited person when it was not e-mailed "
                                         "(shown only in this answer); null when it was.")
