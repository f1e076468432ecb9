"""The neonize engine: a real WhatsApp number through whatsmeow (PyPI neonize).

One connection thread runs neonize's blocking connect(); the session (whatsmeow's SQLite
database) lives in the session folder, or, with a database session store, in the instance's own
PostgreSQL schema (wa_<instance uuid hex>), so a restarted (or moved) worker comes back linked. Events from
whatsmeow arrive on neonize's threads and become the worker's events (neonize_events).
When the connection ends (no network, a ban, a logout, an expired QR) the thread decides what
comes next: retry with growing delays, retry now, retry when the ban ends, or wait for a
reconnect request.
"""
from __future__ import annotations

import os
import re
import threading
from collections import OrderedDict
from datetime import datetime

from workers.engines import neonize_client as nz
from workers.engines import neonize_events as conv
from workers.engines.base import (
    ActionRejected,
    Emit,
    Engine,
    InvalidPayload,
    NotConnected,
    Outgoing,
    SendFailed,
)
from workers.engines.neonize_handlers import NeonizeHandlers
from workers.engines.retry import Backoff, Pause
from workers.log import log

SESSION_FILE = "whatsapp.sqlite3"
REMEMBERED_SENDS = 5000
PHONE = re.compile(r"^\d{8,15}$")


class NeonizeEngine(NeonizeHandlers, Engine):
    """A linked WhatsApp number, through neonize's NewClient."""

    name = "neonize"
    label = "WhatsApp (neonize)"

    def __init__(self, session_dir: str, emit: Emit, options: dict[str, object]):
        super().__init__(session_dir, emit, options)
        self.instance_id = str(options["instance_id"])
        self.db_path = os.path.join(session_dir, SESSION_FILE)
        self.store = options.get("session_store")  # a DatabaseStore keeps whatsmeow's store too
        self.proxy = str(options.get("proxy") or "") or None
        self.pause = options.get("pause") or Pause()
        self.now = options.get("clock") or conv.utcnow
        self.backoff = Backoff()
        self._lock = threading.RLock()
        self._go = threading.RLock()  # held around calls into a client and around its stop: the
        # Go side forgets a stopped client, and a call into a forgotten one crashes the process
        self._state, self._phone, self._reason = "connecting", None, None
        self._until: datetime | None = None
        self._qr: str | None = None
        self._client = None
        self._after: str | None = None
        self._stopper: threading.Thread | None = None
        self._generation = 0
        self._delay = 0.0
        self._stopping = False
        self._sent: OrderedDict[str, str] = OrderedDict()
        self._jids: dict[str, object] = {}
        self._calls: dict[str, object] = {}  # ringing call id → the caller's JID
        self._thread = threading.Thread(target=self._run, name="neonize-connect", daemon=True)

    # -- the interface ---------------------------------------------------------------------

    def start(self) -> None:
        """Start the connection thread (the HTTP side answers meanwhile)."""
        self._thread.start()

    def status(self) -> dict:
        """The connection: {"state", "phone", "reason", "until"}."""
        with self._lock:
            until = self._until.isoformat() if self._until else None
            return {"state": self._state, "phone": self._phone, "reason": self._reason,
                    "until": until}

    def current_qr(self) -> str | None:
        """The code of the QR shown right now (neonize refreshes it every 20 s or so)."""
        with self._lock:
            return self._qr

    def send(self, out: Outgoing) -> str:
        """Send a text, or upload a file and send it with its caption, to the phone's WhatsApp
        (quoting out.reply_to), after "typing…" when asked; the provider's message id."""
        if out.typing_seconds:
            self._typing(out.phone, out.typing_seconds)
        with self._go:
            client = self._linked_client()
            jid = self._jid(client, out.phone)
            quoted = nz.quote(out.reply_to, self._phone if (out.reply_to or {}).get("from_me")
                              else out.phone) if out.reply_to else None
            try:
                message = (nz.media_message(client, out.media, out.text, quoted) if out.media
                           else nz.text_message(out.text, quoted))
                response = client.send_message(jid, message)
            except Exception as exc:  # noqa: BLE001 - neonize raises its own SendMessageError
                raise self._send_error(str(exc)) from None
        with self._lock:
            self._sent[response.ID] = out.message_id
            while len(self._sent) > REMEMBERED_SENDS:
                self._sent.popitem(last=False)
        return response.ID

    def logout(self) -> None:
        """Unlink the phone, wipe the session, and show a new QR."""
        self._unlink(after="now")
        log("neonize: logged out; a new QR follows")

    def delete(self) -> None:
        """Unlink the phone and wipe the session for good (the instance is being deleted); a
        logout WhatsApp does not confirm keeps the session (ActionRejected: retried later)."""
        self._unlink(after="wait", confirmed=True)

    def reconnect(self) -> None:
        """Try again now when not connected (a fresh QR after it expired, or a retry)."""
        with self._lock:
            if self._client is not None and self._state in ("connected", "waiting_qr", "connecting"):
                return
            self.backoff.reset()
            if self._state != "banned":
                self._set("connecting", self._phone, None)
        self.pause.wake()

    def action(self, name: str, payload: dict) -> dict:
        """pair {"phone"}: a pairing code to type on the phone instead of scanning the QR; read
        {"phone", "provider_message_ids"}: blue ticks; reject_call {"call_id"}: decline a call."""
        handler = {"pair": self._pair, "read": self._read, "reject_call": self._reject_call}.get(name)
        if handler is None:
            return super().action(name, payload)
        return handler(payload)

    def _pair(self, payload: dict) -> dict:
        phone = re.sub(r"\D", "", str(payload.get("phone") or ""))
        if not PHONE.match(phone):
            raise InvalidPayload("phone", "must be the phone's number with country code, 8 to 15 digits")
        with self._lock:
            client, state, qr = self._client, self._state, self._qr
        if state == "connected":
            raise ActionRejected("the instance is already linked to a phone")
        if client is None or qr is None:
            raise NotConnected("wait until the QR code is shown, then ask for a pairing code")
        try:
            with self._go:
                if not self._live(client):
                    raise ActionRejected("the connection was renewed; try again")
                return {"code": client.PairPhone(phone, True), "phone": phone}
        except ActionRejected:
            raise
        except Exception as exc:  # noqa: BLE001 - neonize's PairPhoneError
            raise ActionRejected(f"WhatsApp refused the pairing code: {str(exc)[:200]}") from None

    def stop(self) -> None:
        """End the connection and its thread."""
        with self._lock:
            self._stopping, client = True, self._client
        self._end(client, "wait")
        self.pause.wake()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    # -- the connection thread ------------------------------------------------------------

    def _run(self) -> None:
        while not self._stopping:
            self._connect_once()
            delay = self._next_delay()
            if not self._stopping and delay != 0:
                self.pause.wait(delay)

    def _connect_once(self) -> None:
        """Build a client and run its blocking connect() until it ends."""
        self._generation += 1  # a fresh neonize id: its Go side keys global maps by it
        try:
            database = self._session_database()
        except OSError as exc:
            self._database_failed(exc)
            return
        client = nz.new_client(database, f"{self.instance_id}.{self._generation}",
                               self._handlers(), self._on_qr, self._on_login_status)
        with self._lock:
            if self._stopping:
                return
            self._client, self._after, self._stopper = client, None, None
            if self._state not in ("banned", "disconnected"):  # those keep their reason
                self._set("connecting", self._phone, self._reason)
        error = None
        try:
            client.connect(nz.proxy_settings(self.proxy))
        except Exception as exc:  # noqa: BLE001 - NeonizeError: it could not connect
            error = str(exc)
        self._release(client, error)

    def _session_database(self) -> str:
        """whatsmeow's store: the postgres:// URL of the instance's schema (created when missing)
        with a database session store, else (or when the number was linked before the node kept
        sessions in the database) the SQLite file in the session folder."""
        whatsmeow_url = getattr(self.store, "whatsmeow_url", None)
        if whatsmeow_url is None or os.path.exists(self.db_path):
            return self.db_path  # a number linked before: its session stays here until relinked
        return whatsmeow_url()

    def _database_failed(self, exc: OSError) -> None:
        """The session database could not be prepared: try again after a growing delay."""
        with self._lock:
            self._after, self._delay = "delay", self.backoff.next()
            self._set("disconnected", None, f"the session database cannot be reached; "
                                            f"next attempt in {self._delay:.0f} s")
        log(f"neonize: the session database failed ({type(exc).__name__})")

    def _release(self, client, error: str | None) -> None:
        """After connect() returned: stop the client once, and note why it ended."""
        with self._lock:
            self._client, self._qr, stopper = None, None, self._stopper
        if stopper is not None:
            stopper.join()
        else:
            self._stop_client(client)
        with self._lock:
            if self._after is None and not self._stopping:  # it ended by itself: the network
                self._after, self._delay = "delay", self.backoff.next()
                reason = conv.network_reason(error or "disconnected")
                self._set("disconnected", None, f"{reason}; next attempt in {self._delay:.0f} s")

    def _next_delay(self) -> float | None:
        """How long to wait before the next attempt (0: now, None: until reconnect())."""
        with self._lock:
            after = self._after
            if after == "now":
                return 0
            if after == "delay":
                return self._delay
            if after == "until" and self._until is not None:
                return max(1.0, (self._until - self.now()).total_seconds())
            if after == "retry":
                return self.backoff.next()
            return None  # "wait", or stopping

    def _end(self, client, after: str) -> None:
        """Make the current connect() return (from any thread, event handlers included);
        `after` says what comes next. The client is stopped once, on a thread of its own."""
        with self._lock:
            if client is None or client is not self._client:
                return
            self._after = after
            if self._stopper is None:
                self._stopper = threading.Thread(target=self._stop_client, args=(client,),
                                                 name="neonize-stop", daemon=True)
                self._stopper.start()

    def _live(self, client) -> bool:
        """True while this client is the current one and nobody is stopping it."""
        with self._lock:
            return client is not None and client is self._client and self._stopper is None

    def _stop_client(self, client) -> None:
        with self._go:
            client.stop()

    def _unlink(self, after: str, confirmed: bool = False) -> None:
        with self._lock:
            client, linked = self._client, self._state == "connected"
        if client is not None and linked:
            try:
                with self._go:
                    client.logout()
            except Exception as exc:  # noqa: BLE001 - a logout: unlinked on our side all the same
                log(f"neonize: WhatsApp did not confirm the logout ({type(exc).__name__})")
                if confirmed:
                    raise ActionRejected("WhatsApp did not confirm the logout") from None
        self._wipe_session()
        with self._lock:
            self._until, self._qr = None, None
            self._set("logged_out", None, "logged out")
        if client is not None:
            self._end(client, after)
        elif after == "now":
            self.pause.wake()

    def _wipe_session(self) -> None:
        """Delete whatsmeow's database (with SQLite's journal files), or empty its schema."""
        reset = getattr(self.store, "reset_whatsmeow", None)
        if reset is not None:
            try:
                reset()
            except OSError as exc:
                log(f"neonize: the session database was not wiped ({type(exc).__name__})")
            return
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                os.remove(self.db_path + suffix)
            except FileNotFoundError:
                pass

    # -- sending ---------------------------------------------------------------------------

    def _linked_client(self):
        with self._lock:
            if self._state == "banned":
                raise NotConnected(self._reason or "the number is temporarily banned")
            if self._state != "connected" or not self._live(self._client):
                raise NotConnected("the instance is not linked to a phone")
            return self._client

    def _jid(self, client, phone: str):
        """The recipient's JID as WhatsApp knows it (remembered per phone)."""
        if phone not in self._jids:
            try:
                jid = nz.lookup_jid(client, phone)
            except Exception as exc:  # noqa: BLE001 - nothing was sent yet: try again later
                raise NotConnected(f"WhatsApp did not answer the number lookup: {str(exc)[:200]}") from None
            if jid is None:
                raise SendFailed(f"{phone} is not on WhatsApp")
            self._jids[phone] = jid
        return self._jids[phone]

    @staticmethod
    def _send_error(error: str) -> Exception:
        """NotConnected when nothing left (retried later), else SendFailed (never resent)."""
        if re.search(r"not connected|not logged in|websocket", error, re.I):
            return NotConnected("the connection to WhatsApp is down; the message waits")
        return SendFailed(f"WhatsApp did not accept the message: {error[:200]}")
