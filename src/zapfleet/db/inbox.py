"""SQL for the team inbox: the filtered conversation list with previews, status, assignment,
labels, private notes, quick replies and the unread total."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from zapfleet.db.messages import CONVERSATION_COLUMNS

PREVIEW_LENGTH = 120
SORT_KEY = "coalesce(c.last_message_at, c.created_at)"
LAST_MESSAGE = (  # one probe of messages_conversation_seq_idx per listed conversation
    "LEFT JOIN LATERAL (SELECT m.body, m.type, m.direction, m.deleted_at FROM messages m"
    " WHERE m.conversation_id = c.id ORDER BY m.seq DESC LIMIT 1) last ON true")
NOTE_COLUMNS = "n.id, n.account_id, n.conversation_id, n.author_id, u.email AS author, n.body, n.created_at"
REPLY_COLUMNS = "id, account_id, shortcut, body, created_at, updated_at"


def list_conversations(conn, account_id: UUID, limit: int, before: tuple[datetime, UUID] | None,
                       filters: dict[str, Any]) -> list[dict]:
    """A page of conversations, most recent activity first, each with its last message's
    preview; filters: status, assignee_id (None: any), unassigned, label."""
    where: list[str] = ["c.account_id = %s"]
    params: list[Any] = [account_id]
    if filters.get("status"):
        where.append("c.status = %s")
        params.append(filters["status"])
    if filters.get("unassigned"):
        where.append("c.assignee_id IS NULL")
    elif filters.get("assignee_id"):
        where.append("c.assignee_id = %s")
        params.append(filters["assignee_id"])
    if filters.get("label"):
        where.append("c.labels @> ARRAY[%s]::text[]")
        params.append(filters["label"])
    if before:
        where.append(f"({SORT_KEY}, c.id) < (%s, %s)")
        params += list(before)
    with conn.cursor() as cur:
        cur.execute(f"SELECT {CONVERSATION_COLUMNS}, {SORT_KEY} AS sort_at, a.email AS assignee,"
                    f" left(last.body, {PREVIEW_LENGTH}) AS preview, last.type AS preview_type,"
                    " last.direction AS preview_direction, last.deleted_at IS NOT NULL AS preview_deleted"
                    " FROM conversations c JOIN contacts k ON k.id = c.contact_id"
                    f" LEFT JOIN users a ON a.id = c.assignee_id {LAST_MESSAGE}"
                    f" WHERE {' AND '.join(where)} ORDER BY {SORT_KEY} DESC, c.id DESC LIMIT %s",
                    (*params, limit))
        return cur.fetchall()


def update_conversation(conn, account_id: UUID, conversation_id: UUID,
                        changes: dict[str, Any]) -> bool:
    """Set a conversation's status, assignee_id and/or labels; False when there is no such one."""
    sets = ", ".join(f"{column} = %({column})s" for column in changes)
    with conn.cursor() as cur:
        cur.execute(f"UPDATE conversations SET {sets} WHERE account_id = %(account)s AND id = %(id)s"
                    " RETURNING id", {**changes, "account": account_id, "id": conversation_id})
        return cur.fetchone() is not None


def account_user(conn, account_id: UUID, user_id: UUID) -> dict | None:
    """One of the account's own users (id, email), or None."""
    with conn.cursor() as cur:
        cur.execute("SELECT id, email FROM users WHERE account_id = %s AND id = %s",
                    (account_id, user_id))
        return cur.fetchone()


def account_users(conn, account_id: UUID) -> list[dict]:
    """The account's users (id, email) by e-mail: who a conversation may be assigned to."""
    with conn.cursor() as cur:
        cur.execute("SELECT id, email FROM users WHERE account_id = %s ORDER BY lower(email)",
                    (account_id,))
        return cur.fetchall()


def unread_total(conn, account_id: UUID) -> int:
    """Received messages not yet read, over all the account's conversations."""
    with conn.cursor() as cur:
        cur.execute("SELECT coalesce(sum(unread_count), 0)::int AS n FROM conversations"
                    " WHERE account_id = %s AND unread_count > 0", (account_id,))
        return cur.fetchone()["n"]


def insert_note(conn, account_id: UUID, conversation_id: UUID, author_id: UUID | None,
                body: str) -> dict:
    """Add a private note to a conversation."""
    with conn.cursor() as cur:
        cur.execute("WITH n AS (INSERT INTO conversation_notes (account_id, conversation_id,"
                    " author_id, body) VALUES (%s, %s, %s, %s) RETURNING *)"
                    f" SELECT {NOTE_COLUMNS} FROM n LEFT JOIN users u ON u.id = n.author_id",
                    (account_id, conversation_id, author_id, body))
        return cur.fetchone()


def list_notes(conn, account_id: UUID, conversation_id: UUID, limit: int) -> list[dict]:
    """A conversation's latest notes, oldest first."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT * FROM (SELECT {NOTE_COLUMNS} FROM conversation_notes n"
                    " LEFT JOIN users u ON u.id = n.author_id"
                    " WHERE n.account_id = %s AND n.conversation_id = %s"
                    " ORDER BY n.created_at DESC LIMIT %s) x ORDER BY created_at",
                    (account_id, conversation_id, limit))
        return cur.fetchall()


def delete_note(conn, account_id: UUID, conversation_id: UUID, note_id: UUID) -> bool:
    """Delete a note; False when there is no such note in this conversation."""
    with conn.cursor() as cur:
        cur.execute("DELETE FROM conversation_notes WHERE account_id = %s AND conversation_id = %s"
                    " AND id = %s RETURNING id", (account_id, conversation_id, note_id))
        return cur.fetchone() is not None


def list_quick_replies(conn, account_id: UUID) -> list[dict]:
    """The account's quick replies by shortcut."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {REPLY_COLUMNS} FROM quick_replies WHERE account_id = %s"
                    " ORDER BY shortcut", (account_id,))
        return cur.fetchall()


def insert_quick_reply(conn, account_id: UUID, shortcut: str, body: str) -> dict:
    """Save a quick reply (a unique violation when the shortcut is taken)."""
    with conn.cursor() as cur:
        cur.execute("INSERT INTO quick_replies (account_id, shortcut, body) VALUES (%s, %s, %s)"
                    f" RETURNING {REPLY_COLUMNS}", (account_id, shortcut, body))
        return cur.fetchone()


def update_quick_reply(conn, account_id: UUID, reply_id: UUID, changes: dict[str, Any]) -> dict | None:
    """Change a quick reply's shortcut and/or text; None when there is no such reply."""
    sets = "".join(f", {column} = %({column})s" for column in changes)
    with conn.cursor() as cur:
        cur.execute(f"UPDATE quick_replies SET updated_at = now(){sets}"
                    f" WHERE account_id = %(account)s AND id = %(id)s RETURNING {REPLY_COLUMNS}",
                    {**changes, "account": account_id, "id": reply_id})
        return cur.fetchone()


def delete_quick_reply(conn, account_id: UUID, reply_id: UUID) -> bool:
    """Delete a quick reply; False when there is no such reply."""
    with conn.cursor() as cur:
        cur.execute("DELETE FROM quick_replies WHERE account_id = %s AND id = %s RETURNING id",
                    (account_id, reply_id))
        return cur.fetchone() is not None
