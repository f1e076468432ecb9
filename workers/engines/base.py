"""The interface every WhatsApp engine implements, and the errors it may raise."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

Emit = Callable[[str, dict], None]
"""The callback an engine reports events through: emit(type, data)."""


class EngineError(Exception):
    """Base of the errors an engine raises; `code` is the worker's error code."""

    code = "internal_error"


class InvalidPayload(EngineError):
    """An action's payload is missing a field or has a bad one (400)."""

    code = "invalid_input"

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


class NotConnected(EngineError):
    """The account is not linked to a phone right now (409)."""

    code = "not_connected"


class ActionRejected(EngineError):
    """The action clashes with the engine's current state, e.g. a stale QR token (409)."""

    code = "conflict"


class UnknownAction(EngineError):
    """The engine has no action of that name (404)."""

    code = "not_found"


class SendFailed(EngineError):
    """WhatsApp refused the message, or may have got it: the send is recorded as failed with
    this reason and never retried (a retry could deliver it twice)."""

    code = "internal_error"


@dataclass(frozen=True)
class MediaFile:
    """A file to send: its bytes and what WhatsApp is told about them."""

    data: bytes
    kind: str
    mime_type: str
    filename: str | None = None
    voice: bool = False


@dataclass(frozen=True)
class Outgoing:
    """A message to send: a text, or a file with its caption; either may quote a message."""

    message_id: str
    phone: str
    text: str
    media: MediaFile | None = None
    reply_to: dict | None = None
    """The quoted message: {"provider_message_id", "from_me", "text"}."""
    typing_seconds: float = 0.0
    """Show "typing…" this long before sending (the bot's and notices' messages)."""


class Engine:
    """One WhatsApp connection; engines report what happens through `emit(type, data)`."""

    name = "abstract"
    label = "abstract"

    def __init__(self, session_dir: str, emit: Emit, options: dict[str, object]):
        self.session_dir = session_dir
        self.emit = emit
        self.options = options

    def start(self) -> None:
        """Connect (or ask for a QR); called once, before the HTTP server answers."""
        raise NotImplementedError

    def status(self) -> dict:
        """The connection: {"state", "phone", "reason"} and, when banned, "until" (ISO time)."""
        raise NotImplementedError

    def current_qr(self) -> str | None:
        """The text of the QR code to scan right now, or None."""
        raise NotImplementedError

    def send(self, out: Outgoing) -> str:
        """Send a message; return the provider's message id (NotConnected, SendFailed)."""
        raise NotImplementedError

    def reported_sent(self, message_id: str, provider_id: str) -> None:
        """The worker has reported the send (events after it come after it)."""

    def logout(self) -> None:
        """Unlink the phone and wipe the session; a new QR follows."""
        raise NotImplementedError

    def reconnect(self) -> None:
        """Asked to connect (again): when not connected, try now, e.g. for a fresh QR."""

    def delete(self) -> None:
        """The instance is being deleted: unlink the phone where the provider keeps it."""

    def action(self, name: str, payload: dict) -> dict:
        """An engine-specific action; engines without it raise UnknownAction."""
        raise UnknownAction(f"the {self.label} engine has no action {name!r}")

    def webhook(self, payload: dict) -> dict:
        """An event its provider POSTed to the worker's webhook route; engines without one: 404."""
        raise UnknownAction(f"the {self.label} engine receives no webhooks")

    def _report_phone_side(self, changed: tuple[str, dict] | None, typed: dict | None,
                           sent_by_us: Callable[[str], bool]) -> bool:
        """Report a reaction, edit or deletion, or a message the business typed on its own phone
        (never the echo of one of our sends); True when the event was one of these."""
        if changed is not None:  # no new message
            self.emit(*changed)
            return True
        if typed is None:
            return False
        if not sent_by_us(typed["provider_message_id"]):
            self.emit("message.out", typed)
        return True

    def unlink(self, settle_seconds: float) -> None:
        """Unlink for good without a worker (a deletion whose unlink failed before): come back
        from the kept session, then delete. ActionRejected while the phone may still be linked
        but WhatsApp cannot be reached (the control plane tries again later)."""
        self.start()
        try:
            status = self._settled(settle_seconds)
            if status["state"] not in ("connected", "logged_out", "waiting_qr"):
                raise ActionRejected(f"WhatsApp cannot be reached to unlink the phone "
                                     f"({status['state']}: {status.get('reason') or 'no reason given'})")
            self.delete()
        finally:
            self.stop()

    def _settled(self, timeout: float) -> dict:
        """The status once it is no longer connecting (or when timeout passed)."""
        deadline = time.monotonic() + timeout
        while self.status()["state"] in ("connecting", "starting") and time.monotonic() < deadline:
            time.sleep(0.2)
        return self.status()

    def stop(self) -> None:
        """Release the connection and background threads (the process is exiting)."""
