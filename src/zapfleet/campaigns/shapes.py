"""The shapes of campaigns: their definition, start, progress, recipients and audience."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlparse

from pydantic import Field, ValidationInfo

from zapfleet.core import validation
from zapfleet.core.errors import InvalidInput
from zapfleet.core.shapes import E164, Choice, IsTags, Patch, RequiredText, Rules, Shape, TagList, Uuid, checked
from zapfleet.core.vocabulary import CAMPAIGN_STATUSES, MAX_TEXT_LENGTH, RECIPIENT_STATUSES
from zapfleet.messaging.shapes import NEXT_CURSOR, PageQuery
from zapfleet.tenancy.templates import CAMPAIGN_PLACEHOLDERS, check_placeholders

MAX_VARIANTS = 10
WAITING_REASONS = ("not_connected", "window", "daily_cap", "gap")


def campaign_text(value: object, field: str) -> str:
    """A campaign text: a string of at most MAX_TEXT_LENGTH characters with known placeholders."""
    if not isinstance(value, str):
        raise InvalidInput(field, "must be a string")
    if len(value) > MAX_TEXT_LENGTH:
        raise InvalidInput(field, "must be at most %(most)s characters", most=MAX_TEXT_LENGTH)
    return check_placeholders(value.strip(), CAMPAIGN_PLACEHOLDERS, field)


def _variants(value: Any, _info: ValidationInfo) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_VARIANTS:
        raise InvalidInput("variants", "must be a list of at most %(most)s texts", most=MAX_VARIANTS)
    texts = [campaign_text(item, f"variants[{i}]") for i, item in enumerate(value)]
    if not all(texts):
        raise InvalidInput("variants", "must not contain empty texts")
    return texts


def _url(value: Any, info: ValidationInfo) -> str | None:
    field = info.field_name or "url"
    url = validation.text({field: value}, field, max_len=2000)
    if not url:
        return None
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise InvalidInput(field, "must be an http(s) URL")
    return url


NAME = RequiredText(200, "Display name.")
MESSAGE = Rules(Field(max_length=MAX_TEXT_LENGTH, description=(
    "The text to send; {name} (the contact's first name), {link} and {qr_code_url} are filled in, and "
    "the link and QR-code URL are added at the end when the text does not place them.")),
    checked(lambda value, _info: campaign_text(value or "", "message")))
VARIANTS = Rules(Field(max_length=MAX_VARIANTS, description="Other wordings; each recipient gets the "
                                                           "message or one of these at random."),
                 checked(_variants))
LINK = Rules(Field(max_length=2000, json_schema_extra={"format": "uri"},
                   description="An http(s) link to include; null or empty clears it."), checked(_url))
QR_CODE_URL = Rules(Field(max_length=2000, json_schema_extra={"format": "uri"},
                          description="An http(s) URL of a QR-code image (a public address): it is "
                                      "fetched when saved (400 when it is not an image) and sent as an "
                                      "image with each message; null or empty clears it."),
                    checked(_url))
ATTACHMENT = Field(description="A file sent with each message: an image or a PDF uploaded with POST "
                                "/api/accounts/{account_id}/media; null clears it. A campaign sends one "
                                "file: an attachment or its QR code.")
TARGET_TAGS = Rules(Field(max_length=50, description="Send to contacts with any of these tags."), IsTags)


class CampaignIn(Shape):
    """A new draft campaign."""

    name: Annotated[str, NAME]
    message: Annotated[str, MESSAGE] = ""
    variants: Annotated[list[str], VARIANTS] = []
    link: Annotated[str | None, LINK] = None
    qr_code_url: Annotated[str | None, QR_CODE_URL] = None
    attachment_id: Annotated[Uuid | None, ATTACHMENT] = None
    target_tags: Annotated[TagList, TARGET_TAGS] = []


class CampaignPatch(Patch):
    """Changes to a campaign: its name at any time, its texts and tags before it starts."""

    nullable = ("link", "qr_code_url", "attachment_id")
    name: Annotated[str | None, NAME] = None
    message: Annotated[str | None, MESSAGE] = None
    variants: Annotated[list[str] | None, VARIANTS] = None
    link: Annotated[str | None, LINK] = None
    qr_code_url: Annotated[str | None, QR_CODE_URL] = None
    attachment_id: Annotated[Uuid | None, ATTACHMENT] = None
    target_tags: Annotated[TagList | None, TARGET_TAGS] = None


class CampaignCounts(Shape):
    """Recipients per status: pending (its turn has not come), queued (made, not yet taken by WhatsApp),
    sent, delivered, read, failed, skipped (opted out or deleted before its turn), cancelled (the
    campaign was cancelled first)."""

    total: int = Field(description="Every recipient.")
    pending: int
    queued: int
    sent: int
    delivered: int
    read: int
    failed: int
    skipped: int
    cancelled: int


class Campaign(Shape):
    """A bulk message to a set of contacts; texts and tags change only before it starts."""

    id: Uuid
    account_id: Uuid = Field(description="The account the campaign belongs to.")
    name: str = Field(max_length=200, description="Display name.")
    message: str = Field(max_length=MAX_TEXT_LENGTH, description="The text to send.")
    variants: list[str] = Field(description="Other wordings.")
    link: str | None = Field(description="A link to include.")
    qr_code_url: str | None = Field(description="The URL of a QR-code image; it is sent as an image with "
                                                "each message.")
    attachment_id: Uuid | None = Field(description="The file sent with each message.")
    qr_code_media_id: Uuid | None = Field(description="The QR-code image as fetched when its URL was saved.")
    target_tags: list[str] = Field(description="Sent to contacts with any of these tags; all when empty.")
    status: Annotated[str, Choice(CAMPAIGN_STATUSES, "Lifecycle status; new campaigns are drafts.")]
    send_at: datetime | None = Field(description="When a scheduled campaign starts.")
    started_at: datetime | None = Field(description="When it started (its recipients were fixed).")
    finished_at: datetime | None = Field(description="When it completed or was cancelled.")
    counts: CampaignCounts
    created_at: datetime
    updated_at: datetime


class CampaignList(Shape):
    """Every campaign, newest first."""

    items: list[Campaign]


class CampaignStart(Shape):
    """How to start; the body is optional."""

    send_at: str | None = Field(None, json_schema_extra={"format": "date-time"},
                                description="Start at this moment instead of now (within 90 days).")


class Waiting(Shape):
    """What a running campaign waits for."""

    reason: Annotated[str, Choice(WAITING_REASONS, "not_connected: the number is not linked (or banned, or "
                                                   "stopped); window: outside the sending hours; daily_cap: "
                                                   "today's cap is reached; gap: the pause between two "
                                                   "messages.")]
    until: datetime | None = Field(description="When sending may go on; null when it depends on the number.")
    number_status: str = Field(description="The instance's status.")


class CampaignProgress(Shape):
    """A campaign's progress."""

    campaign_id: Uuid
    status: Annotated[str, Choice(CAMPAIGN_STATUSES, "The campaign's status.")]
    counts: CampaignCounts
    waiting: Waiting | None = Field(description="What a running campaign waits for; null when it is not "
                                                "waiting.")
    rate_per_minute: float | None = Field(description="Average messages per minute.")
    daily_cap: int = Field(description="Today's cap of the number (warm-up included).")
    sent_today: int = Field(description="Campaign messages queued by the number today.")


