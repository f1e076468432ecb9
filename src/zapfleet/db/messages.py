"""SQL for conversations and their messages."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg2.extras import Json

CONVERSATION_COLUMNS = ("c.id, c.account_id, c.contact_id, c.last_message_at, c.unread_count,"
                        " c.created_at, k.phone, k.name, c.status, c.assignee_id, c.labels")
MESSAGE_COLUMNS = ("id, account_id, conversation_id, direction, body, status, provider_message_id,"
                   " idempotency_key, error, origin, send_at, created_at, updated_at, reactions,"
                   " previous_bodies, edited_at, deleted_at, reply_to, type, media, attachment, seq")


def ensure_conversation(conn, account_id: UUID, contact_id: UUID) -> UUID:
    """The id of the account's conversation with a contact, created when missing."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO conversations (account_id, contact_id) VALUES (%s, %s)"
            " ON CONFLICT (account_id, contact_id) DO UPDATE SET contact_id = EXCLUDED.contact_id"
            " RETURNING id",
            (account_id, contact_id),
        )
        return cur.fetchone()["id"]


def get_conversation(conn, account_id: UUID, conversation_id: UUID) -> dict | None:
    """One of an account's conversations with its contact's phone and name, or None."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {CONVERSATION_COLUMNS} FROM conversations c"
                    " JOIN contacts k ON k.id = c.contact_id"
                    " WHERE c.account_id = %s AND c.id = %s", (account_id, conversation_id))
        return cur.fetchone()


def list_conversations(conn, account_id: UUID, limit: int,
                       before: tuple[datetime, UUID] | None) -> list[dict]:
    """A page of conversations, most recent activity first."""
    sort_key = "coalesce(c.last_message_at, c.created_at)"
    where = "c.account_id = %s"
    params: list[Any] = [account_id]
    if before:
        where += f" AND ({sort_key}, c.id) < (%s, %s)"
        params += list(before)
    with conn.cursor() as cur:
        cur.execute(f"SELECT {CONVERSATION_COLUMNS}, {sort_key} AS sort_at FROM conversations c"
                    f" JOIN contacts k ON k.id = c.contact_id WHERE {where}"
                    f" ORDER BY {sort_key} DESC, c.id DESC LIMIT %s", (*params, limit))
        return cur.fetchall()


def insert_message(conn, account_id: UUID, conversation_id: UUID, direction: str, body: str,
                   status: str, idempotency_key: str | None = None) -> dict | None:
    """Insert a message and bump its conversation; None when the idempotency key was used."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO messages (account_id, conversation_id, direction, body, status,"
            " idempotency_key) VALUES (%s, %s, %s, %s, %s, %s)"
            f" ON CONFLICT (account_id, idempotency_key) DO NOTHING RETURNING {MESSAGE_COLUMNS}",
            (account_id, conversation_id, direction, body, status, idempotency_key),
        )
        row = cur.fetchone()
        if row:
            cur.execute(
                "UPDATE conversations SET last_message_at = %s,"
                " unread_count = unread_count + %s WHERE id = %s",
                (row["created_at"], 1 if direction == "in" else 0, conversation_id),
            )
        return row


def list_messages(conn, account_id: UUID, conversation_id: UUID, limit: int,
                  after: int | None) -> list[dict]:
    """A page of a conversation's messages in the order they were stored (after: a seq)."""
    where = "account_id = %s AND conversation_id = %s"
    params: list[Any] = [account_id, conversation_id]
    if after is not None:
        where += " AND seq > %s"
        params.append(after)
    with conn.cursor() as cur:
        cur.execute(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE {where}"
                    " ORDER BY seq LIMIT %s", (*params, limit))
        return cur.fetchall()


