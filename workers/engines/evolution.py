"""The Evolution engine: the account's number lives on an existing Evolution API v2 server.

The instance is named like ours (<slug>_whatsapp). The first start creates it there with an
instance token derived from the worker's secret; a later start adopts it only when it shows that
token. An instance of that name that does not (another account's, e.g. of a deleted account whose
slug was reused) is never adopted nor deleted: ours then lives under <slug>_whatsapp_<id prefix>.
Its webhook points at this worker's engine webhook route, so QR, connection and message events
arrive as ours. A background thread also polls
the connection state, so a webhook that cannot reach the worker only delays things.
"""
from __future__ import annotations

import hmac
import re
import threading
from collections import deque

from workers.engines import evolution_events as conv
from workers.engines.base import (
    ActionRejected,
    Emit,
    Engine,
    InvalidPayload,
    NotConnected,
    Outgoing,
    SendFailed,
)
from workers.engines.evolution_client import EvolutionClient, EvolutionError, EvolutionUnreachable
from workers.engines.evolution_deliveries import EvolutionDeliveries
from workers.engines.retry import Backoff, Pause
from workers.log import log

POLL_SECONDS = 15.0
SENT_REMEMBERED = 1000
"""How many of its own sends the engine remembers, to tell their echo from the phone's."""
PHONE = re.compile(r"^\d{8,15}$")
NOT_CONFIGURED = "the Evolution API is not configured (EVOLUTION_URL and EVOLUTION_API_KEY)"


def webhook_url(options: dict[str, object]) -> str:
    """Where the Evolution server POSTs its events: EVOLUTION_WEBHOOK_BASE (with {port}
    replaced, or the port appended) or http://<host>:<port>, then the secret webhook path."""
    base = str(options.get("evolution_webhook_base") or "").rstrip("/")
    port = str(options["port"])
    if not base:
        host = str(options.get("host") or "127.0.0.1")
        base = f"http://{'127.0.0.1' if host in ('', '0.0.0.0') else host}:{port}"
    elif "{port}" in base:
        base = base.replace("{port}", port)
    else:
        base = f"{base}:{port}"
    return base + str(options["webhook_path"])


