"""The shapes of the messaging API: contacts and their pages, conversations and messages."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import Field, ValidationInfo

from zapfleet.core import validation
from zapfleet.core.errors import InvalidInput
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
    checked,
)
from zapfleet.core.vocabulary import (
    DELIVERY_STATUSES,
    MAX_RECEIVED_TEXT,
    MESSAGE_DIRECTIONS,
    MESSAGE_ORIGINS,
    MESSAGE_STATUSES,
    MESSAGE_TYPES,
    WEBHOOK_EVENTS,
)
from zapfleet.messaging.media_shapes import MessageMedia

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
    field: str = Field(description="The column at fault.")
    message_id: str = Field(description="The error's English text with %(name)s placeholders, for "
                                        "translating it; `params` fills them in.")
    params: dict[str, Any] = Field(description="The values of message_id's placeholders.")


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
    status: str = Field("open", description="open, pending or resolved (the team inbox).",
                        json_schema_extra={"enum": ["open", "pending", "resolved"]})
    assignee_id: Uuid | None = Field(None, description="The user handling it; null when unassigned.")
    labels: list[str] = Field([], description="The conversation's labels.")


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
    body: str = Field(max_length=MAX_RECEIVED_TEXT, description="The text (a received one may be as long as "
                                                                "WhatsApp allows: 65,536 characters).")
    status: Annotated[str, Choice(MESSAGE_STATUSES, "Delivery status.")]
    provider_message_id: str | None = Field(description="The WhatsApp provider's id for the message.")
    idempotency_key: str | None = Field(description="The sender's key that prevents storing it twice.")
    error: str | None = Field(description="Why delivery failed, when it did.")
    origin: Annotated[str, Choice(MESSAGE_ORIGINS)] | None = Field(
        description="Who made an outbound message: api (the send API or the inbox), campaign, "
                    "notice (appointments), bot, auto_reply, phone (typed on the business's own "
                    "phone); null for inbound ones.")
    send_at: datetime | None = Field(description="When a scheduled message is to leave.")
    created_at: datetime
    updated_at: datetime
    reactions: dict[str, str] = Field(description="The latest reaction of each sender: phone (or "
                                                   "\"business\") to emoji.")
    previous_bodies: list[str] = Field(description="The texts before each edit, oldest first.")
    edited_at: datetime | None = Field(description="When its sender last edited it.")
    deleted_at: datetime | None = Field(description="When its sender deleted it for everyone (its text "
                                                    "is then wiped).")
    reply_to: Uuid | None = Field(description="The message this one quotes (a reply), when it is stored.")
    type: Annotated[str, Choice(MESSAGE_TYPES, "What the message holds: a text, a file of one of "
                                               "these kinds (with its caption in body), a location "
                                               "or a contact card.")] = "text"
    media: MessageMedia | None = Field(None, description="Its file; null for a text, a location or a "
                                                         "contact.")
    attachment: dict[str, Any] | None = Field(None, description="A location {latitude, longitude, "
                                                                "name, address} or a contact {name, "
                                                                "vcard}.")
    seq: int | None = Field(None, description="Its place in the account's messages, in the order "
                                              "they were stored: conversations read by it.")


class MessagePage(Shape):
    """A page of messages, in the order they were stored."""

    items: list[Message]
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class OutboxMessage(Message):
    """An outbound message and its outbox state."""

    conversation_id: Uuid | None = Field(  # type: ignore[assignment] # null only here
        description='Its conversation; null for a moment after a send with "wait": false, until '
                    "the dispatcher files it there.")
    attempts: int = Field(ge=0, description="How often it was handed to the worker.")
    lease_until: datetime | None = Field(description="Until when a sender holds it; null when free.")
    deadline_at: datetime | None = Field(description="When it fails if still not sent.")
    sent_at: datetime | None = Field(description="When the worker sent it.")


class SendResult(Shape):
    """The message as sent, queued or found by its idempotency key."""

    message: OutboxMessage
    duplicate: bool = Field(description="True when the idempotency key was used before.")


def _events(value: Any, _info: ValidationInfo) -> list[str]:
    if not isinstance(value, list) or not value or any(e not in WEBHOOK_EVENTS for e in value):
        raise InvalidInput("events", "must be a non-empty list of: %(allowed)s", allowed=", ".join(WEBHOOK_EVENTS))
    return sorted(set(value))


def _webhook_url(value: Any, _info: ValidationInfo) -> str:
    url = validation.text({"url": value}, "url", max_len=2000, required=True) or ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("url", "must be an http:// or https:// URL")
    return url


Events = Annotated[list[Annotated[str, Choice(WEBHOOK_EVENTS)]],
                   Field(min_length=1, json_schema_extra={"uniqueItems": True},
                         description="The events to deliver; all of them when omitted."),
                   checked(_events)]


class WebhookIn(Shape):
    """A webhook to create or change."""

    url: Annotated[str, Field(max_length=2000, description="An http:// or https:// URL.",
                              json_schema_extra={"format": "uri"}), checked(_webhook_url)]
    events: Events = list(WEBHOOK_EVENTS)
    enabled: Annotated[bool, Field(description="False to pause deliveries."),
                       checked(lambda v, _i: validation.boolean({"v": v}, "v", default=True))] = True
    rotate_secret: Annotated[bool, Field(description="True to replace the signing secret."), IsFlag] = False


class WebhookBase(Shape):
    """What every view of a webhook shows."""

    account_id: Uuid = Field(description="The account the webhook belongs to.")
    url: str = Field(description="Where events are POSTed.", json_schema_extra={"format": "uri"})
    events: list[Annotated[str, Choice(WEBHOOK_EVENTS)]] = Field(description="The events it receives.")
    enabled: bool = Field(description="False to stop deliveries without removing it.")
    created_at: datetime
    updated_at: datetime


class Webhook(WebhookBase):
    """An account's webhook; the secret is not shown."""

    secret_hint: str = Field(description="The first characters of the signing secret.")


class NewWebhook(WebhookBase):
    """A webhook just created or whose secret was rotated, with its secret."""

    secret: str = Field(description="The signing secret (HMAC-SHA256 over \"<timestamp>.<body>\" in "
                                    "X-Zapfleet-Signature): store it now, it is shown once.")


class WebhookDelivery(Shape):
    """One event's delivery to the webhook."""

    id: Uuid = Field(description="The delivery's id (also sent as X-Zapfleet-Delivery).")
    account_id: Uuid
    event: Annotated[str, Choice(WEBHOOK_EVENTS, "The event.")]
    payload: dict[str, Any] = Field(description="The JSON body POSTed: {id, event, account_id, "
                                                "created_at, data}.")
    status: Annotated[str, Choice(DELIVERY_STATUSES, "pending until delivered or given up.")]
    attempts: int = Field(ge=0, description="How many times it was tried.")
    next_attempt_at: datetime = Field(description="When it is tried next while pending.")
    last_status_code: int | None = Field(description="The HTTP status of the last try; null if none came.")
    last_error: str | None = Field(description="Why the last try failed.")
    created_at: datetime
    delivered_at: datetime | None = Field(description="When the URL accepted it.")


class WebhookDeliveryPage(Shape):
    """A page of deliveries, newest first."""

    items: list[WebhookDelivery]
    next_cursor: str | None = Field(description=NEXT_CURSOR)
