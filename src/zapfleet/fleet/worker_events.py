"""Events reported by workers: authenticated, validated, stored in the right account."""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, BinaryIO, Protocol
from uuid import UUID

from zapfleet.core import validation
from zapfleet.core.errors import InvalidInput, Unauthorized, Unavailable
from zapfleet.core.security import same_secret, worker_token
from zapfleet.core.vocabulary import CONNECTION_STATES, MAX_RECEIVED_TEXT, MAX_TEXT_LENGTH
from zapfleet.db import Database, savepoint
from zapfleet.db import contacts as contacts_sql
from zapfleet.db import instances as instances_sql
from zapfleet.db import messages as messages_sql
from zapfleet.db import outbox as outbox_sql
from zapfleet.db import pacing as pacing_sql
from zapfleet.fleet.dead_letters import DeadLetters, reason
from zapfleet.fleet.event_content import message_content, upload_media_id
from zapfleet.messaging.media import MediaLibrary
from zapfleet.messaging.outbox import status_webhook
from zapfleet.messaging.webhooks import WebhookManager

log = logging.getLogger("zapfleet.fleet.worker_events")
RECEIPTS = ("sent", "delivered", "read", "failed")
MAX_BATCH = 500


def _uuid(value: Any, field: str) -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        raise InvalidInput(field, "must be a UUID") from None


def _data_text(data: dict, field: str, max_len: int = MAX_TEXT_LENGTH, required: bool = True) -> str:
    return validation.text(data, field, max_len=max_len, required=required) or ""


def _target(data: dict) -> str:
    """The provider's id of the message a change is about."""
    return _data_text(data, "provider_message_id", 200)


def _truncated(data: dict, field: str, max_len: int) -> dict:
    """The data with that text field cut to max_len characters (a customer's message is kept,
    not refused, whatever its length)."""
    value = data.get(field)
    if isinstance(value, str) and len(value) > max_len:
        return {**data, field: value[:max_len]}
    return data


def _message_text(data: dict) -> str:
    """A message's text, cut to WhatsApp's longest; required for a text, a caption otherwise."""
    required = data.get("type") in (None, "text")
    return _data_text(_truncated(data, "text", MAX_RECEIVED_TEXT), "text", MAX_RECEIVED_TEXT, required)


def _until(data: dict) -> datetime | None:
    """The optional "until" of a connection event: an ISO-8601 time with its offset."""
    value = data.get("until")
    if value is None:
        return None
    try:
        until = datetime.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput("until", "must be an ISO-8601 time") from None
    if until.tzinfo is None:
        raise InvalidInput("until", "must carry its UTC offset")
    return until


def _required_choice(data: dict, field: str, allowed: tuple[str, ...]) -> str:
    value = validation.choice(data, field, allowed)
    if value is None:
        raise InvalidInput(field, "is required")
    return value


class InboundHandler(Protocol):
    """What answers a stored inbound message inside its transaction (the bot)."""

    def __call__(self, conn, account_id: UUID, contact: dict, conversation_id: UUID,
                 message: dict) -> Any: ...