class Recipient(Shape):
    """One recipient of a campaign."""

    id: Uuid
    campaign_id: Uuid
    contact_id: Uuid | None = Field(description="The contact; null once it is deleted.")
    phone: E164
    name: str = Field(description="The contact's name at the start.")
    position: int = Field(description="Send order, from 1.")
    status: Annotated[str, Choice(RECIPIENT_STATUSES, "As in counts.")]
    message_id: Uuid | None = Field(description="The message sent to it.")
    error: str | None = Field(description="Why it was skipped.")
    sent_at: datetime | None = Field(description="When WhatsApp took the message.")
    status_at: datetime | None = Field(description="When the message's status last changed.")
    created_at: datetime
    updated_at: datetime


class RecipientPage(Shape):
    """A page of recipients in send order."""

    items: list[Recipient]
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class RecipientQuery(PageQuery):
    """Filters of the recipient list."""

    status: Annotated[str, Choice(RECIPIENT_STATUSES, "Only this status.")] | None = None


class AudienceQuery(Shape):
    """The tags of an audience."""

    tags: list[str] = Field([], description="Tags, repeated (?tags=a&tags=b) or separated by commas.")


class Audience(Shape):
    """The size of an audience."""

    tags: list[str] = Field(description="The tags.")
    count: int = Field(description="Contacts (not opted out) with any of the tags; all of them when there "
                                   "is no tag.")
