"""Events reported by workers: authenticated, validated, stored in the right account."""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO, Protocol
from uuid import UUID

from zapfleet.core import validation
from zapfleet.core.errors import InvalidInput, Unauthorized, Unavailable, ZapfleetError
from zapfleet.core.security import same_secret, worker_token
from zapfleet.core.vocabulary import CONNECTION_STATES
from zapfleet.db import Database, savepoint
from zapfleet.db import contacts as contacts_sql
from zapfleet.db import instances as instances_sql
from zapfleet.db import messages as messages_sql
from zapfleet.db import outbox as outbox_sql
from zapfleet.db import pacing as pacing_sql
from zapfleet.db import settings as settings_sql
from zapfleet.fleet.calls import answer_call
from zapfleet.fleet.dead_letters import DeadLetters, reason
from zapfleet.fleet.event_content import message_content, upload_media_id
from zapfleet.fleet.event_fields import (
    data_text,
    event_uuid,
    jsonable,
    message_text,
    required_choice,
    target_id,
    until_of,
)
from zapfleet.messaging.media import MediaLibrary
from zapfleet.messaging.outbox import status_webhook
from zapfleet.messaging.webhooks import WebhookManager
from zapfleet.tenancy.account_settings import effective

log = logging.getLogger("zapfleet.fleet.worker_events")
RECEIPTS = ("sent", "delivered", "read", "failed")
MAX_BATCH = 500


CallDecliner = Callable[[UUID, str], Any]
"""Asks an account's worker to decline a ringing call: (account id, call id)."""
AfterCommit = Callable[[], None]
CALL_REPLY_DEADLINE = timedelta(hours=1)


class InboundHandler(Protocol):
    """What answers a stored inbound message inside its transaction (the bot)."""

    def __call__(self, conn, account_id: UUID, contact: dict, conversation_id: UUID,
                 message: dict) -> Any: ...


