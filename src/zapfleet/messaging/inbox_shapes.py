"""The shapes of the team inbox's API: filters, changes to a conversation, notes, quick replies
and search results."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import Field, ValidationInfo

from zapfleet.core.errors import InvalidInput
from zapfleet.core.shapes import E164, Choice, Patch, RequiredText, Shape, TagList, Uuid, checked
from zapfleet.core.validation import tags as valid_tags
from zapfleet.messaging.shapes import Conversation, PageQuery

CONVERSATION_STATUSES = ("open", "pending", "resolved")
SHORTCUT_PATTERN = r"^[a-z0-9_-]{1,30}$"
SHORTCUT_RULE = "1 to 30 lowercase letters, digits, - or _"
MAX_NOTE = 4000
MAX_QUICK_REPLY = 4096


def _labels(value: Any, _info: ValidationInfo) -> list[str]:
    return valid_tags(value, "labels")


def _shortcut(value: Any, _info: ValidationInfo) -> str:
    if not isinstance(value, str) or not re.match(SHORTCUT_PATTERN, value.strip().lstrip("/")):
        raise InvalidInput("shortcut", "must be 1 to 30 lowercase letters, digits, - or _")
    return value.strip().lstrip("/")


Labels = Annotated[TagList, Field(max_length=50, description="Labels, like tags: duplicates are "
                                                             "dropped."), checked(_labels)]
Shortcut = Annotated[str, Field(pattern=SHORTCUT_PATTERN, description="What follows / in the "
                                f"composer: {SHORTCUT_RULE}."), checked(_shortcut)]
QuickReplyText = RequiredText(MAX_QUICK_REPLY, "The text; {nome} and {primeiro_nome} are filled "
                                               "with the contact's name when it is used.")


class ConversationQuery(PageQuery):
    """Filters of the conversation list."""

    status: Annotated[str, Choice(CONVERSATION_STATUSES)] | None = Field(
        None, description="Only conversations with this status.")
    assignee: str | None = Field(None, description="mine (the caller's user), unassigned, or a "
                                                   "user's id; all when omitted.")
    label: str | None = Field(None, description="Only conversations with this label.")


class InboxConversation(Conversation):
    """A conversation as the inbox lists it, with its last message's preview."""

    assignee: str | None = Field(None, description="The assigned member's e-mail.")
    preview: str | None = Field(None, description="The start of the last message's text.")
    preview_type: str | None = Field(None, description="The last message's type.")
    preview_direction: str | None = Field(None, description="in or out: who wrote the last message.")
    preview_deleted: bool | None = Field(None, description="True when the last message was deleted.")


class InboxConversationPage(Shape):
    """A page of conversations, most recent first."""

    items: list[InboxConversation]
    next_cursor: str | None


class ConversationPatch(Patch):
    """Changes to a conversation: only the fields sent change."""

    nullable: ClassVar[tuple[str, ...]] = ("assignee_id",)
    status: Annotated[str | None, Choice(CONVERSATION_STATUSES, "open, pending or resolved (a "
                                                                "new message reopens a resolved one).")] = None
    assignee_id: Uuid | None = Field(None, description="A user of the account; null unassigns.")
    labels: Annotated[TagList | None, Field(max_length=50), checked(_labels)] = Field(
        None, description="The conversation's labels (replacing the old ones).")


class NoteIn(Shape):
    """A private note: seen by the account's people, never sent to the contact."""

    body: Annotated[str, RequiredText(MAX_NOTE, "The note's text.")]


class Note(Shape):
    """A private note inside a conversation."""

    id: Uuid
    account_id: Uuid
    conversation_id: Uuid
    author_id: Uuid | None = Field(description="The user who wrote it; null for an API key.")
    author: str | None = Field(description="That user's e-mail.")
    body: str
    created_at: datetime


class NoteList(Shape):
    """A conversation's latest notes, oldest first."""

    items: list[Note]


class QuickReplyIn(Shape):
    """A saved reply for the composer's / list."""

    shortcut: Shortcut
    body: Annotated[str, QuickReplyText]


class QuickReplyPatch(Patch):
    """Changes to a quick reply."""

    shortcut: Annotated[str | None, Field(pattern=SHORTCUT_PATTERN), checked(_shortcut)] = None
    body: Annotated[str | None, QuickReplyText] = None


class QuickReply(Shape):
    """A saved reply."""

    id: Uuid
    account_id: Uuid
    shortcut: str
    body: str
    created_at: datetime
    updated_at: datetime


class QuickReplyList(Shape):
    """The account's quick replies by shortcut."""

    items: list[QuickReply]


class SearchQuery(Shape):
    """A search over the account's messages and contacts."""

    q: str = Field(min_length=1, max_length=200, description="Words in Portuguese (accents do not "
                   "matter; \"a phrase\", -without and or work as in web search engines).")
    limit: int = Field(20, ge=1, le=100, description="How many messages at most.")


class MessageHit(Shape):
    """A message that matches, newest first."""

    id: Uuid
    conversation_id: Uuid
    direction: str
    created_at: datetime
    snippet: str = Field(description="The start of its text.")
    phone: E164
    name: str


class ContactHit(Shape):
    """A contact whose name or phone matches."""

    id: Uuid
    phone: E164
    name: str
    conversation_id: Uuid | None = Field(description="Its conversation, when it has one.")


class SearchResults(Shape):
    """What matched."""

    messages: list[MessageHit]
    contacts: list[ContactHit]
