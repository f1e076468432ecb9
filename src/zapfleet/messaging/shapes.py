"""The shapes of the messaging API: contacts and their pages, conversations and messages."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from zapfleet.core.pagination import DEFAULT_LIMIT, MAX_LIMIT
from zapfleet.core.shapes import (
    E164,
    PHONE_DESCRIPTION,
    Choice,
    Flag,
    IsFlag,
    IsPhone,
    IsTags,
    Patch,
    Phone,
    Shape,
    TagList,
    Tags,
    Text,
    Uuid,
)
from zapfleet.core.vocabulary import MAX_TEXT_LENGTH, MESSAGE_DIRECTIONS, MESSAGE_ORIGINS, MESSAGE_STATUSES

NEXT_CURSOR = "Pass as ?cursor= to get the next page; null on the last page."


class PageQuery(Shape):
    """Keyset pagination: a page size and the cursor of the previous page."""

    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="How many items per page.")
    cursor: str | None = Field(None, description="The next_cursor of the previous page; omit for "
                                                 "the first page.")


class ContactQuery(PageQuery):
    """Filters of the contact list."""

    tag: str | None = Field(None, description="Only contacts with this tag.")
    q: str | None = Field(None, description="Only contacts whose name contains, or phone "
                                            "includes, this text.")


class ImportQuery(Shape):
    """Options of a CSV import."""

    encoding: str | None = Field(None, description="The file's text encoding, such as latin-1 or "
                                                   "cp1252; UTF-8 (with or without a BOM) when omitted.")


class ContactIn(Shape):
    """A new contact."""

    phone: Phone
    name: Annotated[str, Text(200, "Display name.")] = ""
    tags: Tags = Field([], description="Tags used to filter and target contacts; duplicates "
                                       "are dropped.")
    opted_out: Flag = Field(False, description="True when the contact asked for no campaigns.")


class ContactPatch(Patch):
    """Changes to a contact: only the fields sent change."""

    phone: Annotated[str | None, Field(description=PHONE_DESCRIPTION), IsPhone] = None
    name: Annotated[str | None, Text(200, "Display name.")] = None
    tags: Annotated[TagList | None, Field(max_length=50), IsTags] = Field(
        None, description="Tags used to filter and target contacts; duplicates are dropped.")
    opted_out: Annotated[bool | None, IsFlag] = Field(None, description="True when the contact "
                                                                       "asked for no campaigns.")


class Contact(Shape):
    """A person the account talks to."""

    id: Uuid
    account_id: Uuid
    phone: E164
    name: str = Field(max_length=200)
    tags: list[str]
    opted_out: bool
    created_at: datetime
    updated_at: datetime


class ContactPage(Shape):
    """A page of contacts, oldest first."""

    items: list[Contact]
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class RejectedRow(Shape):
    """A CSV row the import rejected."""

    line: int = Field(description="Line number in the file.")
    error: str = Field(description="Why the row was rejected.")


class ImportReport(Shape):
    """The outcome of a CSV import."""

    created: int = Field(ge=0, description="Rows that added a new contact.")
    updated: int = Field(ge=0, description="Rows merged into an existing contact.")
    error_count: int = Field(ge=0, description="Rows rejected, in total.")
    errors: list[RejectedRow] = Field(max_length=1000, description="The first 1000 rejected rows.")


class Conversation(Shape):
    """The thread of messages with one contact."""

    id: Uuid
    account_id: Uuid
    contact_id: Uuid = Field(description="The contact on the other side.")
    phone: E164
    name: str = Field(description="The contact's name.")
    last_message_at: datetime | None = Field(description="When the last message was stored; null "
                                                         "when none yet.")
    unread_count: int = Field(ge=0, description="Incoming messages not yet read.")
    created_at: datetime


class ConversationPage(Shape):
    """A page of conversations, most recent first."""

    items: list[Conversation]
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class Message(Shape):
    """One WhatsApp message."""

    id: Uuid
    account_id: Uuid
    conversation_id: Uuid
    direction: Annotated[str, Choice(MESSAGE_DIRECTIONS, "in: received from the contact; out: sent to it.")]
    body: str = Field(max_length=MAX_TEXT_LENGTH, description="The text.")
    status: Annotated[str, Choice(MESSAGE_STATUSES, "Delivery status.")]
    provider_message_id: str | None = Field(description="The WhatsApp provider's id for the message.")
    idempotency_key: str | None = Field(description="The sender's key that prevents storing it twice.")
    error: str | None = Field(description="Why delivery failed, when it did.")
    origin: Annotated[str, Choice(MESSAGE_ORIGINS)] | None = Field(
        description="Who made an outbound message: api (the send API or the inbox), campaign, "
                    "notice (appointments), bot, auto_reply; null for inbound ones.")
    send_at: datetime | None = Field(description="When a scheduled message is to leave.")
    created_at: datetime
    updated_at: datetime


class MessagePage(Shape):
    """A page of messages, oldest first."""

    items: list[Message]
    next_cursor: str | None = Field(description=NEXT_CURSOR)
