"""The sandbox engine: no real phone; a QR link links it, sends get delivered and read receipts."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
import uuid

from workers.engines.base import ActionRejected, Emit, Engine, InvalidPayload, NotConnected, Outgoing
from workers.fence import NoFence
from workers.log import log
from workers.media import keep_received
from workers.session_store import FolderStore, SessionStore
from workers.timers import TimerQueue

STATE_FILE = "sandbox.json"
PHONE_LOG = "phone.jsonl"
"""What the sandbox customers' phones received, one JSON line per message; and, when the worker
is fenced or SANDBOX_PRESENCE_SECONDS is set, the engine's connection records
{"event": "online", "pid", "at"}: when it connects, and every SANDBOX_PRESENCE_SECONDS while
connected (proof that no two processes were ever connected at once)."""


def sandbox_phone(instance_id: str) -> str:
    """The sandbox phone number of an instance: "5500" and 9 digits derived from its id."""
    digest = int(hashlib.sha256(instance_id.encode()).hexdigest(), 16)
    return f"5500{digest % 10**9:09d}"


SANDBOX_TYPES = ("text", "image", "audio", "video", "document", "sticker", "location", "contact")


def _kind_of(mime_type: str) -> str:
    """The message type of a file by its MIME type."""
    top = mime_type.split("/", 1)[0]
    return top if top in ("image", "audio", "video") else "document"


def _text_field(payload: dict, field: str) -> str:
    """A required non-blank string of an action's payload."""
    value = payload.get(field)
    if not isinstance(value, str) or not value.strip():
        raise InvalidPayload(field, "is required")
    return value


