"""SQL for the bot's state of each conversation: its booking step, pause and away message."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg2.extras import Json

STATE_COLUMNS = ("conversation_id, account_id, step, data, step_at, bot_paused_until,"
                 " bot_resumed_at, away_sent_at, updated_at")


def lock(conn, account_id: UUID, conversation_id: UUID) -> dict:
    """The conversation's state (made when new), locked until the transaction ends."""
    with conn.cursor() as cur:
        cur.execute("INSERT INTO chat_states (conversation_id, account_id) VALUES (%s, %s)"
                    " ON CONFLICT (conversation_id) DO NOTHING", (conversation_id, account_id))
        cur.execute(f"SELECT {STATE_COLUMNS} FROM chat_states WHERE conversation_id = %s"
                    " AND account_id = %s FOR UPDATE", (conversation_id, account_id))
        return cur.fetchone()


def get(conn, account_id: UUID, conversation_id: UUID) -> dict | None:
    """The conversation's state, or None when the bot never saw it."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {STATE_COLUMNS} FROM chat_states WHERE conversation_id = %s"
                    " AND account_id = %s", (conversation_id, account_id))
        return cur.fetchone()


def save_step(conn, conversation_id: UUID, step: str, data: dict[str, Any],
              at: datetime) -> None:
    """Record where the conversation is in the booking flow."""
    with conn.cursor() as cur:
        cur.execute("UPDATE chat_states SET step = %s, data = %s, step_at = %s, updated_at = now()"
                    " WHERE conversation_id = %s", (step, Json(data), at, conversation_id))


def set_columns(conn, conversation_id: UUID, **columns: Any) -> None:
    """Set bot_paused_until, bot_resumed_at or away_sent_at."""
    allowed = {"bot_paused_until", "bot_resumed_at", "away_sent_at"}
    if set(columns) - allowed:
        raise ValueError(f"not a chat state column: {', '.join(sorted(set(columns) - allowed))}")
    assignments = "".join(f"{name} = %s, " for name in columns)
    with conn.cursor() as cur:
        cur.execute(f"UPDATE chat_states SET {assignments}updated_at = now()"
                    " WHERE conversation_id = %s", (*columns.values(), conversation_id))


def last_human_reply(conn, account_id: UUID, conversation_id: UUID) -> datetime | None:
    """When a person last wrote to the contact (through the inbox, the send API or the phone)."""
    with conn.cursor() as cur:
        cur.execute("SELECT max(created_at) AS at FROM messages WHERE account_id = %s"
                    " AND conversation_id = %s AND direction = 'out' AND origin IN ('api', 'phone')"
                    " AND send_at IS NULL", (account_id, conversation_id))
        return cur.fetchone()["at"]
