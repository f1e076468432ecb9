"""The sandbox engine: no real phone; a QR link links it, sends get delivered and read receipts."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
import uuid

from workers.engines.base import ActionRejected, Emit, Engine, InvalidPayload, NotConnected
from workers.files import replace_file
from workers.log import log
from workers.timers import TimerQueue

STATE_FILE = "sandbox.json"


def sandbox_phone(instance_id: str) -> str:
    """The sandbox phone number of an instance: "5500" and 9 digits derived from its id."""
    digest = int(hashlib.sha256(instance_id.encode()).hexdigest(), 16)
    return f"5500{digest % 10**9:09d}"


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
        self.state_path = os.path.join(session_dir, STATE_FILE)
        self._lock = threading.RLock()
        self._state, self._phone, self._reason = "connecting", None, None
        self._qr_token: str | None = None
        self._timers = TimerQueue("sandbox-receipts")
        self._actions = {"link": self._link, "inject": self._inject, "type": self._type,
                         "react": self._react, "edit": self._edit, "delete": self._delete}

    def start(self) -> None:
        """Come back linked from the session folder, or show a new QR."""
        self._timers.start()
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

    def send_text(self, phone: str, text: str, message_id: str) -> str:
        """Pretend to send; the worker reports it sent."""
        with self._lock:
            if self._state != "connected":
                raise NotConnected("the instance is not linked to a phone")
        return f"sandbox-{uuid.uuid4()}"

    def reported_sent(self, message_id: str, provider_id: str) -> None:
        """The receipts follow: delivered after the receipt delay, read after twice that."""
        delay = self.receipt_delay
        self._timers.call_later(delay, lambda: self._receipt(message_id, provider_id, "delivered"))
        self._timers.call_later(2 * delay, lambda: self._receipt(message_id, provider_id, "read"))

    def logout(self) -> None:
        """Forget the linked phone, report logged_out, then show a new QR."""
        with self._lock:
            try:
                os.remove(self.state_path)
            except FileNotFoundError:
                pass
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
        """Stop the receipt thread, reporting the receipts still due right away."""
        self._timers.stop(run_pending=True)

    def _link(self, payload: dict) -> dict:
        """The QR's link was opened: link when its token is the current QR's."""
        token = _text_field(payload, "token")
        with self._lock:
            current = self._qr_token
            if current is None or not hmac.compare_digest(token.encode(), current.encode()):
                raise ActionRejected("this QR code is not valid any more")
            phone = sandbox_phone(self.instance_id)
            replace_file(self.state_path, json.dumps({"linked": True, "phone": phone}))
            self._connected(phone)
            return {"state": "connected", "phone": phone}

    def _inject(self, payload: dict) -> dict:
        """A customer's message arrives, as if they had sent it from their phone."""
        phone, text = _text_field(payload, "phone"), _text_field(payload, "text")
        with self._lock:
            if self._state != "connected":
                raise NotConnected("the instance is not linked to a phone")
            provider_id = f"sandbox-in-{uuid.uuid4()}"
            data = {"provider_message_id": provider_id, "phone": phone, "text": text, "name": None}
            if isinstance(payload.get("reply_to"), str) and payload["reply_to"]:
                data["reply_to_provider_message_id"] = payload["reply_to"]
            self.emit("message.in", data)
        return {"provider_message_id": provider_id}

    def _type(self, payload: dict) -> dict:
        """The business types a message on its own (sandbox) phone to a customer."""
        phone, text = _text_field(payload, "phone"), _text_field(payload, "text")
        with self._lock:
            if self._state != "connected":
                raise NotConnected("the instance is not linked to a phone")
            provider_id = f"sandbox-phone-{uuid.uuid4()}"
            self.emit("message.out", {"provider_message_id": provider_id, "phone": phone, "text": text})
        return {"provider_message_id": provider_id}

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
        """The phone of a linked session saved in the session folder, if any."""
        try:
            with open(self.state_path, encoding="utf-8") as handle:
                saved = json.load(handle)
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            log("sandbox: the saved session is unreadable; a new QR follows")
            return None
        if isinstance(saved, dict) and saved.get("linked") and isinstance(saved.get("phone"), str):
            return saved["phone"]
        return None