class WorkerEvents:
    """Applies a worker's event batch to its account: instance state, messages, webhooks."""

    def __init__(self, db: Database, secret_key: str, media: MediaLibrary, region: str = "BR",
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 on_inbound: InboundHandler | None = None, public_url: str = ""):
        self.db, self.secret_key, self.region, self.clock = db, secret_key, region, clock
        self.media, self.on_inbound, self.public_url = media, on_inbound, public_url
        self.dead_letters = DeadLetters(db, self)
        self.handlers = {"qr": self._qr, "connection": self._connection,
                         "message.in": self._message_in, "message.out": self._message_out,
                         "message.status": self._message_status,
                         "message.reaction": self._reaction, "message.edited": self._edited,
                         "message.deleted": self._deleted}

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
        return _jsonable({name: row[name] for name in ("id", "kind", "mime_type", "size", "sha256")})

    def ingest(self, instance: dict, events: Any) -> dict:
        """Apply a batch in order, in one transaction; when an event is malformed or fails, the
        others each in their own and that one put aside (dead_letters): no event can block the
        ones behind it. A database outage is Unavailable: the worker sends the batch again."""
        if not isinstance(events, list) or len(events) > MAX_BATCH:
            raise InvalidInput("events", f"must be a list of at most {MAX_BATCH} events")
        checked, rejected = [], []
        for index, event in enumerate(events):
            try:
                checked.append((index, *self.checked(event, index)))
            except InvalidInput as exc:
                rejected.append(self.dead_letters.put_aside(instance, index, event, exc.message))
        try:  # the common case: the whole batch in one transaction
            with self.db.tenant(instance["account_id"]) as conn:
                for _index, event_id, kind, data in checked:
                    self.handlers[kind](conn, instance, event_id, data)
        except Unavailable:
            raise
        except Exception:  # noqa: BLE001 - found and put aside one by one below
            rejected += self._ingest_one_by_one(instance, checked)
        return {"applied": len(events) - len(rejected), "rejected": rejected}

    def _ingest_one_by_one(self, instance: dict, checked: list[tuple[int, UUID, str, dict]]) -> list[dict]:
        """Apply each event in its own transaction; put aside those that fail."""
        rejected = []
        for index, event_id, kind, data in checked:
            try:
                self.apply(instance, event_id, kind, data)
            except Unavailable:
                raise
            except Exception as exc:  # noqa: BLE001 - a bad event must not block the ones behind it
                event = {"id": str(event_id), "type": kind, "data": data}
                rejected.append(self.dead_letters.put_aside(instance, index, event, reason(exc)))
        return rejected

    def apply(self, instance: dict, event_id: UUID, kind: str, data: dict) -> None:
        """Apply one event in its own transaction."""
        with self.db.tenant(instance["account_id"]) as conn:
            self.handlers[kind](conn, instance, event_id, data)

    def checked(self, event: Any, index: int = 0) -> tuple[UUID, str, dict]:
        """An event's (id, type, data); InvalidInput naming it (events[index]) when malformed."""
        if not isinstance(event, dict) or not isinstance(event.get("data"), dict):
            raise InvalidInput(f"events[{index}]", "must be an object with id, type and data")
        if event.get("type") not in self.handlers:
            raise InvalidInput(f"events[{index}].type", f"unknown event type {event.get('type')!r}")
        return _uuid(event.get("id"), f"events[{index}].id"), event["type"], event["data"]

    def _qr(self, conn, instance: dict, event_id: UUID, data: dict) -> None:
        code = _data_text(data, "code")
        instances_sql.update_observed(conn, instance["id"], qr_code=code, status="waiting_qr")
        WebhookManager.enqueue(conn, instance["account_id"], "qr", {"code": code}, event_id)

    def _connection(self, conn, instance: dict, event_id: UUID, data: dict) -> None:
        state = _required_choice(data, "state", CONNECTION_STATES)
        phone = _data_text(data, "phone", 32, required=False)
        reason = _data_text(data, "reason", 500, required=False)
        until = _until(data)
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
        text = _message_text(data)
        provider_id = _data_text(data, "provider_message_id", 200)
        name = _data_text(data, "name", 200, required=False)
        contact = contacts_sql.ensure_contact(conn, account_id, phone, name)
        conversation_id = messages_sql.ensure_conversation(conn, account_id, contact["id"])
        quoted = _data_text(data, "reply_to_provider_message_id", 200, required=False) or None
        message = messages_sql.insert_inbound(conn, account_id, conversation_id, text, provider_id,
                                              quoted, message_content(conn, instance, data))
        if message is not None:
            payload = {"message": self.with_link(message),
                       "contact": {"id": contact["id"], "phone": phone, "name": contact["name"]}}
            WebhookManager.enqueue(conn, account_id, "message.received", _jsonable(payload), event_id)
            self._answer(conn, account_id, contact, conversation_id, message)

    def _message_out(self, conn, instance: dict, event_id: UUID, data: dict) -> None:
        """A message the business typed on its own phone: recorded as sent (origin phone), once;
        it pauses the bot for that contact like any person's reply."""
        account_id = instance["account_id"]
        phone = validation.phone(data.get("phone"), self.region)
        text = _message_text(data)
        provider_id = _data_text(data, "provider_message_id", 200)
        contact = contacts_sql.ensure_contact(conn, account_id, phone)
        conversation_id = messages_sql.ensure_conversation(conn, account_id, contact["id"])
        messages_sql.insert_typed_on_phone(conn, account_id, conversation_id, text, provider_id,
                                           message_content(conn, instance, data))

    def _reaction(self, conn, instance: dict, event_id: UUID, data: dict) -> None:
        """A reaction to a message (no new message): the sender's latest emoji counts."""
        sender = _data_text(data, "phone", 32)
        emoji = validation.text(data, "emoji", max_len=32, required=False) or ""
        message = messages_sql.react(conn, instance["account_id"], _target(data), sender, emoji)
        self._changed(conn, instance, event_id, "message.reaction", message,
                      {"phone": sender, "emoji": emoji})

    def _edited(self, conn, instance: dict, event_id: UUID, data: dict) -> None:
        """Its sender edited a message: the new text, the earlier one kept."""
        text = _data_text(_truncated(data, "text", MAX_RECEIVED_TEXT), "text", MAX_RECEIVED_TEXT)
        message = messages_sql.edit(conn, instance["account_id"], _target(data), text)
        self._changed(conn, instance, event_id, "message.edited", message, {})

    def _deleted(self, conn, instance: dict, event_id: UUID, data: dict) -> None:
        """Its sender deleted a message for everyone: marked deleted, its text wiped."""
        message = messages_sql.delete_for_everyone(conn, instance["account_id"], _target(data))
        self._changed(conn, instance, event_id, "message.deleted", message, {})

    def _changed(self, conn, instance: dict, event_id: UUID, kind: str, message: dict | None,
                 extra: dict) -> None:
        """Tell the webhook about a change to a stored message (none for an unknown one)."""
        if message is not None:
            WebhookManager.enqueue(conn, instance["account_id"], kind,
                                   _jsonable({"message": self.with_link(message), **extra}), event_id)

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
        status = _required_choice(data, "status", RECEIPTS)
        provider_id = _data_text(data, "provider_message_id", 200,
                                 required=data.get("message_id") is None)
        error = _data_text(data, "error", 500, required=False) or None
        if data.get("message_id") is None:  # known by the provider's id only
            message = outbox_sql.apply_provider_receipt(conn, instance["account_id"], provider_id,
                                                        status, error)
        else:
            if provider_id:  # its echo may have been taken for the phone's own message
                messages_sql.forget_phone_echo(conn, instance["account_id"], provider_id)
            message = outbox_sql.apply_receipt(conn, instance["account_id"],
                                               _uuid(data.get("message_id"), "message_id"),
                                               status, provider_id, error)
        if message is not None:
            status_webhook(conn, instance["account_id"], message)


def _jsonable(value: Any) -> Any:
    """Rows with UUIDs and datetimes, turned into JSON-ready values."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (UUID,)):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value
