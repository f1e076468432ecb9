"""Conversations and message history."""
from __future__ import annotations

from typing import Any
from uuid import UUID

from zapfleet import validation
from zapfleet.db import contacts as contacts_sql
from zapfleet.db import messages as sql
from zapfleet.errors import InvalidInput, NotFound
from zapfleet.pagination import decode_cursor, next_cursor, page_limit

MAX_BODY = 4096


class MessagingMixin:
    """An account's conversations and their messages."""

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