class EvolutionEngine(EvolutionDeliveries, Engine):
    """One instance on an Evolution API server, reached with its global key."""

    name = "evolution"
    label = "Evolution API"

    def __init__(self, session_dir: str, emit: Emit, options: dict[str, object]):
        super().__init__(session_dir, emit, options)
        url, key = str(options.get("evolution_url") or ""), str(options.get("evolution_api_key") or "")
        self.client = EvolutionClient(url, key) if url and key else None
        self.instance = str(options["instance_name"])
        self.names = (self.instance, f"{self.instance}_{str(options['instance_id'])[:8]}")
        """Where our instance may live: our name, or the fallback when another holds that."""
        self.token = str(options.get("instance_token") or "")
        self.hook_url = webhook_url(options)
        self.pause = options.get("pause") or Pause()
        self.poll_seconds = float(options.get("poll_seconds") or POLL_SECONDS)
        self.backoff = Backoff()
        self._lock = threading.RLock()
        self._state, self._phone, self._reason = "connecting", None, None
        self._qr: str | None = None
        self._ready = False  # the instance exists there with our webhook
        self._want_qr = True  # ask for a QR while not linked (until the server refuses)
        self._fresh = False  # a reconnect was asked for
        self._changes = 0  # counts state changes: a poll's answer applies only if none came since
        self._stopping = False
        self._sent_ids: deque[str] = deque(maxlen=SENT_REMEMBERED)
        self._thread = threading.Thread(target=self._run, name="evolution", daemon=True)

    # -- the interface ---------------------------------------------------------------------

    def start(self) -> None:
        """Start the thread that creates or adopts the instance and follows its state."""
        if self.client is None:
            self._set("disconnected", None, NOT_CONFIGURED)
            return
        self._thread.start()

    def status(self) -> dict:
        """The connection: {"state", "phone", "reason"}."""
        with self._lock:
            return {"state": self._state, "phone": self._phone, "reason": self._reason}

    def current_qr(self) -> str | None:
        """The QR code the Evolution server gave last, while not linked."""
        with self._lock:
            return self._qr

    def send(self, out: Outgoing) -> str:
        """POST /message/sendText (or sendMedia, sendWhatsAppAudio); NotConnected when it surely
        did not send (retried later)."""
        with self._lock:
            if self.client is None or self._state != "connected":
                raise NotConnected("the instance is not linked to a phone")
        quoted = ({"key": {"id": out.reply_to.get("provider_message_id")},
                   "message": {"conversation": out.reply_to.get("text") or ""}} if out.reply_to else None)
        try:
            options = {"quoted": quoted, "delay": int(out.typing_seconds * 1000)}
            provider_id = (self.client.send_media(self.instance, out.phone, out.media, out.text, options)
                           if out.media else
                           self.client.send_text(self.instance, out.phone, out.text, options))
        except EvolutionUnreachable as exc:
            raise NotConnected(exc.message) from None
        except EvolutionError as exc:
            if re.search(r"connection closed|not connected", exc.message, re.I):
                self.pause.wake()  # look at the state now
                raise NotConnected(f"the Evolution API says: {exc.message}") from None
            raise SendFailed(f"the Evolution API refused the message: {exc.message}") from None
        with self._lock:
            self._sent_ids.append(provider_id)  # its echo (fromMe) is not the phone's
        return provider_id

    def logout(self) -> None:
        """DELETE /instance/logout (the instance stays), then a new QR follows."""
        self._require_client()
        try:
            self.client.logout(self.instance)
        except EvolutionError as exc:
            if exc.status != 400:  # 400: it was not connected; nothing to unlink
                raise ActionRejected(f"the Evolution API did not log out: {exc.message}") from None
        with self._lock:
            self._qr, self._want_qr = None, True
            self._set("logged_out", None, "logged out")
        self.pause.wake()

    def delete(self) -> None:
        """DELETE /instance/delete of our instance (only one that shows our token): the phone
        is unlinked and the instance is gone from the Evolution server too."""
        self._require_client()
        try:
            for name in self._ours():
                self.client.delete(name)
        except EvolutionError as exc:
            if exc.status != 404:
                raise ActionRejected(f"the Evolution API did not delete it: {exc.message}") from None
        with self._lock:
            self._stopping, self._ready = True, False
        self.pause.wake()

    def unlink(self, settle_seconds: float) -> None:
        """Delete our instance there (found by its token) without starting anything."""
        self.delete()

    def reconnect(self) -> None:
        """Ask for a fresh QR now when not linked."""
        with self._lock:
            if self._state == "connected":
                return
            self._want_qr, self._fresh, self._qr = True, True, None
            self.backoff.reset()
            self._set("connecting", None, None)
        self.pause.wake()

    def action(self, name: str, payload: dict) -> dict:
        """pair {"phone"}: a pairing code (GET /instance/connect?number=) instead of the QR; read
        {"phone", "provider_message_ids"}: POST /chat/markMessageAsRead (blue ticks)."""
        if name == "read":
            self._require_client()
            ids = [i for i in payload.get("provider_message_ids") or [] if isinstance(i, str)]
            self.client.mark_read(self.instance, str(payload.get("phone") or ""), ids)
            return {"read": len(ids)}
        if name != "pair":
            return super().action(name, payload)
        phone = re.sub(r"\D", "", str(payload.get("phone") or ""))
        if not PHONE.match(phone):
            raise InvalidPayload("phone", "must be the phone's number with country code, 8 to 15 digits")
        self._require_client()
        if self.status()["state"] == "connected":
            raise ActionRejected("the instance is already linked to a phone")
        try:
            answer = self.client.connect(self.instance, number=phone)
        except EvolutionError as exc:
            raise ActionRejected(f"the Evolution API gave no pairing code: {exc.message}") from None
        code = answer.get("pairingCode")
        if not isinstance(code, str) or not code:
            raise ActionRejected("the Evolution API gave no pairing code; try again in a moment")
        return {"code": code, "phone": phone}

    def webhook(self, payload: dict) -> dict:
        """One delivery from the Evolution server: QR, connection state, messages, receipts."""
        instance = payload.get("instance")
        if instance is not None and instance != self.instance:
            raise InvalidPayload("instance", "is not this worker's instance")
        data = payload.get("data")
        handler = self._deliveries().get(conv.event_name(payload))
        if handler is not None and isinstance(data, (dict, list)):
            handler(data)
        return {"ok": True}

    def stop(self) -> None:
        """Stop the background thread."""
        with self._lock:
            self._stopping = True
        self.pause.wake()
        if self._thread.is_alive():
            self._thread.join(timeout=15)

    # -- the background thread ------------------------------------------------------------

    def _run(self) -> None:
        while not self._stopping:
            try:
                self._follow()
                self.backoff.reset()
                delay = self.poll_seconds
            except EvolutionError as exc:
                delay = self.backoff.next()
                if exc.status == 404:  # deleted on the server: create it again
                    self._ready = False
                with self._lock:
                    self._set("disconnected", self._phone,
                              f"{exc.message} (next attempt in {delay:.0f} s)")
            if not self._stopping:
                self.pause.wait(delay)

    def _follow(self) -> None:
        """One round: make sure the instance exists, then read its state (and a QR if due)."""
        if not self._ready:
            self._prepare()
        seen = self._changes  # what the server says now must not undo a newer change
        state = self.client.connection_state(self.instance)
        if state == "open":
            if self.status()["state"] != "connected":
                self._connected(conv.phone_of(self.client.owner_jid(self.instance)), seen)
        elif state == "refused" and not self._fresh:
            with self._lock:
                if self._changes == seen:
                    self._want_qr, self._qr = False, None
                    self._set(*conv.connection({"state": "refused"}))
        elif state == "refused":  # a reconnect after the QR limit: restart it (a POST in v2)
            self._fresh = False
            if not self._take_qr(self.client.restart(self.instance)):
                self._fetch_qr()
        else:
            with self._lock:
                if state == "close" and self._state == "connected" and self._changes == seen:
                    self._set("disconnected", None, "the Evolution API reports the connection closed")
            if self._want_qr:  # also refreshes a QR whose webhook delivery went missing
                self._fetch_qr(seen)

    def _ours(self) -> list[str]:
        """The names under which an instance showing our token exists."""
        ours = []
        for name in self.names:
            token = self.client.instance_token(name)
            if token and self.token and hmac.compare_digest(token, self.token):
                ours.append(name)
        return ours

    def _prepare(self) -> None:
        """Adopt our instance (one that shows our token), or create it under the first name
        nobody uses; an instance that is not ours is left alone."""
        ours = self._ours()
        if ours:
            self.instance = ours[0]
            self.client.set_webhook(self.instance, self.hook_url)
            log(f"evolution: adopted our instance {self.instance}")
        else:
            self.instance = self._free_name()
            answer = self.client.create_instance(self.instance, self.hook_url, self.token)
            log(f"evolution: created the instance {self.instance}")
            self._take_qr(answer.get("qrcode") if isinstance(answer.get("qrcode"), dict) else {})
        self._ready = True

    def _free_name(self) -> str:
        """The first of our names no instance uses (EvolutionError 409 when both are taken)."""
        for name in self.names:
            if self.client.instance_token(name) is None:
                return name
            log(f"evolution: an instance named {name} exists and is not ours; leaving it alone")
        raise EvolutionError(409, f"the names {' and '.join(self.names)} are used by instances "
                                  "that are not this account's")

    def _fetch_qr(self, seen: int | None = None) -> None:
        """GET /instance/connect: a QR, {"count": 0} (it comes later), or already open."""
        seen = self._changes if seen is None else seen
        answer = self.client.connect(self.instance)
        instance = answer.get("instance")
        if isinstance(instance, dict) and instance.get("state") == "open":
            self._connected(conv.phone_of(self.client.owner_jid(self.instance)), seen)
        elif not self._take_qr(answer):
            with self._lock:
                if self._want_qr and self._state != "waiting_qr" and self._changes == seen:
                    self._set("connecting", None, None)

    # -- events ----------------------------------------------------------------------------

    def _set(self, state: str, phone: str | None, reason: str | None) -> None:
        """Change the state (lock held); report it when anything changed."""
        if (state, phone, reason) == (self._state, self._phone, self._reason):
            return
        self._state, self._phone, self._reason = state, phone, reason
        self._changes += 1
        self.emit("connection", {"state": state, "phone": phone, "reason": reason})
        log(f"evolution: {state}" + (f" ({reason})" if reason else ""))

    def _require_client(self) -> None:
        if self.client is None:
            raise NotConnected(NOT_CONFIGURED)
