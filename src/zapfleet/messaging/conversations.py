"""Conversations and message history."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from zapfleet.core import validation
from zapfleet.core.errors import InvalidInput, NotFound, ZapfleetError
from zapfleet.core.pagination import (
    decode_cursor,
    decode_position,
    encode_position,
    next_cursor,
    page_limit,
)
from zapfleet.core.vocabulary import MAX_TEXT_LENGTH
from zapfleet.db import Database
from zapfleet.db import contacts as contacts_sql
from zapfleet.db import messages as sql
from zapfleet.db import settings as settings_sql
from zapfleet.tenancy.account_settings import effective

MAX_BODY = MAX_TEXT_LENGTH
THREAD_SIZE = 100
MAX_CHANGES = 200
LATE_COMMIT = timedelta(seconds=5)  # a message may commit this long after its created_at
MAX_RECEIPTS = 100
log = logging.getLogger("zapfleet.messaging.conversations")
ReadReceipts = Callable[[UUID, str, list[str]], Any]
"""Tells WhatsApp that a contact's messages (provider ids) were read: (account, phone, ids)."""


class ConversationManager:
    """An account's conversations and their messages."""

    def __init__(self, db: Database, region: str = "BR", read_receipts: ReadReceipts | None = None):
        self.db, self.region, self.read_receipts = db, region, read_receipts

    def record_message(self, account_id: UUID, phone: str, direction: str, body: str,
                       status: str, idempotency_key: str | None = None) -> dict | None:
        """Store a message in the contact's conversation (both made when new); None if a duplicate."""
        phone = validation.phone(phone, self.region)
        if direction not in ("in", "out"):
            raise InvalidInput("direction", "must be in or out")
        if not isinstance(body, str) or not body.strip() or len(body) > MAX_BODY:
            raise InvalidInput("message", "must be 1 to %(most)s characters", most=MAX_BODY)
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
            rows = sql.list_messages(conn, account_id, conversation_id, size, decode_position(cursor))
        more = len(rows) == size
        return {"items": rows, "next_cursor": encode_position(rows[-1]["seq"]) if more else None}

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
            read = self._mark_read(conn, account_id, conversation_id)
            conversation = sql.get_conversation(conn, account_id, conversation_id)
            if conversation is None:
                raise NotFound("no such conversation")
            messages = sql.recent_messages(conn, account_id, conversation_id, limit)
            quoted = sql.quoted_texts(conn, account_id, messages)
        self._tell_read(account_id, conversation["phone"], read)
        return {"conversation": conversation, "messages": messages, "quoted": quoted}

    def conversation_changes(self, account_id: UUID, conversation_id: UUID,
                             since: datetime | None, ids: list[UUID],
                             mark_read: bool = False, changed: datetime | None = None) -> dict:
        """Messages created since a moment (a few seconds' overlap) and those in ids, fresh, with
        the texts of the messages they quote."""
        with self.db.tenant(account_id) as conn:
            read = self._mark_read(conn, account_id, conversation_id) if mark_read else []
            conversation = sql.get_conversation(conn, account_id, conversation_id)
            if conversation is None:
                raise NotFound("no such conversation")
            if since is None:
                messages = sql.recent_messages(conn, account_id, conversation_id, THREAD_SIZE)
            else:
                messages = sql.changed_messages(conn, account_id, conversation_id,
                                                since - LATE_COMMIT, ids, MAX_CHANGES,
                                                changed - LATE_COMMIT if changed else None)
            quoted = sql.quoted_texts(conn, account_id, messages)
        self._tell_read(account_id, conversation["phone"], read)
        return {"conversation": conversation, "messages": messages, "quoted": quoted}

    @staticmethod
    def _mark_read(conn, account_id: UUID, conversation_id: UUID) -> list[str]:
        """Mark the conversation read; the provider ids WhatsApp is to be told about (none when
        the account's send_read_receipts is off)."""
        read = sql.mark_read(conn, account_id, conversation_id)
        if read and not effective(settings_sql.settings_of(conn, account_id))["send_read_receipts"]:
            return []
        return read

    def _tell_read(self, account_id: UUID, phone: str, provider_ids: list[str]) -> None:
        """Tell WhatsApp the messages were read (blue ticks); best effort: a worker that is down
        only costs the ticks."""
        if not provider_ids or self.read_receipts is None:
            return
        try:
            self.read_receipts(account_id, phone, provider_ids[-MAX_RECEIPTS:])
        except ZapfleetError as exc:
            log.info("read receipts of account %s not sent: %s", account_id, exc.message)

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