def insert_inbound(conn, account_id: UUID, conversation_id: UUID, body: str,
                   provider_message_id: str, quoted_provider_id: str | None = None,
                   content: dict | None = None) -> dict | None:
    """Store a received message (a reply names the message it quotes, when it is stored; content:
    its type, media and attachment) and bump its conversation; None when it was stored already."""
    kind, media, attachment = _content(content)
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO messages (account_id, conversation_id, direction, body, status,"
            " provider_message_id, reply_to, type, media, attachment)"
            " VALUES (%s, %s, 'in', %s, 'received', %s,"
            " (SELECT id FROM messages WHERE account_id = %s AND provider_message_id = %s LIMIT 1),"
            f" %s, %s, %s) ON CONFLICT DO NOTHING RETURNING {MESSAGE_COLUMNS}",
            (account_id, conversation_id, body, provider_message_id, account_id, quoted_provider_id,
             kind, media, attachment))
        row = cur.fetchone()
        if row:
            cur.execute("UPDATE conversations SET last_message_at = %s,"
                        " unread_count = unread_count + 1,"  # a customer's new word reopens it
                        " status = CASE WHEN status = 'resolved' THEN 'open' ELSE status END"
                        " WHERE id = %s", (row["created_at"], conversation_id))
        return row


def _content(content: dict | None) -> tuple[str, Json | None, Json | None]:
    """A message's (type, media, attachment) as columns."""
    content = content or {}
    media, attachment = content.get("media"), content.get("attachment")
    return (content.get("type") or "text", Json(media) if media else None,
            Json(attachment) if attachment else None)


def insert_typed_on_phone(conn, account_id: UUID, conversation_id: UUID, body: str,
                          provider_message_id: str, content: dict | None = None) -> dict | None:
    """Store a message the business sent from its own phone (sent, origin phone) and bump its
    conversation; None when a message with that provider id is stored already."""
    kind, media, attachment = _content(content)
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO messages (account_id, conversation_id, direction, body, status, origin,"
            " provider_message_id, sent_at, type, media, attachment)"
            " VALUES (%s, %s, 'out', %s, 'sent', 'phone', %s, now(), %s, %s, %s)"
            f" ON CONFLICT DO NOTHING RETURNING {MESSAGE_COLUMNS}",
            (account_id, conversation_id, body, provider_message_id, kind, media, attachment))
        row = cur.fetchone()
        if row:
            cur.execute("UPDATE conversations SET last_message_at = %s WHERE id = %s",
                        (row["created_at"], conversation_id))
        return row


def react(conn, account_id: UUID, provider_message_id: str, sender: str, emoji: str) -> dict | None:
    """Set the sender's reaction to a message (an empty emoji takes it back); the message, or
    None when there is no such message."""
    with conn.cursor() as cur:
        cur.execute("UPDATE messages SET updated_at = now(), reactions = CASE WHEN %s = '' THEN reactions - %s"
                    " ELSE reactions || jsonb_build_object(%s::text, %s::text) END"
                    " WHERE account_id = %s AND provider_message_id = %s AND deleted_at IS NULL"
                    f" RETURNING {MESSAGE_COLUMNS}",
                    (emoji, sender, sender, emoji, account_id, provider_message_id))
        return cur.fetchone()


def edit(conn, account_id: UUID, provider_message_id: str, body: str) -> dict | None:
    """Replace a message's text, keeping the earlier one; None when there is no such message
    (or it already says this)."""
    with conn.cursor() as cur:
        cur.execute("UPDATE messages SET updated_at = now(), previous_bodies = previous_bodies || to_jsonb(body),"
                    " body = %s, edited_at = now() WHERE account_id = %s"
                    " AND provider_message_id = %s AND deleted_at IS NULL AND body <> %s"
                    f" RETURNING {MESSAGE_COLUMNS}", (body, account_id, provider_message_id, body))
        return cur.fetchone()


