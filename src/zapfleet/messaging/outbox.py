"""Sending: every outbound message is written to the outbox first, then handed to the worker."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID, uuid5

from zapfleet.core import validation
from zapfleet.core.clock import utcnow
from zapfleet.core.errors import Conflict, InvalidInput, NotFound, Unavailable
from zapfleet.core.pagination import decode_cursor, next_cursor, page_limit
from zapfleet.core.shapes import parse
from zapfleet.core.vocabulary import MAX_TEXT_LENGTH
from zapfleet.db import Database
from zapfleet.db import contacts as contacts_sql
from zapfleet.db import messages as messages_sql
from zapfleet.db import outbox as sql
from zapfleet.db import scheduled as scheduled_sql
from zapfleet.db import settings as settings_sql
from zapfleet.messaging import intake
from zapfleet.messaging.media import MediaLibrary, Upload, snapshot
from zapfleet.messaging.media_shapes import SendIn
from zapfleet.messaging.webhooks import WebhookManager
from zapfleet.tenancy.account_settings import effective
from zapfleet.tenancy.plans import PlanLimits

MAX_TEXT = MAX_TEXT_LENGTH
LEASE_SECONDS = 30
RETRY_SECONDS = 15
MAX_SCHEDULE = timedelta(days=366)
HANDOVER_LINK_SECONDS = 3600
"""How long the link a worker fetches a file to send by lasts."""
TYPED_ORIGINS = ("bot", "notice", "auto_reply")
"""Messages the service writes itself: WhatsApp shows "typing…" before them (typing_indicator)."""


def typing_seconds(text: str) -> float:
    """How long "typing…" shows before a text: a second, and more for a longer one, at most 5."""
    return round(min(1.0 + len(text) / 60, 5.0), 1)


class WorkerSender(Protocol):
    """What the outbox needs from the InstanceManager."""

    def send(self, account_id: UUID, message_id: str, phone: str, text: str,
             instance: dict | None = None, extra: dict | None = None) -> dict: ...



def future_moment(data: Mapping[str, Any], field: str, now: datetime,
                  horizon: timedelta = MAX_SCHEDULE) -> datetime | None:
    """An optional ISO 8601 moment with a time zone, after now and within the horizon."""
    value = data.get(field)
    if value in (None, ""):
        return None
    moment = validation.moment(value, field)
    if moment <= now:
        raise InvalidInput(field, "must be in the future")
    if moment > now + horizon:
        raise InvalidInput(field, "must be within %(days)s days", days=horizon.days)
    return moment


def queue(conn, account_id: UUID, phone: str, text: str, key: str, origin: str, *,
          deadline_at: datetime, send_at: datetime | None = None,
          media: dict | None = None, message_id: UUID | None = None) -> dict | None:
    """Queue a message made by the service itself (with a file: its media snapshot) inside the
    caller's transaction; the dispatcher hands it over. None when the key was used already (it
    is never sent twice)."""
    contact = contacts_sql.ensure_contact(conn, account_id, phone)
    conversation_id = messages_sql.ensure_conversation(conn, account_id, contact["id"])
    return sql.insert_queued(conn, account_id, conversation_id, text, key, deadline_at, None,
                             origin=origin, send_at=send_at, media=media, message_id=message_id)


class Outbox:
    """Queues outbound messages durably and hands them to the account's worker exactly once."""

    def __init__(self, db: Database, instances: WorkerSender, region: str = "BR",
                 deadline_seconds: int = 86400, clock: Callable[[], datetime] = utcnow,
                 plans: PlanLimits | None = None, media: MediaLibrary | None = None,
                 allow_private: bool = False):
        self.db, self.instances, self.region = db, instances, region
        self.media, self.allow_private = media, allow_private
        self.plans = plans or PlanLimits({})
        self.intake = intake.SendIntake(db, lambda: self.plans)
        self.deadline = timedelta(seconds=deadline_seconds)
        self.clock = clock

    def send(self, account_id: UUID, data: Mapping[str, Any],
             upload: Upload | None = None) -> tuple[dict, bool]:
        """Queue and try to send now (or keep until send_at); returns (message, created) — a
        repeated key is not created. A file comes as data["media"] or as an upload."""
        order = parse(SendIn, data, region=self.region, file=upload is not None)
        send_at = future_moment(data, "send_at", self.clock())
        if order.media or upload:
            repeated = self._repeated(account_id, order.idempotency_key)
            if repeated is not None:  # the file is not stored twice
                return repeated, False
        if not order.wait and not (send_at or order.media or upload or order.reply_to):
            return self._take_in(account_id, order)
        media = self._attach(account_id, order, upload)
        message, created, instance = self._queue(account_id, order.phone, order.message,
                                                 order.idempotency_key or None, send_at,
                                                 media, order.reply_to, leased=order.wait)
        if not created or send_at is not None or not order.wait:
            return message, created
        result, why_not = self._hand_over(account_id, message, order.phone, instance)
        if result is None:
            return {**message, "status": "queued", "lease_until": None, "error": why_not}, True
        # the worker reports the outcome as an event, and the row follows from it; should that
        # be lost, the lease runs out and the dispatcher's hand-over gets the worker's record
        return handed(message, result, self.clock()), True

    def _queue(self, account_id: UUID, phone: str, text: str, key: str | None,
               send_at: datetime | None, media: dict | None = None,
               reply_to: UUID | None = None, leased: bool = True) -> tuple[dict, bool, dict | None]:
        """(message, created, the account's instance to hand it to now, if any), in one
        statement; leased to this caller unless it is scheduled or left to the dispatcher."""
        now = self.clock()
        lease = None if send_at or not leased else now + timedelta(seconds=LEASE_SECONDS)
        with self.db.tenant(account_id) as conn:
            self.plans.check(conn, account_id, "messages_per_day", adding=1)
            if reply_to and scheduled_sql.get_message(conn, account_id, reply_to) is None:
                raise InvalidInput("reply_to", "is not a message of this account")
            queued = sql.queue_api_message(conn, account_id, phone, text, key,
                                           (send_at or now) + self.deadline, lease, send_at,
                                           media, reply_to)
            if queued is None:  # its key waits in the intake, or came at the same moment
                return intake.stored_before(conn, account_id, key), False, None
            return queued

    def _take_in(self, account_id: UUID, order: SendIn) -> tuple[dict, bool]:
        """Store a plain text that does not wait (batched with the process's other such sends);
        the dispatcher files it."""
        return self.intake.take_in(intake.Send(account_id, order.phone, order.message,
                                               order.idempotency_key or None,
                                               self.clock() + self.deadline))

    def file_intake(self, most: int = 5000) -> int:
        """File the sends that did not wait as queued messages, a batch per transaction (each
        dispatcher pass, before it leases); how many."""
        filed = 0
        while filed < most:
            with self.db.system() as conn:
                taken = intake.file_batch(conn, queue)
            filed += taken
            if taken < intake.FILE_BATCH:
                break
        return filed

    def _repeated(self, account_id: UUID, key: str) -> dict | None:
        """The message sent before with this idempotency key (waiting in the intake or not), if
        any."""
        if not key:
            return None
        with self.db.tenant(account_id) as conn:
            return intake.first_with_key(conn, account_id, key)

    def _attach(self, account_id: UUID, order: SendIn, upload: Upload | None) -> dict | None:
        """The file to send, stored (what the message's media column keeps), or None."""
        if self.media is None or not (order.media or upload):
            return None
        if upload is not None:
            row = self.media.store(account_id, upload.stream, upload.mime_type, upload.filename,
                                   field="file")
            voice = upload.voice
        else:
            assert order.media is not None
            row = self.media.store_given(account_id, order.media, self.allow_private)
            voice = order.media.voice
        return snapshot(row, voice=voice and row["kind"] == "audio")

    def worker_extra(self, account_id: UUID, message: dict) -> dict | None:
        """What the worker needs beside the text: a link to the file, the message quoted."""
        extra: dict[str, Any] = {}
        media = message.get("media")
        if media and media.get("id") and self.media is not None:
            extra["media"] = {"path": self.media.link(account_id, media["id"], HANDOVER_LINK_SECONDS),
                              **{k: media.get(k) for k in ("kind", "mime_type", "filename", "voice")}}
        if message.get("reply_to"):
            with self.db.tenant(account_id) as conn:
                quoted = scheduled_sql.get_message(conn, account_id, message["reply_to"])
            if quoted and quoted["provider_message_id"]:
                extra["reply_to"] = {"provider_message_id": quoted["provider_message_id"],
                                     "from_me": quoted["direction"] == "out", "text": quoted["body"]}
        if message.get("origin") in TYPED_ORIGINS and self._shows_typing(account_id):
            extra["typing_seconds"] = typing_seconds(message["body"])
        return extra or None

    def _shows_typing(self, account_id: UUID) -> bool:
        with self.db.tenant(account_id) as conn:
            return effective(settings_sql.settings_of(conn, account_id))["typing_indicator"]

    def _hand_over(self, account_id: UUID, message: dict, phone: str,
                   instance: dict | None) -> tuple[dict | None, str | None]:
        """(the worker's answer, None) for a leased message; (None, why) when the worker could
        not take it: then it is released for a retry, with that reason."""
        try:
            return self.instances.send(account_id, str(message["id"]), phone, message["body"],
                                       instance, self.worker_extra(account_id, message)), None
        except (Unavailable, Conflict, NotFound) as exc:
            self._release(account_id, message["id"], exc.message)
            return None, exc.message

    def hand_to_worker(self, account_id: UUID, message: dict, phone: str) -> dict:
        """Give a leased message to the worker and record its answer (the dispatcher's way): on
        success it is sent, else released for retry."""
        result, why_not = self._hand_over(account_id, message, phone, None)
        if result is None:
            return {**message, "status": "queued", "lease_until": None, "error": why_not}
        with self.db.tenant(account_id) as conn:
            if result.get("status") == "failed":  # WhatsApp refused it: never retried
                done = sql.apply_receipt(conn, account_id, message["id"], "failed", None,
                                         str(result.get("error") or "WhatsApp refused the message"))
            else:
                done = sql.mark_sent(conn, account_id, message["id"],
                                     result["provider_message_id"], self.clock())
            if done is None:  # a receipt got there first
                return message
            status_webhook(conn, account_id, done)
            return done

    def _release(self, account_id: UUID, message_id: UUID, reason: str) -> None:
        retry_at = self.clock() + timedelta(seconds=RETRY_SECONDS)
        with self.db.tenant(account_id) as conn:
            sql.release(conn, account_id, message_id, retry_at, reason)

    def list_scheduled(self, account_id: UUID, limit: Any = None, cursor: str | None = None) -> dict:
        """A page of messages waiting for their send_at, soonest first."""
        size = page_limit(limit)
        with self.db.tenant(account_id) as conn:
            rows = scheduled_sql.list_scheduled(conn, account_id, size, decode_cursor(cursor))
        return {"items": rows, "next_cursor": next_cursor(rows, size, moment_key="send_at")}

    def cancel_scheduled(self, account_id: UUID, message_id: UUID) -> dict:
        """Cancel a message that waits for its send_at; Conflict once it has left."""
        with self.db.tenant(account_id) as conn:
            message = scheduled_sql.get_message(conn, account_id, message_id)
            if message is None or message["direction"] != "out":
                raise NotFound("no such message")
            if message["status"] == "cancelled":
                return message
            cancelled = scheduled_sql.cancel_queued(conn, account_id, [message_id], self.clock(),
                                                    "cancelled before it was sent")
            for row in cancelled:
                status_webhook(conn, account_id, row)
        if not cancelled:
            raise Conflict("the message cannot be cancelled: it is %(status)s", status=message["status"])
        return cancelled[0]

    def lease_due(self, per_account: int, busy: list[UUID]) -> list[dict]:
        """Lease the due queued messages of every account not in busy (for the dispatcher)."""
        now = self.clock()
        with self.db.system() as conn:
            return sql.lease_due(conn, now, now + timedelta(seconds=LEASE_SECONDS),
                                 per_account, busy)

    def expire_overdue(self) -> list[dict]:
        """Fail the queued messages whose deadline passed, telling each account's webhook."""
        with self.db.system() as conn:
            expired = sql.expire_overdue(conn, self.clock())
            for message in expired:
                status_webhook(conn, message["account_id"], message)
        return expired


def handed(message: dict, result: dict, now: datetime) -> dict:
    """The message as the worker's answer leaves it (before the row catches up)."""
    failed = result.get("status") == "failed"
    return {**message, "status": "failed" if failed else "sent", "lease_until": None,
            "provider_message_id": result.get("provider_message_id"),
            "error": (result.get("error") or "WhatsApp refused the message") if failed else None,
            "sent_at": None if failed else now}


def status_webhook(conn, account_id: UUID, message: dict) -> None:
    """Offer a message's current status to the account's webhook, once per status."""
    payload = {"message_id": str(message["id"]), "status": message["status"],
               "provider_message_id": message["provider_message_id"], "error": message["error"]}
    delivery_id = uuid5(message["id"], message["status"])
    WebhookManager.enqueue(conn, account_id, "message.status", payload, delivery_id)
