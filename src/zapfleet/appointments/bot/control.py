"""Pausing and resuming the bot in one conversation by hand, and reading its state there."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from zapfleet.appointments.bot.booking import current_step
from zapfleet.appointments.bot.responder import bot_paused
from zapfleet.appointments.shapes import BotPause
from zapfleet.core.clock import utcnow
from zapfleet.core.errors import NotFound
from zapfleet.core.shapes import parse
from zapfleet.db import Database
from zapfleet.db import chat_states as sql
from zapfleet.db import messages as messages_sql
from zapfleet.db import settings as settings_sql
from zapfleet.tenancy.account_settings import effective


class BotControl:
    """The bot's state per conversation: its booking step and whether it keeps quiet."""

    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow):
        self.db, self.clock = db, clock

    def bot_state(self, account_id: UUID, conversation_id: UUID) -> dict:
        """{step, paused, paused_until, last_human_reply_at, away_sent_at} of a conversation."""
        with self.db.tenant(account_id) as conn:
            return self._bot_view(conn, account_id, conversation_id)

    def set_bot_paused(self, account_id: UUID, conversation_id: UUID,
                       data: Mapping[str, Any]) -> dict:
        """{paused: true, minutes?} silences the bot here (default a day); {paused: false}
        lets it answer again at once, even right after a person's reply."""
        now = self.clock()
        with self.db.tenant(account_id) as conn:
            self._conversation(conn, account_id, conversation_id)
            pause = parse(BotPause, data)
            paused, minutes = pause.paused, pause.minutes
            sql.lock(conn, account_id, conversation_id)
            if paused:
                sql.set_columns(conn, conversation_id, bot_paused_until=now + timedelta(minutes=minutes))
            else:
                sql.set_columns(conn, conversation_id, bot_paused_until=None, bot_resumed_at=now)
            return self._bot_view(conn, account_id, conversation_id)

    def _bot_view(self, conn, account_id: UUID, conversation_id: UUID) -> dict:
        self._conversation(conn, account_id, conversation_id)
        settings = effective(settings_sql.settings_of(conn, account_id))
        state = sql.get(conn, account_id, conversation_id) or {
            "account_id": account_id, "conversation_id": conversation_id, "step": "idle",
            "step_at": None, "bot_paused_until": None, "bot_resumed_at": None, "away_sent_at": None}
        now = self.clock()
        return {"conversation_id": conversation_id, "step": current_step(state, now),
                "paused": bot_paused(conn, state, settings, now),
                "paused_until": state["bot_paused_until"],
                "last_human_reply_at": sql.last_human_reply(conn, account_id, conversation_id),
                "away_sent_at": state["away_sent_at"]}

    @staticmethod
    def _conversation(conn, account_id: UUID, conversation_id: UUID) -> None:
        if messages_sql.get_conversation(conn, account_id, conversation_id) is None:
            raise NotFound("no such conversation")