def delete_for_everyone(conn, account_id: UUID, provider_message_id: str,
                        keep: bool = False) -> dict | None:
    """Mark a message deleted by its sender and wipe its text, earlier ones and file (keep: its
    text goes to previous_bodies and its file stays); None when there is no such message or it
    was deleted already."""
    with conn.cursor() as cur:
        cur.execute("UPDATE messages SET deleted_at = now(), updated_at = now(), body = '', reactions = '{}',"
                    " previous_bodies = CASE WHEN %(keep)s THEN previous_bodies || to_jsonb(body)"
                    "   ELSE '[]' END, media = CASE WHEN %(keep)s THEN media END,"
                    " attachment = CASE WHEN %(keep)s THEN attachment END"
                    " WHERE account_id = %(account)s AND provider_message_id = %(id)s"
                    f" AND deleted_at IS NULL RETURNING {MESSAGE_COLUMNS}",
                    {"keep": keep, "account": account_id, "id": provider_message_id})
        return cur.fetchone()


def forget_phone_echo(conn, account_id: UUID, provider_message_id: str) -> None:
    """Delete a message taken for the phone's own that is the echo of one of our sends."""
    with conn.cursor() as cur:
        cur.execute("DELETE FROM messages WHERE account_id = %s AND direction = 'out'"
                    " AND origin = 'phone' AND provider_message_id = %s",
                    (account_id, provider_message_id))


def mark_read(conn, account_id: UUID, conversation_id: UUID) -> list[str]:
    """Set a conversation's unread count to zero (no write when it already is); the provider ids
    of the received messages read just now."""
    with conn.cursor() as cur:
        cur.execute("UPDATE conversations SET unread_count = 0"
                    " WHERE account_id = %s AND id = %s AND unread_count > 0 RETURNING id",
                    (account_id, conversation_id))
        if cur.fetchone() is None:
            return []
        cur.execute("UPDATE messages SET read_at = now() WHERE account_id = %s AND conversation_id = %s"
                    " AND direction = 'in' AND read_at IS NULL AND provider_message_id IS NOT NULL"
                    " RETURNING provider_message_id", (account_id, conversation_id))
        return [row["provider_message_id"] for row in cur.fetchall()]


def recent_messages(conn, account_id: UUID, conversation_id: UUID, limit: int) -> list[dict]:
    """The last `limit` messages of a conversation, oldest first."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT * FROM (SELECT {MESSAGE_COLUMNS} FROM messages"
                    " WHERE account_id = %s AND conversation_id = %s"
                    " ORDER BY seq DESC LIMIT %s) m ORDER BY seq",
                    (account_id, conversation_id, limit))
        return cur.fetchall()


def changed_messages(conn, account_id: UUID, conversation_id: UUID, since: datetime,
                     ids: list[UUID], limit: int, changed: datetime | None = None) -> list[dict]:
    """A conversation's messages created from `since` on, those in `ids`, and those changed from
    `changed` on (a receipt, a reaction, an edit, a deletion); oldest first."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {MESSAGE_COLUMNS} FROM messages"
                    " WHERE account_id = %s AND conversation_id = %s"
                    " AND (created_at >= %s OR id = ANY(%s::uuid[]) OR updated_at >= %s)"
                    " ORDER BY seq LIMIT %s",
                    (account_id, conversation_id, since, [str(i) for i in ids], changed or since, limit))
        return cur.fetchall()


def find_conversation_by_phone(conn, account_id: UUID, phone: str) -> dict | None:
    """The account's conversation with the contact of this phone (E.164 digits), or None."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {CONVERSATION_COLUMNS} FROM conversations c"
                    " JOIN contacts k ON k.id = c.contact_id"
                    " WHERE c.account_id = %s AND k.phone = %s", (account_id, phone))
        return cur.fetchone()


def quoted_texts(conn, account_id: UUID, messages: list[dict]) -> dict[UUID, str]:
    """The texts (or kinds, for a file without a caption) of the messages these quote, by id."""
    ids = list({m["reply_to"] for m in messages if m.get("reply_to")})
    if not ids:
        return {}
    with conn.cursor() as cur:
        cur.execute("SELECT id, CASE WHEN body = '' THEN type ELSE body END AS text FROM messages"
                    " WHERE account_id = %s AND id = ANY(%s::uuid[])", (account_id, ids))
        return {row["id"]: row["text"] for row in cur.fetchall()}
