"""How the neonize engine follows whatsmeow's events (a mixin of NeonizeEngine).

Handlers run on neonize's callback threads with (client, event); events of a client that is no
longer the current one are ignored. Ending a connection goes through NeonizeEngine._end, which
says what the connection thread does next.
"""
from __future__ import annotations

import time

from workers.engines import neonize_events as conv
from workers.engines.base import ActionRejected, NotConnected
from workers.log import log
from workers.media import keep_received

QR_EXPIRED = "the QR code expired before it was scanned; connect again for a new one"
REPLACED = ("this session was opened somewhere else (another worker or program); "
            "connect again to take it back")
OUTDATED = "WhatsApp says this neonize version is outdated; update neonize and restart the worker"
DROPPED = "the connection to WhatsApp dropped; reconnecting"
DOWNLOAD_TRIES = 3


class NeonizeHandlers:
    """The event handlers; NeonizeEngine holds the state they change."""

    download_backoff = 0.5
    """Seconds before the second try of a failed download (doubling after)."""

    def _handlers(self) -> dict:
        return {"ConnectedEv": self._on_connected, "PairStatusEv": self._on_pair_status,
                "DisconnectedEv": self._on_disconnected, "LoggedOutEv": self._on_logged_out,
                "StreamReplacedEv": self._on_stream_replaced, "TemporaryBanEv": self._on_ban,
                "ConnectFailureEv": self._on_connect_failure,
                "ClientOutdatedEv": self._on_outdated, "MessageEv": self._on_message,
                "ReceiptEv": self._on_receipt, "CallOfferEv": self._on_call}

    def _set(self, state: str, phone: str | None, reason: str | None) -> None:
        """Change the state (lock held); report it when anything changed."""
        if (state, phone, reason) == (self._state, self._phone, self._reason):
            return
        self._state, self._phone, self._reason = state, phone, reason
        if state != "banned":
            self._until = None
        until = self._until.isoformat() if self._until else None
        self.emit("connection", {"state": state, "phone": phone, "reason": reason, "until": until})
        log(f"neonize: {state}" + (f" ({reason})" if reason else ""))

    def _on_qr(self, client, code: bytes) -> None:
        with self._lock:
            if client is not self._client:
                return
            self._qr = code.decode()
            self.emit("qr", {"code": self._qr})
            self._set("waiting_qr", None, None)

    def _on_login_status(self, status: str) -> None:
        if status == "timeout":
            with self._lock:
                client, self._qr = self._client, None
                self._set("disconnected", None, QR_EXPIRED)
            self._end(client, "wait")

    def _on_pair_status(self, client, event) -> None:
        if conv.enum_name(event, "Status") == "SUCCESS":
            self._linked(client, conv.phone_of(event.ID))
        elif event.Error:
            with self._lock:
                self._reason = f"pairing failed: {event.Error[:200]}"

    def _on_connected(self, client, event) -> None:
        try:
            with self._go:
                phone = conv.phone_of(client.get_me().JID) if self._live(client) else None
        except Exception:  # noqa: BLE001 - the phone is also known from the pairing
            phone = None
        self._linked(client, phone)

    def _linked(self, client, phone: str | None) -> None:
        with self._lock:
            if client is not self._client:
                return
            self._qr = None
            self.backoff.reset()
            self._set("connected", phone or self._phone, None)

    def _on_disconnected(self, client, event) -> None:
        with self._lock:
            if client is self._client and self._state == "connected":
                self._set("connecting", self._phone, DROPPED)  # whatsmeow reconnects by itself

    def _on_logged_out(self, client, event) -> None:
        self._wipe_session()
        with self._lock:
            self._qr = None
            self._set("logged_out", None, conv.logged_out(event))
        self._end(client, "now")

    def _on_stream_replaced(self, client, event) -> None:
        self._stopped_by(client, "disconnected", REPLACED, "wait")

    def _on_ban(self, client, event) -> None:
        reason, until = conv.ban(event, self.now())
        with self._lock:
            self._until = until
            self._set("banned", self._phone, reason)
        self._end(client, "until" if until else "retry")

    def _on_connect_failure(self, client, event) -> None:
        self._stopped_by(client, "disconnected", conv.connect_failure(event), "retry")

    def _on_outdated(self, client, event) -> None:
        self._stopped_by(client, "disconnected", OUTDATED, "wait")

    def _stopped_by(self, client, state: str, reason: str, after: str) -> None:
        with self._lock:
            if client is not self._client:
                return
            self._qr = None
            self._set(state, self._phone, reason)
        self._end(client, after)

    def _on_message(self, client, event) -> None:
        changed = conv.change(event, conv.sender_phone(event.Info.MessageSource))
        typed = conv.typed_on_phone(event)
        if typed and "media" in typed and not self._sent_by_us(typed["provider_message_id"]):
            self._download(client, event.Message, typed["media"])
        if self._report_phone_side(changed, typed, self._sent_by_us):
            return
        source = event.Info.MessageSource
        phone = conv.sender_phone(source)
        if phone is None and source.Sender.Server == conv.HIDDEN_SERVER:
            try:
                with self._go:
                    phone = (conv.phone_of(client.get_pn_from_lid(source.Sender))
                             if self._live(client) else None)
            except Exception:  # noqa: BLE001 - unknown LID: the message cannot be answered
                phone = None
        data = conv.inbound(event, phone)
        if data is not None:
            if "media" in data:
                self._download(client, event.Message, data["media"])
            self.emit("message.in", data)

    def _download(self, client, message, media: dict) -> None:
        """Fetch a received file from WhatsApp (a few tries) and keep it for the control plane;
        when it cannot be had, the message goes without it (marked unavailable there)."""
        for attempt in range(DOWNLOAD_TRIES):
            try:
                with self._go:
                    raw = client.download_any(message) if self._live(client) else None
                if raw:
                    media["upload"] = keep_received(self.session_dir, raw)
                    return
            except Exception as exc:  # noqa: BLE001 - neonize raises its own DownloadError
                log(f"neonize: downloading a received file failed ({type(exc).__name__})")
            time.sleep(self.download_backoff * 2 ** attempt)

    def _sent_by_us(self, provider_id: str) -> bool:
        with self._lock:
            return provider_id in self._sent

    def _on_receipt(self, client, event) -> None:
        for provider_id, status in conv.receipts(event):
            with self._lock:
                message_id = self._sent.get(provider_id)
            self.emit("message.status", {"message_id": message_id, "provider_message_id": provider_id,
                                         "status": status, "error": None})

    def _on_call(self, client, event) -> None:
        """Someone calls the number: reported; the control plane may have it declined."""
        meta = event.basicCallMeta
        phone = conv.phone_of(meta.callCreatorAlt) or conv.phone_of(meta.callCreator)
        if phone is None or not meta.callID:
            return
        with self._lock:
            self._calls[meta.callID] = meta.callCreator
        self.emit("call", {"phone": phone, "call_id": meta.callID})

    # -- actions on the connection ---------------------------------------------------------

    def _typing(self, phone: str, seconds: float) -> None:
        """Show "typing…" in the chat for a moment (other calls go on meanwhile)."""
        from neonize.utils.enum import ChatPresence, ChatPresenceMedia
        try:
            with self._go:
                client = self._linked_client()
                client.send_chat_presence(self._jid(client, phone), ChatPresence.CHAT_PRESENCE_COMPOSING,
                                          ChatPresenceMedia.CHAT_PRESENCE_MEDIA_TEXT)
        except NotConnected:
            raise
        except Exception as exc:  # noqa: BLE001 - a presence WhatsApp refuses does not stop the send
            log(f"neonize: no typing indicator ({type(exc).__name__})")
            return
        time.sleep(seconds)

    def _read(self, payload: dict) -> dict:
        """Mark a contact's messages read on WhatsApp (blue ticks)."""
        from neonize.utils.enum import ReceiptType
        ids = [i for i in payload.get("provider_message_ids") or [] if isinstance(i, str) and i]
        with self._go:
            client = self._linked_client()
            jid = self._jid(client, str(payload.get("phone") or ""))
            if ids:
                client.mark_read(*ids, chat=jid, sender=jid, receipt=ReceiptType.READ)
        return {"read": len(ids)}

    def _reject_call(self, payload: dict) -> dict:
        """Decline a call that is still ringing."""
        with self._lock:
            caller = self._calls.pop(str(payload.get("call_id") or ""), None)
        if caller is None:
            raise ActionRejected("no such ringing call")
        with self._go:
            self._linked_client().reject_call(caller, str(payload["call_id"]))
        return {"rejected": True}
