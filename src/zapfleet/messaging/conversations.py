"""Conversations and message history."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from zapfleet.core import validation
from zapfleet.core.errors import InvalidInput, NotFound
from zapfleet.core.pagination import decode_cursor, next_cursor, page_limit
from zapfleet.core.vocabulary import MAX_TEXT_LENGTH
from zapfleet.db import Database
from zapfleet.db import contacts as contacts_sql
from zapfleet.db import messages as sql

MAX_BODY = MAX_TEXT_LENGTH
THREAD_SIZE = 100
MAX_CHANGES = 200
LATE_COMMIT = timedelta(seconds=5)  # a message may commit this long after its created_at


class ConversationManager:
    """An account's conversations and their messages."""

    def __init__(self, db: Database, region: str = "BR"):
        self.db, self.region = db, region

    def record_message(self, account_id: UUID, phone: str, direction: str, body: str,
                       status: str, idempotency_key: str | None = None) -> dict | None:
        """Store a message in the contact's conversation (both made when new); None if a duplicate."""
        phone = validation.phone(phone, self.region)
        if direction not in ("in", "out"):
            raise InvalidInput("direction", "must be in or out")
        if not isinstance(body, str) or not body.strip() or len(body) > MAX_BODY:
            raise InvalidInput("message", f"must be 1 to {MAX_BODY} characters")
        with self.db.tenant(account_id) as conn:
            contact = contacts_sql.ensure_contact(conn, account_id, phone)
            conversation_id = sql.ensure_conversation(conn, account_id, contact["id"])
            return sql.insert_message(conn, account_id, conversation_id, direction, body, status,
                                      idempotency_key)

    def list_conversations(self, account_id: UUID, limit: Any = None,
                           cursor: str | None = None) -> dict:
        """A page of conversations, most recent first."""
        size = page_limit(limit)
        with self.db.tenant(account_id) as conn:
            rows = sql.list_conversations(conn, account_id, size, decode_cursor(cursor))
        page = next_cursor(rows, size, moment_key="sort_at")
        for row in rows:
            del row["sort_at"]
        return {"items": rows, "next_cursor": page}

    def list_messages(self, account_id: UUID, conversation_id: UUID, limit: Any = None,
                      cursor: str | None = None) -> dict:
        """A page of one conversation's messages, oldest first."""
        size = page_limit(limit)
        with self.db.tenant(account_id) as conn:
            if sql.get_conversation(conn, account_id, conversation_id) is None:
                raise NotFound("no such conversation")
            rows = sql.list_messages(conn, account_id, conversation_id, size, decode_cursor(cursor))
        return {"items": rows, "next_cursor": next_cursor(rows, size)}

    def get_conversation(self, account_id: UUID, conversation_id: UUID) -> dict:
        """One conversation with its contact's phone and name; NotFound if none."""
        with self.db.tenant(account_id) as conn:
            conversation = sql.get_conversation(conn, account_id, conversation_id)
        if conversation is None:
            raise NotFound("no such conversation")
        return conversation

    def open_conversation(self, account_id: UUID, conversation_id: UUID,
                          limit: int = THREAD_SIZE) -> dict:
        """Mark a conversation read; {conversation, messages: its latest, oldest first, quoted:
        the texts of the messages they quote, by id}."""
        with self.db.tenant(account_id) as conn:
            sql.mark_read(conn, account_id, conversation_id)
            conversation = sql.get_conversation(conn, account_id, conversation_id)
            if conversation is None:
                raise NotFound("no such conversation")
            messages = sql.recent_messages(conn, account_id, conversation_id, limit)
            quoted = sql.quoted_texts(conn, account_id, messages)
        return {"conversation": conversation, "messages": messages, "quoted": quoted}

    def conversation_changes(self, account_id: UUID, conversation_id: UUID,
                             since: datetime | None, ids: list[UUID],
                             mark_read: bool = False) -> dict:
        """Messages created since a moment (a few seconds' overlap) and those in ids, fresh, with
        the texts of the messages they quote."""
        with self.db.tenant(account_id) as conn:
            if mark_read:
                sql.mark_read(conn, account_id, conversation_id)
            conversation = sql.get_conversation(conn, account_id, conversation_id)
            if conversation is None:
                raise NotFound("no such conversation")
            if since is None:
                messages = sql.recent_messages(conn, account_id, conversation_id, THREAD_SIZE)
            else:
                messages = sql.changed_messages(conn, account_id, conversation_id,
                                                since - LATE_COMMIT, ids, MAX_CHANGES)
            quoted = sql.quoted_texts(conn, account_id, messages)
        return {"conversation": conversation, "messages": messages, "quoted": quoted}

    def quoted_text(self, account_id: UUID, message: dict) -> str | None:
        """The text of the message this one quotes, when it quotes one."""
        if not message.get("reply_to"):
            return None
        with self.db.tenant(account_id) as conn:
            return sql.quoted_texts(conn, account_id, [message]).get(message["reply_to"])

    def find_conversation(self, account_id: UUID, phone: str) -> dict | None:
        """The conversation with this phone's contact, or None."""
        phone = validation.phone(phone, self.region)
        with self.db.tenant(account_id) as conn:
            return sql.find_conversation_by_phone(conn, account_id, phone)
