"""The dispatcher's campaign pass: start scheduled campaigns, then queue at most one message per
number whose pacing allows it. Each message is made in the same transaction that marks its
recipient handed and moves the number's pacing on, under row locks taken with SKIP LOCKED, so
two dispatchers never message a recipient twice and a killed one leaves nothing half done."""
from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID

from zapfleet.campaigns.lifecycle import begin
from zapfleet.campaigns.pacing import Pacing, hold_until, sent_today
from zapfleet.core.clock import utcnow
from zapfleet.core.errors import found
from zapfleet.db import Database
from zapfleet.db import campaigns as sql
from zapfleet.db import media as media_sql
from zapfleet.db import outbox as outbox_sql
from zapfleet.db import pacing as pacing_sql
from zapfleet.db import recipients as recipients_sql
from zapfleet.db import settings as settings_sql
from zapfleet.messaging.media import snapshot
from zapfleet.messaging.outbox import queue
from zapfleet.tenancy.account_settings import effective
from zapfleet.tenancy.plans import PlanLimits
from zapfleet.tenancy.templates import first_name, mentions, render

log = logging.getLogger("zapfleet.campaigns.runner")
MAX_SKIPS = 200  # opted-out recipients passed over in one go


def campaign_text(recipient: dict, rng: Callable[[], float]) -> str:
    """The campaign's text (or one of its variants, at random) for one recipient."""
    texts = [t for t in [recipient["message"], *recipient["variants"]] if t.strip()]
    text = texts[min(int(rng() * len(texts)), len(texts) - 1)]
    appended = ("link",) if recipient.get("media_id") else ("link", "qr_code_url")  # the QR is sent
    for field in appended:
        if recipient[field] and not mentions(text, field):
            text += "\n{" + field + "}"
    return render(text, {"name": first_name(recipient["name"]), "link": recipient["link"] or "",
                         "qr_code_url": recipient["qr_code_url"] or ""})


PLAN_HOLD = timedelta(minutes=15)
"""How long a campaign waits before looking again when its plan's daily messages are used up."""


class CampaignRunner:
    """Sends the running campaigns of every account, paced per number."""

    def __init__(self, db: Database, deadline_seconds: int = 86400,
                 clock: Callable[[], datetime] = utcnow, rng: Callable[[], float] = random.random,
                 plans: PlanLimits | None = None):
        self.db, self.clock, self.rng = db, clock, rng
        self.deadline = timedelta(seconds=deadline_seconds)
        self.plans = plans or PlanLimits({})

    def run_due(self) -> int:
        """One pass: start the scheduled campaigns that are due, then send; messages queued."""
        self.start_scheduled()
        with self.db.system() as conn:
            accounts = sql.sending_accounts(conn, self.clock())
        return sum(1 for account_id in accounts if self.send_next(account_id))

    def start_scheduled(self) -> None:
        """Start every scheduled campaign whose send_at has come."""
        now = self.clock()
        with self.db.system() as conn:
            for due in sql.due_scheduled(conn, now):
                campaign = found(sql.get_campaign(conn, due["account_id"], due["id"]), "campaign")
                begin(conn, due["account_id"], campaign, now)
                sql.finish_done(conn, due["account_id"], now)  # nobody has its tags any more
                log.info("campaign %s started at its scheduled time", due["id"])

    def send_next(self, account_id: UUID) -> bool:
        """Queue the account's next campaign message when its pacing allows; True when queued.
        The pacing is read afresh at every step: a window widened or a cap raised while a
        campaign runs (or is paused) counts at once, and only a gap between messages is stored."""
        now = self.clock()
        with self.db.tenant(account_id) as conn:
            state = pacing_sql.lock(conn, account_id)
            if state is None:  # another dispatcher is sending for this number right now
                return False
            pacing = Pacing.from_settings(effective(settings_sql.settings_of(conn, account_id)))
            held = hold_until(pacing, state, now)
            if held is None and not self.plans.allows(conn, account_id, "messages_per_day", 1):
                held = (now + PLAN_HOLD, "plan_limit")  # its plan's messages for the day are used up
            if held is not None:
                if held[1] == "plan_limit":  # the sending hours and the cap are read again each pass
                    pacing_sql.save(conn, account_id, held[0], state["day"], state["sent_today"])
                return False
            recipient = self._next_recipient(conn, account_id)
            if recipient is not None:
                self._queue(conn, account_id, recipient, now)
                pacing_sql.save(conn, account_id, pacing.next_due(state["next_send_at"], now, self.rng),
                                pacing.local_day(now), sent_today(pacing, state, now) + 1)
            sql.finish_done(conn, account_id, now)
        return recipient is not None

    @staticmethod
    def _next_recipient(conn, account_id: UUID) -> dict | None:
        """The next recipient to message, passing over (and marking) those who opted out."""
        for _ in range(MAX_SKIPS):
            recipient = recipients_sql.take_next(conn, account_id)
            if recipient is None or recipient["opted_out"] is False:
                return recipient
            reason = "opted out" if recipient["opted_out"] else "contact deleted"
            recipients_sql.mark(conn, recipient["id"], "skipped", error=reason)
        return None

    def _queue(self, conn, account_id: UUID, recipient: dict, now: datetime) -> None:
        key = f"campaign:{recipient['campaign_id']}:{recipient['id']}"
        file = media_sql.get_media(conn, account_id, recipient["media_id"]) if recipient["media_id"] else None
        message = queue(conn, account_id, recipient["phone"], campaign_text(recipient, self.rng),
                        key, "campaign", deadline_at=now + self.deadline,
                        media=snapshot(file) if file else None)
        message = message or found(outbox_sql.get_by_idempotency_key(conn, account_id, key), "message")
        recipients_sql.mark(conn, recipient["id"], "handed", message["id"])
