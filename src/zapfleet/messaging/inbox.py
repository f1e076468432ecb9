"""The team inbox: conversation status, assignment and labels, private notes, quick replies,
the unread total and full-text search."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from zapfleet.core.errors import Conflict, InvalidInput, NotFound, message_id
from zapfleet.core.pagination import decode_cursor, next_cursor
from zapfleet.core.shapes import parse
from zapfleet.core.unique import unique_violation
from zapfleet.db import Database
from zapfleet.db import inbox as sql
from zapfleet.db import messages as messages_sql
from zapfleet.db import search as search_sql
from zapfleet.messaging.inbox_shapes import (
    ConversationPatch,
    ConversationQuery,
    NoteIn,
    QuickReplyIn,
    QuickReplyPatch,
    SearchQuery,
)

NOTES_SHOWN = 200
CONTACT_HITS = 10
_WORD = re.compile(r"[^\W_]+")
_PLACEHOLDER = re.compile(r"\{(nome|primeiro_nome)\}")


def fill_placeholders(text: str, contact_name: str) -> str:
    """A quick reply's text with {nome} and {primeiro_nome} replaced by the contact's name."""
    first = contact_name.split()[0] if contact_name.strip() else ""
    return _PLACEHOLDER.sub(lambda m: contact_name.strip() if m.group(1) == "nome" else first, text)


class TeamInbox:
    """What a team needs beside the messages: who handles which conversation, in what state."""

    def __init__(self, db: Database):
        self.db = db

    def list_conversations(self, account_id: UUID, args: Mapping[str, Any],
                           user_id: UUID | None = None) -> dict:
        """A page of conversations with previews, filtered by status, assignee (mine, unassigned
        or a user's id) and label."""
        query = parse(ConversationQuery, dict(args))
        filters: dict[str, Any] = {"status": query.status, "label": query.label}
        if query.assignee == "unassigned":
            filters["unassigned"] = True
        elif query.assignee == "mine":
            if user_id is None:
                raise InvalidInput("assignee", "mine needs a signed-in user or a user's API key")
            filters["assignee_id"] = user_id
        elif query.assignee:
            filters["assignee_id"] = _uuid(query.assignee, "assignee")
        with self.db.tenant(account_id) as conn:
            rows = sql.list_conversations(conn, account_id, query.limit, decode_cursor(query.cursor),
                                          filters)
        page = next_cursor(rows, query.limit, moment_key="sort_at")
        for row in rows:
            del row["sort_at"]
        return {"items": rows, "next_cursor": page}

    def update_conversation(self, account_id: UUID, conversation_id: UUID,
                            data: Mapping[str, Any]) -> dict:
        """Change a conversation's status, assignee (a user of the account; null unassigns) or
        labels; the conversation as it is now."""
        with self.db.tenant(account_id) as conn:
            self._conversation(conn, account_id, conversation_id)  # another account's: 404 first
            changes = parse(ConversationPatch, data).model_dump(exclude_unset=True)
            assignee = changes.get("assignee_id")
            if assignee is not None and sql.account_user(conn, account_id, assignee) is None:
                raise InvalidInput("assignee_id", "must be a user of this account")
            if changes and not sql.update_conversation(conn, account_id, conversation_id, changes):
                raise NotFound("no such conversation")
            conversation = messages_sql.get_conversation(conn, account_id, conversation_id)
        if conversation is None:
            raise NotFound("no such conversation")
        return conversation

    def members(self, account_id: UUID) -> list[dict]:
        """Who conversations may be assigned to: the account's users (id, email)."""
        with self.db.tenant(account_id) as conn:
            return sql.account_users(conn, account_id)

    def unread_total(self, account_id: UUID) -> int:
        """Received messages not yet read in all the account's conversations."""
        with self.db.tenant(account_id) as conn:
            return sql.unread_total(conn, account_id)

    def add_note(self, account_id: UUID, conversation_id: UUID, data: Mapping[str, Any],
                 author_id: UUID | None = None) -> dict:
        """Add a private note to a conversation (never sent to the contact)."""
        with self.db.tenant(account_id) as conn:
            self._conversation(conn, account_id, conversation_id)  # another account's: 404 first
            body = parse(NoteIn, data).body
            return sql.insert_note(conn, account_id, conversation_id, author_id, body)

    def list_notes(self, account_id: UUID, conversation_id: UUID) -> list[dict]:
        """A conversation's latest notes, oldest first."""
        with self.db.tenant(account_id) as conn:
            self._conversation(conn, account_id, conversation_id)
            return sql.list_notes(conn, account_id, conversation_id, NOTES_SHOWN)

    def delete_note(self, account_id: UUID, conversation_id: UUID, note_id: UUID) -> None:
        """Delete a note."""
        with self.db.tenant(account_id) as conn:
            if not sql.delete_note(conn, account_id, conversation_id, note_id):
                raise NotFound("no such note")

    def quick_replies(self, account_id: UUID) -> list[dict]:
        """The account's quick replies by shortcut."""
        with self.db.tenant(account_id) as conn:
            return sql.list_quick_replies(conn, account_id)

    def add_quick_reply(self, account_id: UUID, data: Mapping[str, Any]) -> dict:
        """Save a quick reply; 409 when its shortcut is taken."""
        reply = parse(QuickReplyIn, data)
        with unique_violation(Conflict, message_id("another quick reply has this shortcut")):
            with self.db.tenant(account_id) as conn:
                return sql.insert_quick_reply(conn, account_id, reply.shortcut, reply.body)

    def update_quick_reply(self, account_id: UUID, reply_id: UUID, data: Mapping[str, Any]) -> dict:
        """Change a quick reply's shortcut or text."""
        changes = parse(QuickReplyPatch, data).model_dump(exclude_unset=True, exclude_none=True)
        with unique_violation(Conflict, message_id("another quick reply has this shortcut")):
            with self.db.tenant(account_id) as conn:
                reply = sql.update_quick_reply(conn, account_id, reply_id, changes)
        if reply is None:
            raise NotFound("no such quick reply")
        return reply

    def delete_quick_reply(self, account_id: UUID, reply_id: UUID) -> None:
        """Delete a quick reply."""
        with self.db.tenant(account_id) as conn:
            if not sql.delete_quick_reply(conn, account_id, reply_id):
                raise NotFound("no such quick reply")

    def search(self, account_id: UUID, args: Mapping[str, Any]) -> dict:
        """Messages (newest first) and contacts matching ?q= (Portuguese words, accents aside)."""
        query = parse(SearchQuery, dict(args))
        q = query.q.strip()
        if not q:
            raise InvalidInput("q", "must not be empty")
        words = [w.lower() for w in _WORD.findall(q) if not w.isdigit()]
        digits = "".join(ch for ch in q if ch.isdigit())
        with self.db.tenant(account_id) as conn:
            messages = search_sql.search_messages(conn, account_id, q, query.limit)
            contacts = search_sql.search_contacts(conn, account_id, words,
                                                  digits if len(digits) >= 3 else "", CONTACT_HITS)
        return {"messages": messages, "contacts": contacts}

    @staticmethod
    def _conversation(conn, account_id: UUID, conversation_id: UUID) -> dict:
        conversation = messages_sql.get_conversation(conn, account_id, conversation_id)
        if conversation is None:
            raise NotFound("no such conversation")
        return conversation


def _uuid(value: str, field: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise InvalidInput(field, "must be mine, unassigned or a user's id") from None
