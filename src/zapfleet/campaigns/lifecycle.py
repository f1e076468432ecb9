"""A campaign's run: start (now or at send_at), pause, resume, cancel, progress, recipients."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, NoReturn
from uuid import UUID

from zapfleet.campaigns.definition import with_progress
from zapfleet.campaigns.pacing import Pacing, hold_until, sent_today
from zapfleet.campaigns.shapes import CampaignStart, RecipientQuery
from zapfleet.core.clock import utcnow
from zapfleet.core.errors import Conflict, InvalidInput, NotFound, found
from zapfleet.core.pagination import decode_position, encode_position, page_limit
from zapfleet.core.shapes import parse
from zapfleet.db import Database
from zapfleet.db import campaigns as sql
from zapfleet.db import contacts as contacts_sql
from zapfleet.db import instances as instances_sql
from zapfleet.db import pacing as pacing_sql
from zapfleet.db import recipients as recipients_sql
from zapfleet.db import scheduled as scheduled_sql
from zapfleet.db import settings as settings_sql
from zapfleet.messaging.outbox import future_moment, status_webhook
from zapfleet.tenancy.account_settings import effective

STARTABLE = ("draft", "scheduled")
CANCELLABLE = ("scheduled", "running", "paused")
MAX_START_DELAY = timedelta(days=90)


def begin(conn, account_id: UUID, campaign: dict, now: datetime) -> dict:
    """Fix the campaign's recipients and set it running."""
    recipients_sql.snapshot(conn, account_id, campaign["id"], campaign["target_tags"])
    return found(sql.set_status(conn, account_id, campaign["id"], STARTABLE, "running", started_at=now),
                 "startable campaign")


def _startable(campaign: dict) -> None:
    if campaign["status"] not in STARTABLE:
        raise Conflict("the campaign is %(status)s; only a draft or scheduled one starts", status=campaign["status"])
    if not campaign["message"].strip():
        raise InvalidInput("message", "write the campaign's message before starting it")


class CampaignRuns:
    """Running an account's campaigns (the dispatcher's CampaignRunner sends them)."""

    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow):
        self.db, self.clock = db, clock

    def start_campaign(self, account_id: UUID, campaign_id: UUID,
                       data: Mapping[str, Any]) -> dict:
        """Start now, or at send_at; the recipients are fixed when it starts."""
        now = self.clock()
        parse(CampaignStart, data)
        send_at = future_moment(data, "send_at", now, MAX_START_DELAY)
        with self.db.tenant(account_id) as conn:
            campaign = self._campaign(conn, account_id, campaign_id)
            _startable(campaign)
            if send_at is not None:
                campaign = found(sql.set_status(conn, account_id, campaign_id, STARTABLE, "scheduled",
                                                send_at=send_at), "startable campaign")
            else:
                if not contacts_sql.count_reachable(conn, account_id, campaign["target_tags"]):
                    raise Conflict("no contact (that did not opt out) has the campaign's tags")
                campaign = begin(conn, account_id, campaign, now)
            return with_progress(conn, account_id, [campaign])[0]

    def pause_campaign(self, account_id: UUID, campaign_id: UUID) -> dict:
        """Stop sending until resumed (a message already handed over still leaves)."""
        return self._move(account_id, campaign_id, ("running",), "paused")

    def resume_campaign(self, account_id: UUID, campaign_id: UUID) -> dict:
        """Go on sending a paused campaign."""
        return self._move(account_id, campaign_id, ("paused",), "running")

    def cancel_campaign(self, account_id: UUID, campaign_id: UUID) -> dict:
        """End a campaign: its pending recipients and not yet sent messages are cancelled."""
        now = self.clock()
        with self.db.tenant(account_id) as conn:
            campaign = sql.set_status(conn, account_id, campaign_id, CANCELLABLE, "cancelled",
                                      finished_at=now)
            if campaign is None:
                self._refuse(conn, account_id, campaign_id, "cancelled")
            queued = recipients_sql.cancel_pending(conn, account_id, campaign_id)
            for message in scheduled_sql.cancel_queued(conn, account_id, queued, now,
                                                       "campaign cancelled"):
                status_webhook(conn, account_id, message)
            return with_progress(conn, account_id, [campaign])[0]

    def campaign_progress(self, account_id: UUID, campaign_id: UUID) -> dict:
        """Counts per status, and what the sending waits for (the number, the pacing)."""
        now = self.clock()
        with self.db.tenant(account_id) as conn:
            campaign = with_progress(conn, account_id, [self._campaign(conn, account_id, campaign_id)])[0]
            stored = settings_sql.settings_of(conn, account_id)
            instance = instances_sql.get_instance_for_account(conn, account_id)
            state = pacing_sql.get(conn, account_id)
        pacing = Pacing.from_settings(effective(stored))
        waiting = None
        if campaign["status"] == "running":
            waiting = self._waiting(pacing, instance, state, now)
        return {"campaign_id": campaign["id"], "status": campaign["status"],
                "counts": campaign["counts"], "waiting": waiting,
                "rate_per_minute": round(60 / pacing.mean_gap, 2) if pacing.mean_gap else None,
                "daily_cap": pacing.cap(state["phone_since"] if state else None, now),
                "sent_today": sent_today(pacing, state or {}, now)}

    def list_recipients(self, account_id: UUID, campaign_id: UUID, status: str | None = None,
                        limit: Any = None, cursor: str | None = None) -> dict:
        """A page of a campaign's recipients in send order, with each one's status."""
        size = page_limit(limit)
        status = parse(RecipientQuery, {"status": status or None}).status
        with self.db.tenant(account_id) as conn:
            self._campaign(conn, account_id, campaign_id)
            rows = recipients_sql.list_recipients(conn, account_id, campaign_id, status, size,
                                                  decode_position(cursor))
        more = len(rows) == size
        return {"items": rows, "next_cursor": encode_position(rows[-1]["position"]) if more else None}

    @staticmethod
    def _waiting(pacing: Pacing, instance: dict | None, state: dict | None,
                 now: datetime) -> dict | None:
        if instance is None or instance["status"] != "connected":
            status = instance["status"] if instance else "no_instance"
            return {"reason": "not_connected", "until": None, "number_status": status}
        held = hold_until(pacing, state, now)
        return {"reason": held[1], "until": held[0], "number_status": "connected"} if held else None

    def _move(self, account_id: UUID, campaign_id: UUID, from_statuses: tuple[str, ...],
              status: str) -> dict:
        with self.db.tenant(account_id) as conn:
            campaign = sql.set_status(conn, account_id, campaign_id, from_statuses, status)
            if campaign is None:
                self._refuse(conn, account_id, campaign_id, status)
            return with_progress(conn, account_id, [campaign])[0]

    def _refuse(self, conn, account_id: UUID, campaign_id: UUID, wanted: str) -> NoReturn:
        current = self._campaign(conn, account_id, campaign_id)["status"]
        raise Conflict("a %(status)s campaign cannot be %(wanted)s", status=current, wanted=wanted)

    @staticmethod
    def _campaign(conn, account_id: UUID, campaign_id: UUID) -> dict:
        campaign = sql.get_campaign(conn, account_id, campaign_id)
        if campaign is None:
            raise NotFound("no such campaign")
        return campaign

