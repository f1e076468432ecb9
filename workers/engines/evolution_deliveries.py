"""How the Evolution engine follows its server's webhook deliveries (a mixin of EvolutionEngine):
the QR, the connection, messages (with their files) and receipts."""
from __future__ import annotations

import base64
import time

from workers.engines import evolution_events as conv
from workers.engines.evolution_client import EvolutionError, EvolutionUnreachable
from workers.log import log
from workers.media import keep_received

DOWNLOAD_TRIES = 3


def _decoded(value: object) -> bytes | None:
    """The bytes of a base64 text, or None when it is none."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return base64.b64decode(value)
    except ValueError:
        return None


class EvolutionDeliveries:
    """The delivery handlers; EvolutionEngine holds the state they change."""

    download_backoff = 0.5
    """Seconds before the second try of a failed file fetch (doubling after)."""

    def _deliveries(self) -> dict:
        return {"qrcode.updated": self._take_qr, "connection.update": self._on_connection,
                "messages.upsert": self._on_message, "messages.update": self._on_receipts}

    def _take_qr(self, data: dict) -> bool:
        """Show a QR from a delivery or an answer; False when it holds none."""
        code = conv.qr_code(data) if isinstance(data, dict) else None
        if code is None:
            return False
        with self._lock:
            if self._state == "connected" or code == self._qr:
                return True
            self._qr = code
            self.emit("qr", {"code": code})
            self._set("waiting_qr", None, None)
        return True

    def _on_connection(self, data: dict) -> None:
        state, phone, reason = conv.connection(data)
        if state == "connected":
            self._connected(phone or self._phone)
            return
        with self._lock:
            if state == "connecting" and self._state == "waiting_qr":
                return  # the QR is still the thing to show
            if data.get("state") == "refused":
                self._want_qr = False
            self._qr = None if state != "connecting" else self._qr
            self._set(state, None, reason)

    def _connected(self, phone: str | None, seen: int | None = None) -> None:
        """Linked; from a poll (seen) only when nothing changed since it began."""
        with self._lock:
            if seen is not None and self._changes != seen:
                return
            self._qr, self._want_qr = None, True
            self._set("connected", phone, None)

    def _on_message(self, data: dict) -> None:
        typed = conv.typed_on_phone(data)
        if typed and "media" in typed and not self._sent_by_us(typed["provider_message_id"]):
            self._keep_file(data, typed)
        if self._report_phone_side(conv.change(data), typed, self._sent_by_us):
            return
        found = conv.inbound(data)
        if found is not None:
            if "media" in found:
                self._keep_file(data, found)
            self.emit("message.in", found)

    def _keep_file(self, data: dict, found: dict) -> None:
        """The received file, from the delivery's base64 or fetched from the server (a few
        tries), kept for the control plane; without it the message is marked unavailable."""
        message = data.get("message") if isinstance(data.get("message"), dict) else {}
        raw = _decoded(message.get("base64"))
        for attempt in range(DOWNLOAD_TRIES if raw is None else 0):
            try:
                raw = self.client.media_base64(self.instance, found["provider_message_id"])
                break
            except (EvolutionError, EvolutionUnreachable, ValueError) as exc:
                log(f"evolution: fetching a received file failed ({type(exc).__name__})")
                time.sleep(self.download_backoff * 2 ** attempt)
        if raw:
            found["media"]["upload"] = keep_received(self.session_dir, raw)

    def _sent_by_us(self, provider_id: str) -> bool:
        with self._lock:
            return provider_id in self._sent_ids

    def _on_receipts(self, data) -> None:
        for provider_id, status in conv.receipts(data):
            self.emit("message.status", {"message_id": None, "provider_message_id": provider_id,
                                         "status": status, "error": None})
