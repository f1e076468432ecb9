"""What happens when a customer writes: an opt-out keyword opts them out of campaigns; unless a
person answered this conversation a short while ago, the booking bot answers what belongs to
its flow; outside business hours the away message goes out, at most once per contact per N
hours. It runs inside the transaction that stores the inbound message, so a replayed worker
event answers nothing twice and a crash leaves neither the message nor a reply half done."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID

from zapfleet.appointments.bot import booking
from zapfleet.appointments.bot.parse import is_keyword
from zapfleet.appointments.bot.turn import Turn
from zapfleet.appointments.slots import is_open
from zapfleet.core.clock import utcnow
from zapfleet.core.errors import found
from zapfleet.db import chat_states as sql
from zapfleet.db import contacts as contacts_sql
from zapfleet.db import settings as settings_sql
from zapfleet.tenancy.account_settings import effective, zone_of

log = logging.getLogger("zapfleet.appointments.bot")


def bot_paused(conn, state: dict, settings: dict, now: datetime) -> bool:
    """True while the bot keeps quiet in a conversation: paused by hand, or a person wrote to
    the contact within the last bot_pause_minutes (and the bot was not resumed since)."""
    if state["bot_paused_until"] and state["bot_paused_until"] > now:
        return True
    human = sql.last_human_reply(conn, state["account_id"], state["conversation_id"])
    window_start = now - timedelta(minutes=settings["bot_pause_minutes"])
    resumed = state["bot_resumed_at"]
    return bool(human and human > window_start and (resumed is None or human > resumed))


class Responder:
    """Answers inbound messages for every account (the worker events call it)."""

    def __init__(self, deadline_seconds: int = 86400, clock: Callable[[], datetime] = utcnow):
        self.deadline = timedelta(seconds=deadline_seconds)
        self.clock = clock

    def __call__(self, conn, account_id: UUID, contact: dict, conversation_id: UUID,
                 message: dict) -> list[dict]:
        """Answer one stored inbound message; return the replies queued."""
        account = found(settings_sql.get_settings(conn, account_id), "account")
        turn = Turn(conn, account_id, contact, conversation_id, message,
                    effective(account["settings"]), account["name"], self.clock(), self.deadline)
        if is_keyword(turn.norm, turn.settings["opt_out_keywords"]):
            self._opt_out(turn)
        elif turn.settings["booking_bot"] or turn.settings["auto_reply"]:
            self._converse(turn)
        return [reply for reply in turn.replies if reply]

    def _converse(self, turn: Turn) -> None:
        """The booking flow first, else the away message; nothing while the bot is paused."""
        state = sql.lock(turn.conn, turn.account_id, turn.conversation_id)
        if bot_paused(turn.conn, state, turn.settings, turn.now):
            return
        handled = turn.settings["booking_bot"] and booking.handle(turn, state)
        if not handled and turn.settings["auto_reply"]:
            self._away(turn, state)

    @staticmethod
    def _opt_out(turn: Turn) -> None:
        contacts_sql.update_contact(turn.conn, turn.account_id, turn.contact["id"], {"opted_out": True})
        turn.reply("opt_out")
        log.info("contact %s opted out of campaigns", turn.contact["id"])

    @staticmethod
    def _away(turn: Turn, state: dict) -> None:
        settings = turn.settings
        if is_open(settings["business_hours"], zone_of(settings), turn.now):
            return
        interval = timedelta(hours=settings["away_interval_hours"])
        if state["away_sent_at"] and turn.now - state["away_sent_at"] < interval:
            return
        if turn.reply("away", origin="auto_reply") is not None:
            sql.set_columns(turn.conn, turn.conversation_id, away_sent_at=turn.now)