class WorkerEvents:
    """Applies a worker's event batch to its account: instance state, messages, webhooks."""

    def __init__(self, db: Database, secret_key: str, media: MediaLibrary, region: str = "BR",
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 on_inbound: InboundHandler | None = None, public_url: str = "",
                 decline_call: CallDecliner = lambda account_id, call_id: None):
        self.db, self.secret_key, self.region, self.clock = db, secret_key, region, clock
        self.media, self.on_inbound, self.public_url = media, on_inbound, public_url
        self.decline_call = decline_call
        self.dead_letters = DeadLetters(db, self)
        self.handlers = {"qr": self._qr, "connection": self._connection,
                         "message.in": self._message_in, "message.out": self._message_out,
                         "message.status": self._message_status,
                         "message.reaction": self._reaction, "message.edited": self._edited,
                         "message.deleted": self._deleted, "call": self._call}

    def authenticate(self, instance_id: Any, token: str) -> dict:
        """The instance whose worker holds this token; Unauthorized for anything else."""
        try:
            instance_uuid = UUID(str(instance_id))
        except ValueError:
            raise Unauthorized("unknown worker") from None
        if not same_secret(token, worker_token(self.secret_key, str(instance_uuid))):
            raise Unauthorized("unknown worker")
        with self.db.system() as conn:
            instance = instances_sql.get_instance(conn, instance_uuid)
        if instance is None:
            raise Unauthorized("unknown worker")
        return instance

    def store_received_media(self, instance: dict, stream: BinaryIO, args: Mapping[str, str]) -> dict:
        """Store a file the worker received (args: upload, the key its event names; mime_type,
        filename, kind); sending the same key again stores it once."""
        key = args.get("upload", "")
        if not 0 < len(key) <= 100:
            raise InvalidInput("upload", "is required (at most 100 characters)")
        row = self.media.store(instance["account_id"], stream, args.get("mime_type") or None,
                               args.get("filename") or None, received=True,
                               media_id=upload_media_id(instance["id"], key),
                               kind="sticker" if args.get("kind") == "sticker" else None)
        return jsonable({name: row[name] for name in ("id", "kind", "mime_type", "size", "sha256")})

    def ingest(self, instance: dict, events: Any) -> dict:
        """Apply a batch in order, in one transaction; when an event is malformed or fails, the
        others each in their own and that one put aside (dead_letters): no event can block the
        ones behind it. A database outage is Unavailable: the worker sends the batch again."""
        if not isinstance(events, list) or len(events) > MAX_BATCH:
            raise InvalidInput("events", f"must be a list of at most {MAX_BATCH} events")
        checked, rejected, afterwards = [], [], []
        for index, event in enumerate(events):
            try:
                checked.append((index, *self.checked(event, index)))
            except InvalidInput as exc:
                rejected.append(self.dead_letters.put_aside(instance, index, event, exc.message))
        try:  # the common case: the whole batch in one transaction
            with self.db.tenant(instance["account_id"]) as conn:
                for _index, event_id, kind, data in checked:
                    afterwards.append(self.handlers[kind](conn, instance, event_id, data))
        except Unavailable:
            raise
        except Exception:  # noqa: BLE001 - found and put aside one by one below
            afterwards = []
            rejected += self._ingest_one_by_one(instance, checked, afterwards)
        for action in filter(None, afterwards):  # committed: now tell the worker (calls to decline)
            action()
        return {"applied": len(events) - len(rejected), "rejected": rejected}

    def _ingest_one_by_one(self, instance: dict, checked: list[tuple[int, UUID, str, dict]],
                           afterwards: list) -> list[dict]:
        """Apply each event in its own transaction; put aside those that fail."""
        rejected = []
        for index, event_id, kind, data in checked:
            try:
                afterwards.append(self.apply(instance, event_id, kind, data))
            except Unavailable:
                raise
            except Exception as exc:  # noqa: BLE001 - a bad event must not block the ones behind it
                event = {"id": str(event_id), "type": kind, "data": data}
                rejected.append(self.dead_letters.put_aside(instance, index, event, reason(exc)))
        return rejected

    def apply(self, instance: dict, event_id: UUID, kind: str, data: dict) -> AfterCommit | None:
        """Apply one event in its own transaction; what is to be done once it is committed."""
        with self.db.tenant(instance["account_id"]) as conn:
            return self.handlers[kind](conn, instance, event_id, data)

    def checked(self, event: Any, index: int = 0) -> tuple[UUID, str, dict]:
        """An event's (id, type, data); InvalidInput naming it (events[index]) when malformed."""
        if not isinstance(event, dict) or not isinstance(event.get("data"), dict):
            raise InvalidInput(f"events[{index}]", "must be an object with id, type and data")
        if event.get("type") not in self.handlers:
            raise InvalidInput(f"events[{index}].type", f"unknown event type {event.get('type')!r}")
        return event_uuid(event.get("id"), f"events[{index}].id"), event["type"], event["data"]

    def _qr(self, conn, instance: dict, event_id: UUID, data: dict) -> None:
        code = data_text(data, "code")
        instances_sql.update_observed(conn, instance["id"], qr_code=code, status="waiting_qr")
        WebhookManager.enqueue(conn, instance["account_id"], "qr", {"code": code}, event_id)

    def _connection(self, conn, instance: dict, event_id: UUID, data: dict) -> None:
        state = required_choice(data, "state", CONNECTION_STATES)
        phone = data_text(data, "phone", 32, required=False)
        reason = data_text(data, "reason", 500, required=False)
        until = until_of(data)
        fields: dict[str, Any] = {"status": state, "banned_until": until}
        if state == "connected":
            fields.update(qr_code=None, phone=phone, last_connected=self.clock(), last_error=None)
            pacing_sql.number_linked(conn, instance["account_id"], phone, self.clock())
        elif state in ("disconnected", "logged_out", "banned"):
            fields.update(last_error=reason, qr_code=None)
        instances_sql.update_observed(conn, instance["id"], **fields)
        payload = {"state": state, "phone": phone, "reason": reason,
                   "until": until.isoformat() if until else None}
        WebhookManager.enqueue(conn, instance["account_id"], "connection", payload, event_id)

    def _message_in(self, conn, instance: dict, event_id: UUID, data: dict) -> None:
        account_id = instance["account_id"]
        phone = validation.phone(data.get("phone"), self.region)
        text = message_text(data)
        provider_id = data_text(data, "provider_message_id", 200)
        name = data_text(data, "name", 200, required=False)
        contact = contacts_sql.ensure_contact(conn, account_id, phone, name)
        conversation_id = messages_sql.ensure_conversation(conn, account_id, contact["id"])
        quoted = data_text(data, "reply_to_provider_message_id", 200, required=False) or None
        message = messages_sql.insert_inbound(conn, account_id, conversation_id, text, provider_id,
                                              quoted, message_content(conn, instance, data))
        if message is not None:
            payload = {"message": self.with_link(message),
                       "contact": {"id": contact["id"], "phone": phone, "name": contact["name"]}}
            WebhookManager.enqueue(conn, account_id, "message.received", jsonable(payload), event_id)
            self._answer(conn, account_id, contact, conversation_id, message)

    def _message_out(self, conn, instance: dict, event_id: UUID, data: dict) -> None:
        """A message the business typed on its own phone: recorded as sent (origin phone), once;
        it pauses the bot for that contact like any person's reply."""
        account_id = instance["account_id"]
        phone = validation.phone(data.get("phone"), self.region)
        text = message_text(data)
        provider_id = data_text(data, "provider_message_id", 200)
        contact = contacts_sql.ensure_contact(conn, account_id, phone)
        conversation_id = messages_sql.ensure_conversation(conn, account_id, contact["id"])
        messages_sql.insert_typed_on_phone(conn, account_id, conversation_id, text, provider_id,
                                           message_content(conn, instance, data))

    def _reaction(self, conn, instance: dict, event_id: UUID, data: dict) -> None:
        """A reaction to a message (no new message): the sender's latest emoji counts."""
        sender = data_text(data, "phone", 32)
        emoji = validation.text(data, "emoji", max_len=32, required=False) or ""
        message = messages_sql.react(conn, instance["account_id"], target_id(data), sender, emoji)
        self._changed(conn, instance, event_id, "message.reaction", message,
                      {"phone": sender, "emoji": emoji})

    def _edited(self, conn, instance: dict, event_id: UUID, data: dict) -> None:
        """Its sender edited a message: the new text, the earlier one kept."""
        text = message_text(data)
        message = messages_sql.edit(conn, instance["account_id"], target_id(data), text)
        self._changed(conn, instance, event_id, "message.edited", message, {})

    def _deleted(self, conn, instance: dict, event_id: UUID, data: dict) -> None:
        """Its sender deleted a message for everyone: marked deleted, its text wiped (kept in
        previous_bodies, with its file, when the account keeps deleted messages)."""
        account_id = instance["account_id"]
        keep = effective(settings_sql.settings_of(conn, account_id))["keep_deleted_messages"]
        message = messages_sql.delete_for_everyone(conn, account_id, target_id(data), keep)
        self._changed(conn, instance, event_id, "message.deleted", message, {})

    def _call(self, conn, instance: dict, event_id: UUID, data: dict) -> AfterCommit | None:
        """Someone calls the number: when the account declines calls, the caller gets the
        call_rejected text and, once that is committed, the worker declines the call."""
        phone = validation.phone(data.get("phone"), self.region)
        call_id = data_text(data, "call_id", 200)
        deadline = self.clock() + CALL_REPLY_DEADLINE
        if not answer_call(conn, instance["account_id"], phone, f"call:{event_id}", deadline):
            return None
        decline, account_id = self.decline_call, instance["account_id"]
        return lambda: self._declined(decline, account_id, call_id)

    @staticmethod
    def _declined(decline: CallDecliner, account_id: UUID, call_id: str) -> None:
        try:
            decline(account_id, call_id)
        except ZapfleetError as exc:  # it stopped ringing, or the worker is gone: nothing to undo
            log.info("a call to account %s was not declined: %s", account_id, exc.message)

    def _changed(self, conn, instance: dict, event_id: UUID, kind: str, message: dict | None,
                 extra: dict) -> None:
        """Tell the webhook about a change to a stored message (none for an unknown one)."""
        if message is not None:
            WebhookManager.enqueue(conn, instance["account_id"], kind,
                                   jsonable({"message": self.with_link(message), **extra}), event_id)

    def with_link(self, message: dict) -> dict:
        """The message with a signed link to its file (media.url), for the webhook."""
        media = message.get("media")
        if not media or not media.get("available"):
            return message
        url = self.media.link(message["account_id"], media["id"], base=self.public_url)
        return {**message, "media": {**media, "url": url}}

    def _answer(self, conn, account_id: UUID, contact: dict, conversation_id: UUID,
                message: dict) -> None:
        """Let the bot answer; its failure is logged and undone, never losing the message."""
        if self.on_inbound is None:
            return
        try:
            with savepoint(conn, "inbound_handler"):
                self.on_inbound(conn, account_id, contact, conversation_id, message)
        except Exception:  # noqa: BLE001 - the inbound message must be stored regardless
            log.exception("answering message %s failed", message["id"])

    def _message_status(self, conn, instance: dict, event_id: UUID, data: dict) -> None:
        status = required_choice(data, "status", RECEIPTS)
        provider_id = data_text(data, "provider_message_id", 200,
                                 required=data.get("message_id") is None)
        error = data_text(data, "error", 500, required=False) or None
        if data.get("message_id") is None:  # known by the provider's id only
            message = outbox_sql.apply_provider_receipt(conn, instance["account_id"], provider_id,
                                                        status, error)
        else:
            if provider_id:  # its echo may have been taken for the phone's own message
                messages_sql.forget_phone_echo(conn, instance["account_id"], provider_id)
            message = outbox_sql.apply_receipt(conn, instance["account_id"],
                                               event_uuid(data.get("message_id"), "message_id"),
                                               status, provider_id, error)
        if message is not None:
            status_webhook(conn, instance["account_id"], message)