class SandboxEngine(Engine):
    """A fake WhatsApp connection, for trying the whole flow without a phone."""

    name = "sandbox"
    label = "sandbox"

    def __init__(self, session_dir: str, emit: Emit, options: dict[str, object]):
        super().__init__(session_dir, emit, options)
        self.instance_id = str(options["instance_id"])
        self.control_url = str(options["control_url"]).rstrip("/")
        self.receipt_delay = float(os.environ.get("SANDBOX_RECEIPT_DELAY", "1"))
        store = options.get("session_store")
        self.store: SessionStore = store if store is not None else FolderStore(session_dir)  # type: ignore[assignment]
        self.state_path = os.path.join(session_dir, STATE_FILE)
        self._phone_log = self.store.lines(PHONE_LOG)
        self._delivered = self._delivered_before()
        self.presence_seconds = float(os.environ.get("SANDBOX_PRESENCE_SECONDS") or 0)
        self.records_online = self.presence_seconds > 0 or not isinstance(self.store.fence, NoFence)
        self._stopping = threading.Event()
        self._presence = threading.Thread(target=self._report_presence, name="sandbox-presence",
                                          daemon=True)
        self._lock = threading.RLock()
        self._state, self._phone, self._reason = "connecting", None, None
        self._qr_token: str | None = None
        self._timers = TimerQueue("sandbox-receipts")
        self._actions = {"link": self._link, "inject": self._inject, "type": self._type,
                         "react": self._react, "edit": self._edit, "delete": self._delete,
                         "read": self._read, "call": self._call, "reject_call": self._reject_call}
        self._ringing: set[str] = set()

    def start(self) -> None:
        """Come back linked from the session store, or show a new QR."""
        self._timers.start()
        if self.presence_seconds > 0:
            self._presence.start()
        phone = self._saved_phone()
        with self._lock:
            if phone:
                self._connected(phone)
            else:
                self._new_qr()

    def status(self) -> dict:
        """The connection: {"state", "phone", "reason"}."""
        with self._lock:
            return {"state": self._state, "phone": self._phone, "reason": self._reason}

    def current_qr(self) -> str | None:
        """The QR's text: a link to the control plane's sandbox scan page."""
        with self._lock:
            if self._qr_token is None:
                return None
            return f"{self.control_url}/sandbox/scan/{self._qr_token}"

    def _delivered_before(self) -> dict[str, str]:
        """message id → provider id of what the phone got already (a message key WhatsApp has
        seen is one message, however often it is sent)."""
        delivered = {}
        for line in self.store.read(PHONE_LOG):
            try:
                got = json.loads(line)
            except ValueError:
                continue
            if isinstance(got, dict) and got.get("message_id"):
                delivered[got["message_id"]] = got["provider_message_id"]
        return delivered

    def send(self, out: Outgoing) -> str:
        """Pretend to send: what the customer's phone got is written to phone.jsonl in the
        session folder (a file by its hash); the worker reports it sent. A message the phone
        got already, under the same key, is not shown twice."""
        with self._lock:
            if self._state != "connected":
                raise NotConnected("the instance is not linked to a phone")
            if out.message_id in self._delivered:
                return self._delivered[out.message_id]
        provider_id = f"sandbox-{uuid.uuid4()}"
        got: dict = {"provider_message_id": provider_id, "message_id": out.message_id,
                     "phone": out.phone, "text": out.text,
                     "reply_to": (out.reply_to or {}).get("provider_message_id"),
                     "typing_seconds": out.typing_seconds}
        if out.media is not None:
            got["media"] = {"kind": out.media.kind, "mime_type": out.media.mime_type,
                            "filename": out.media.filename, "voice": out.media.voice,
                            "size": len(out.media.data), "sha256": hashlib.sha256(out.media.data).hexdigest()}
        self._phone_log.append(json.dumps(got))
        with self._lock:
            self._delivered[out.message_id] = provider_id
        return provider_id

    def reported_sent(self, message_id: str, provider_id: str) -> None:
        """The receipts follow: delivered after the receipt delay, read after twice that."""
        delay = self.receipt_delay
        self._timers.call_later(delay, lambda: self._receipt(message_id, provider_id, "delivered"))
        self._timers.call_later(2 * delay, lambda: self._receipt(message_id, provider_id, "read"))

    def logout(self) -> None:
        """Forget the linked phone, report logged_out, then show a new QR."""
        with self._lock:
            self.store.remove(STATE_FILE)
            self._state, self._phone, self._reason = "logged_out", None, "logged out"
            self.emit("connection", {"state": "logged_out", "phone": None, "reason": "logged out"})
            log("sandbox: logged out")
            self._new_qr()

    def action(self, name: str, payload: dict) -> dict:
        """link {"token"}, inject {"phone", "text"} (a customer writes), type {"phone", "text"}
        (the business writes on its own phone), react {"phone", "provider_message_id", "emoji"},
        edit {"provider_message_id", "text"} or delete {"provider_message_id"}."""
        handler = self._actions.get(name)
        if handler is None:
            return super().action(name, payload)
        return handler(payload)

    def stop(self) -> None:
        """Stop the receipt and presence threads, reporting the receipts still due right away."""
        self._stopping.set()
        self._timers.stop(run_pending=True)

    def _link(self, payload: dict) -> dict:
        """The QR's link was opened: link when its token is the current QR's."""
        token = _text_field(payload, "token")
        with self._lock:
            current = self._qr_token
            if current is None or not hmac.compare_digest(token.encode(), current.encode()):
                raise ActionRejected("this QR code is not valid any more")
            phone = sandbox_phone(self.instance_id)
            self.store.replace(STATE_FILE, [json.dumps({"linked": True, "phone": phone})])
            self._connected(phone)
            return {"state": "connected", "phone": phone}

    def _inject(self, payload: dict) -> dict:
        """A customer's message arrives, as if they had sent it from their phone: a text, a file
        with its caption, a location or a contact card; it may quote a message (reply_to)."""
        data = self._message(payload, "sandbox-in")
        data["name"] = None
        if isinstance(payload.get("reply_to"), str) and payload["reply_to"]:
            data["reply_to_provider_message_id"] = payload["reply_to"]
        return self._arrive("message.in", data)

    def _type(self, payload: dict) -> dict:
        """The business types a message (or sends a file) on its own (sandbox) phone."""
        return self._arrive("message.out", self._message(payload, "sandbox-phone"))

    def _arrive(self, kind: str, data: dict) -> dict:
        with self._lock:
            if self._state != "connected":
                raise NotConnected("the instance is not linked to a phone")
            self.emit(kind, data)
        return {"provider_message_id": data["provider_message_id"]}

    def _message(self, payload: dict, prefix: str) -> dict:
        """An event's data from an action's payload: {phone, text} and a file, a location or a
        contact; the file is kept until the control plane has it."""
        phone = _text_field(payload, "phone")
        kind = payload.get("type") if payload.get("type") in SANDBOX_TYPES else "text"
        media = payload.get("media") if isinstance(payload.get("media"), dict) else None
        text = payload.get("text") if isinstance(payload.get("text"), str) else ""
        if media is None and kind == "text":
            text = _text_field(payload, "text")
        data = {"provider_message_id": f"{prefix}-{uuid.uuid4()}", "phone": phone, "text": text}
        if media is not None:
            data["media"] = self._received_file(media)
            kind = kind if kind != "text" else _kind_of(data["media"]["mime_type"])
        if kind in ("location", "contact"):
            data[kind] = payload.get(kind) if isinstance(payload.get(kind), dict) else {}
        return {**data, "type": kind}

    def _received_file(self, media: dict) -> dict:
        """A file a sandbox phone sends: kept for upload, or (unavailable: true) one WhatsApp
        fails to deliver, to try that path."""
        described = {"mime_type": str(media.get("mime_type") or "application/octet-stream"),
                     "filename": media.get("filename") if isinstance(media.get("filename"), str) else None,
                     "voice": media.get("voice") is True}
        if media.get("unavailable") is True:
            return described
        try:
            raw = base64.b64decode(str(media.get("data") or ""), validate=True)
        except ValueError:
            raise InvalidPayload("media.data", "must be base64") from None
        if not raw:
            raise InvalidPayload("media.data", "is required")
        return {**described, "upload": keep_received(self.session_dir, raw)}

    def _react(self, payload: dict) -> dict:
        """A customer reacts to a message (an empty emoji takes the reaction back)."""
        emoji = payload.get("emoji") if isinstance(payload.get("emoji"), str) else ""
        return self._change("message.reaction", {
            "provider_message_id": _text_field(payload, "provider_message_id"),
            "phone": _text_field(payload, "phone"), "emoji": emoji})

    def _edit(self, payload: dict) -> dict:
        """A customer edits one of their messages."""
        return self._change("message.edited", {
            "provider_message_id": _text_field(payload, "provider_message_id"),
            "text": _text_field(payload, "text")})

    def _delete(self, payload: dict) -> dict:
        """A customer deletes one of their messages for everyone."""
        return self._change("message.deleted", {
            "provider_message_id": _text_field(payload, "provider_message_id")})

    def _read(self, payload: dict) -> dict:
        """The business read a customer's messages: their phone shows blue ticks (phone.jsonl)."""
        ids = [i for i in payload.get("provider_message_ids") or [] if isinstance(i, str)]
        self._phone_log.append(json.dumps({"phone": _text_field(payload, "phone"), "read": ids}))
        return {"read": len(ids)}

    def _call(self, payload: dict) -> dict:
        """A customer calls the number; it rings until declined."""
        call_id = f"sandbox-call-{uuid.uuid4()}"
        answer = self._change("call", {"phone": _text_field(payload, "phone"), "call_id": call_id})
        with self._lock:
            self._ringing.add(call_id)
        return {**answer, "call_id": call_id}

    def _reject_call(self, payload: dict) -> dict:
        """Decline a ringing call (the caller's phone notes it in phone.jsonl)."""
        call_id = _text_field(payload, "call_id")
        with self._lock:
            if call_id not in self._ringing:
                raise ActionRejected("no such ringing call")
            self._ringing.discard(call_id)
        self._phone_log.append(json.dumps({"call_rejected": call_id}))
        return {"rejected": True}

    def _change(self, kind: str, data: dict) -> dict:
        with self._lock:
            if self._state != "connected":
                raise NotConnected("the instance is not linked to a phone")
            self.emit(kind, data)
        return {"ok": True}

    def _connected(self, phone: str) -> None:
        """Become connected (lock held) and report it."""
        self._state, self._phone, self._reason, self._qr_token = "connected", phone, None, None
        self.emit("connection", {"state": "connected", "phone": phone, "reason": None})
        log("sandbox: connected")
        self._record_online()

    def _record_online(self) -> None:
        """Note in the phone log that this process is connected now (who, when)."""
        if not self.records_online:
            return
        line = json.dumps({"event": "online", "pid": os.getpid(), "at": time.time()})
        try:
            self._phone_log.append(line)
        except OSError as exc:
            log(f"sandbox: the connection record was not written ({type(exc).__name__})")

    def _report_presence(self) -> None:
        """Every presence_seconds while connected, record that this process is online."""
        while not self._stopping.wait(self.presence_seconds):
            with self._lock:
                if self._state == "connected":
                    self._record_online()

    def _new_qr(self) -> None:
        """Show a fresh QR (lock held) and report it."""
        self._qr_token = f"{self.instance_id}.{secrets.token_urlsafe(16)}"
        self._state, self._phone, self._reason = "waiting_qr", None, None
        self.emit("qr", {"code": self.current_qr()})
        self.emit("connection", {"state": "waiting_qr", "phone": None, "reason": None})
        log("sandbox: waiting for the QR to be scanned")

    def _receipt(self, message_id: str, provider_id: str, status: str) -> None:
        """Report one receipt of a sent message."""
        self.emit("message.status", {"message_id": message_id, "provider_message_id": provider_id,
                                     "status": status, "error": None})

    def _saved_phone(self) -> str | None:
        """The phone of a linked session saved in the session store, if any."""
        try:
            lines = self.store.read(STATE_FILE)
            if not lines:
                return None
            saved = json.loads("\n".join(lines))
        except (OSError, ValueError):
            log("sandbox: the saved session is unreadable; a new QR follows")
            return None
        if isinstance(saved, dict) and saved.get("linked") and isinstance(saved.get("phone"), str):
            return saved["phone"]
        return None
