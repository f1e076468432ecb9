"""The neonize engine through neonize's real objects, up to the network edge.

No test reaches WhatsApp: connections go through a proxy address on a closed loopback port,
so whatsmeow's dial fails at once ("connection refused") without leaving this machine.
Events are real neonize protobuf objects handed to the engine's handlers.
"""
from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.http import free_port
from tests.support.waiting import wait_until
from workers.engines import neonize_client as nz
from workers.engines.base import ActionRejected, InvalidPayload, MediaFile, NotConnected, Outgoing, SendFailed
from workers.engines.neonize_engine import SESSION_FILE, NeonizeEngine
from workers.engines.neonize_handlers import QR_EXPIRED

nz.load_neonize()  # first, the engine's way (see its docstring)
from neonize.events import (  # noqa: E402
    EVENT_TO_INT,
    CallOfferEv,
    ClientOutdatedEv,
    ConnectedEv,
    ConnectFailureEv,
    DisconnectedEv,
    LoggedOutEv,
    MessageEv,
    PairStatusEv,
    ReceiptEv,
    StreamReplacedEv,
    TemporaryBanEv,
)
from neonize.proto.Neonize_pb2 import Device  # noqa: E402

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
HANDLED = (ConnectedEv, PairStatusEv, DisconnectedEv, LoggedOutEv, StreamReplacedEv, TemporaryBanEv,
           ConnectFailureEv, ClientOutdatedEv, MessageEv, ReceiptEv, CallOfferEv)


class HoldingPause:
    """Records the delays asked for; returns at once until `hold_after` waits, then holds the
    connection thread until woken (a reconnect request) or the engine stops."""

    def __init__(self, hold_after: int = 3):
        self.delays: list[float | None] = []
        self.hold_after = hold_after
        self._wake = threading.Event()

    def wait(self, seconds):
        self.delays.append(seconds)
        if seconds is None or len(self.delays) >= self.hold_after:
            self._wake.wait(30)
            self._wake.clear()

    def wake(self):
        self._wake.set()


def closed_proxy() -> str:
    """A SOCKS5 proxy address on a loopback port nobody listens on."""
    return f"socks5://127.0.0.1:{free_port()}"


@pytest.fixture
def events():
    return []


@pytest.fixture
def make_engine(tmp_path, events):
    engines = []

    def _make(hold_after: int = 3) -> NeonizeEngine:
        engine = NeonizeEngine(str(tmp_path), lambda kind, data: events.append((kind, data)), {
            "instance_id": "0b7c1c5e-9d3f-4f57-8d2c-2f1d8f0a9c11", "proxy": closed_proxy(),
            "pause": HoldingPause(hold_after), "clock": lambda: NOW})
        engines.append(engine)
        return engine
    yield _make
    for engine in engines:
        engine.stop()


@pytest.fixture
def engine(make_engine):
    """An engine with a real neonize client that is not connected (not started)."""
    engine = make_engine()
    engine._client = nz.new_client(engine.db_path, "test-client", engine._handlers(),
                                   engine._on_qr, engine._on_login_status)
    return engine


def of(events, kind):
    return [data for k, data in events if k == kind]


def jid(user: str, server: str = "s.whatsapp.net"):
    return nz.user_jid(user) if server == "s.whatsapp.net" else type(nz.user_jid("1"))(
        User=user, Server=server)


# -- construction and registration ------------------------------------------------------------

def test_the_client_is_built_on_the_session_database_with_every_handler(engine, tmp_path):
    client = engine._client
    assert client.name == str(tmp_path / SESSION_FILE) and client.uuid == b"test-client"
    assert set(client.event.list_func) == {EVENT_TO_INT[event] for event in HANDLED}
    assert client.event._qr == engine._on_qr
    assert callable(client._NewClient__onLoginStatus)


def test_sandbox_workers_load_neither_neonize_nor_the_other_engines():
    import subprocess
    import sys
    probe = ("import sys, workers.engines as e; e.create_engine('sandbox', '/tmp', lambda k, d: 0,"
             " {'instance_id': 'x', 'control_url': 'http://x'}); print(sorted(m for m in sys.modules"
             " if m == 'neonize' or m.startswith(('workers.engines.neonize', 'workers.engines.evolution'))))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr


def test_neonize_workers_leave_the_libraries_they_never_use_unloaded():
    import subprocess
    import sys
    probe = ("import sys; from workers.engines import neonize_client as nz; nz.load_neonize();"
             " print(sorted(n for n in nz.NOT_LOADED if 'not loaded' in (sys.modules[n].__doc__ or '')));"
             " print(nz.text_message('oi').conversation)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.stdout.splitlines() == [str(sorted(nz.NOT_LOADED)), "oi"], done.stderr
    with pytest.raises(RuntimeError, match="not loaded in zapfleet's neonize worker"):
        nz._stand_in("linkpreview").LinkPreview("https://example.com")
    assert not hasattr(nz._stand_in("magic"), "__file__")  # tools that walk sys.modules see no file


# -- the offline connect path ------------------------------------------------------------------

def test_without_network_it_reports_why_and_retries_with_growing_delays(make_engine, events, tmp_path):
    engine = make_engine(hold_after=3)
    engine.start()
    wait_until(lambda: len(engine.pause.delays) >= 3, what="three failed attempts")
    assert engine.pause.delays == [2.0, 4.0, 8.0]
    status = engine.status()
    assert status["state"] == "disconnected"
    assert status["reason"] == "cannot reach WhatsApp: connection refused; next attempt in 8 s"
    assert [d["reason"] for d in of(events, "connection")] == [
        f"cannot reach WhatsApp: connection refused; next attempt in {n} s" for n in (2, 4, 8)]
    assert (tmp_path / SESSION_FILE).exists()  # whatsmeow's session database, in the session folder
    assert engine._thread.is_alive()


def test_a_reconnect_request_tries_again_at_once(make_engine):
    engine = make_engine(hold_after=1)
    engine.start()
    wait_until(lambda: engine.pause.delays == [2.0], what="the first failure")
    engine.reconnect()
    wait_until(lambda: len(engine.pause.delays) == 2, what="a second attempt")
    assert engine.pause.delays == [2.0, 2.0]  # the delays start over


def test_stop_ends_the_connection_thread(make_engine):
    engine = make_engine(hold_after=1)
    engine.start()
    wait_until(lambda: engine.pause.delays, what="a failed attempt")
    engine.stop()
    assert not engine._thread.is_alive()


def test_sending_and_pairing_need_a_connection(make_engine):
    engine = make_engine()
    with pytest.raises(NotConnected):
        engine.send(Outgoing("m-1", "5511999990000", "oi"))
    with pytest.raises(NotConnected, match="QR code is shown"):
        engine.action("pair", {"phone": "5511999990000"})
    with pytest.raises(InvalidPayload, match="phone"):
        engine.action("pair", {"phone": "abc"})


# -- neonize's events, turned into ours ----------------------------------------------------------

def test_a_qr_and_the_pairing_link_the_phone(engine, events):
    engine._on_qr(engine._client, b"2@abc,def,ghi")
    assert engine.current_qr() == "2@abc,def,ghi" and engine.status()["state"] == "waiting_qr"
    paired = PairStatusEv(ID=jid("5511988880000"), Status=PairStatusEv.SUCCESS)
    engine._on_pair_status(engine._client, paired)
    assert engine.status() == {"state": "connected", "phone": "5511988880000", "reason": None,
                               "until": None}
    assert engine.current_qr() is None
    assert of(events, "qr") == [{"code": "2@abc,def,ghi"}]
    assert [d["state"] for d in of(events, "connection")] == ["waiting_qr", "connected"]


class ConnectedClient:
    """The client as a Connected event finds it: GetMe answers with neonize's Device. (The real
    client answers GetMe only while connected; offline, neonize's Go side may abort the process.)"""

    def __init__(self, phone: str):
        self.device = Device(JID=jid(phone))

    def get_me(self):
        return self.device


def test_connected_asks_the_client_who_it_is(engine):
    client = ConnectedClient("5511988880000")
    real, engine._client = engine._client, client
    try:
        engine._on_connected(client, ConnectedEv(status=True))
    finally:
        engine._client = real  # the engine stops its real client at the end
    assert engine.status()["state"] == "connected"
    assert engine.status()["phone"] == "5511988880000"


def test_an_expired_qr_waits_for_a_reconnect(engine):
    engine._on_qr(engine._client, b"2@abc")
    engine._on_login_status("timeout")
    assert engine.status()["reason"] == QR_EXPIRED and engine.current_qr() is None
    assert engine._after == "wait"


def test_a_dropped_connection_reconnects_by_itself(engine):
    engine._on_pair_status(engine._client, PairStatusEv(ID=jid("5511988880000"), Status=PairStatusEv.SUCCESS))
    engine._on_disconnected(engine._client, DisconnectedEv(status=True))
    assert engine.status()["state"] == "connecting" and engine.status()["phone"] == "5511988880000"


def test_a_logout_from_the_phone_wipes_the_session_and_asks_for_a_new_qr(engine, tmp_path):
    (tmp_path / SESSION_FILE).write_bytes(b"session")
    engine._on_logged_out(engine._client, LoggedOutEv(OnConnect=True, Reason=LoggedOutEv.DESCRIPTOR
                                                      .fields_by_name["Reason"].enum_type
                                                      .values_by_name["MAIN_DEVICE_GONE"].number))
    assert not (tmp_path / SESSION_FILE).exists()
    assert engine.status()["state"] == "logged_out"
    assert "reset or WhatsApp was reinstalled" in engine.status()["reason"]
    assert engine._after == "now"


def test_a_temporary_ban_stops_sending_and_says_what_and_until_when(engine, events):
    engine._on_pair_status(engine._client, PairStatusEv(ID=jid("5511988880000"), Status=PairStatusEv.SUCCESS))
    engine._on_ban(engine._client, TemporaryBanEv(Code=TemporaryBanEv.SENT_TOO_MANY_SAME_MESSAGE,
                                                  Expire=3600))
    status = engine.status()
    assert status["state"] == "banned" and status["until"] == (NOW + timedelta(hours=1)).isoformat()
    assert "same message to too many people" in status["reason"]
    assert "until 2026-03-02 13:00 UTC" in status["reason"]
    assert of(events, "connection")[-1]["until"] == status["until"]
    with pytest.raises(NotConnected, match="temporarily banned"):
        engine.send(Outgoing("m-1", "5511999990000", "oi"))
    assert engine._after == "until" and engine._next_delay() == 3600


@pytest.mark.parametrize("handler, event, state, words, after", [
    ("_on_stream_replaced", StreamReplacedEv(), "disconnected", "opened somewhere else", "wait"),
    ("_on_outdated", ClientOutdatedEv(), "disconnected", "outdated", "wait"),
    ("_on_connect_failure", ConnectFailureEv(Reason=ConnectFailureEv.DESCRIPTOR.fields_by_name["Reason"]
                                             .enum_type.values_by_name["SERVICE_UNAVAILABLE"].number,
                                             Message="try later"),
     "disconnected", "WhatsApp's service is unavailable: try later", "retry"),
])
def test_connection_endings_have_readable_reasons(engine, handler, event, state, words, after):
    getattr(engine, handler)(engine._client, event)
    assert engine.status()["state"] == state and words in engine.status()["reason"]
    assert engine._after == after


def _message(sender: str, server: str = "s.whatsapp.net", **fields) -> MessageEv:
    event = MessageEv()
    event.Info.ID, event.Info.Pushname = "3EB0ABCDEF", "Ana"
    event.Info.MessageSource.Sender.CopyFrom(jid(sender, server))
    event.Info.MessageSource.Chat.CopyFrom(jid(sender, server))
    for path, value in fields.items():
        target = event
        *parents, leaf = path.split("__")
        for part in parents:
            target = getattr(target, part)
        setattr(target, leaf, value)
    return event


@pytest.mark.parametrize("fields, text", [
    ({"Message__conversation": "Quero agendar"}, "Quero agendar"),
    ({"Message__extendedTextMessage__text": "Oi https://x.y"}, "Oi https://x.y"),
    ({"Message__pollCreationMessage__name": "Qual dia?"}, "[poll: Qual dia?]"),
])
def test_customer_messages_arrive_as_ours(engine, events, fields, text):
    engine._on_message(engine._client, _message("5511977776666", **fields))
    assert of(events, "message.in") == [{"provider_message_id": "3EB0ABCDEF", "phone": "5511977776666",
                                         "type": "text", "text": text, "name": "Ana"}]


class WhatsAppFiles:
    """whatsmeow's download as a client offers it (WhatsApp's media servers are out of reach):
    the bytes of each message's file, or an error for each try when there are none."""

    def __init__(self, data: bytes | None):
        self.data, self.tries = data, 0

    def download_any(self, message):
        self.tries += 1
        if self.data is None:
            raise RuntimeError("DownloadError: 404")
        return self.data


@pytest.fixture
def files(engine):
    client = WhatsAppFiles(b"%PDF-1.4 exame")
    real, engine._client = engine._client, client
    yield client
    engine._client = real


def kept(engine, data) -> bytes:
    with open(os.path.join(engine.session_dir, "media", data["media"]["upload"]), "rb") as handle:
        return handle.read()


@pytest.mark.parametrize("fields, kind, media", [
    ({"Message__imageMessage__caption": "meu cabelo", "Message__imageMessage__mimetype": "image/jpeg",
      "Message__imageMessage__width": 640}, "image", {"mime_type": "image/jpeg", "width": 640}),
    ({"Message__audioMessage__PTT": True, "Message__audioMessage__seconds": 7,
      "Message__audioMessage__mimetype": "audio/ogg; codecs=opus"}, "audio",
     {"mime_type": "audio/ogg; codecs=opus", "voice": True, "duration_seconds": 7}),
    ({"Message__documentMessage__fileName": "exame.pdf", "Message__documentMessage__mimetype":
      "application/pdf"}, "document", {"mime_type": "application/pdf", "filename": "exame.pdf"}),
    ({"Message__stickerMessage__mimetype": "image/webp"}, "sticker", {"mime_type": "image/webp"}),
    ({"Message__videoMessage__seconds": 12}, "video", {"mime_type": "application/octet-stream",
                                                       "duration_seconds": 12}),
])
def test_received_files_are_downloaded_and_kept_with_what_whatsapp_says_of_them(engine, events, files,
                                                                                 fields, kind, media):
    engine._on_message(files, _message("5511977776666", **fields))
    [data] = of(events, "message.in")
    assert data["type"] == kind
    assert {k: v for k, v in data["media"].items() if k != "upload"} == media
    assert kept(engine, data) == b"%PDF-1.4 exame"


def test_a_caption_and_a_quoted_message_come_with_the_photo(engine, events, files):
    event = _message("5511977776666", Message__imageMessage__caption="meu cabelo")
    event.Message.imageMessage.contextInfo.stanzaID = "3EB0QUOTED"
    engine._on_message(files, event)
    [data] = of(events, "message.in")
    assert (data["text"], data["reply_to_provider_message_id"]) == ("meu cabelo", "3EB0QUOTED")


def test_a_file_whatsapp_cannot_give_leaves_the_message_without_it(engine, events, files):
    files.data, engine.download_backoff = None, 0
    engine._on_message(files, _message("5511977776666", Message__imageMessage__caption="foto"))
    [data] = of(events, "message.in")
    assert files.tries == 3 and "upload" not in data["media"] and data["text"] == "foto"


def test_locations_and_contact_cards_keep_what_they_hold(engine, events):
    place = _message("5511977776666", Message__locationMessage__degreesLatitude=-23.5,
                     Message__locationMessage__degreesLongitude=-46.6,
                     Message__locationMessage__name="Salão")
    card = _message("5511977776666", Message__contactMessage__displayName="Ana",
                    Message__contactMessage__vcard="BEGIN:VCARD")
    engine._on_message(engine._client, place)
    engine._on_message(engine._client, card)
    first, second = of(events, "message.in")
    assert first["location"] == {"latitude": -23.5, "longitude": -46.6, "name": "Salão", "address": ""}
    assert second["contact"] == {"name": "Ana", "vcard": "BEGIN:VCARD"}


class Uploads:
    """whatsmeow's upload as a client offers it, and what was sent."""

    def __init__(self):
        self.sent = []

    def upload(self, data, media_type):
        return type("Upload", (), {"url": "https://mmg.whatsapp.net/x", "DirectPath": "/x",
                                   "MediaKey": b"k", "FileEncSHA256": b"e", "FileSHA256": b"s",
                                   "FileLength": len(data)})()


def test_files_are_uploaded_and_sent_with_their_caption_and_quote():
    quoted = nz.quote({"provider_message_id": "3EB0QUOTED", "text": "pode às 10h?"}, "5511977776666")
    voice = nz.media_message(Uploads(), MediaFile(b"OggS", "audio", "audio/ogg", voice=True), "", quoted)
    document = nz.media_message(Uploads(), MediaFile(b"%PDF", "document", "application/pdf", "a.pdf"),
                                "segue", None)
    assert voice.audioMessage.PTT and voice.audioMessage.contextInfo.stanzaID == "3EB0QUOTED"
    assert voice.audioMessage.contextInfo.participant == "5511977776666@s.whatsapp.net"
    assert (document.documentMessage.fileName, document.documentMessage.caption,
            document.documentMessage.fileLength) == ("a.pdf", "segue", 4)
    reply = nz.text_message("sim", quoted)
    assert reply.extendedTextMessage.contextInfo.quotedMessage.conversation == "pode às 10h?"


def test_a_hidden_sender_uses_its_phone_twin_and_the_rest_is_ignored(engine, events):
    hidden = _message("123456789", "lid", Message__conversation="oi")
    hidden.Info.MessageSource.SenderAlt.CopyFrom(jid("5511955554444"))
    engine._on_message(engine._client, hidden)
    group = _message("5511977776666", Message__conversation="no grupo")
    group.Info.MessageSource.IsGroup = True
    mine = _message("5511977776666", Message__conversation="eu mesmo")
    mine.Info.MessageSource.IsFromMe = True
    protocol = _message("5511977776666")
    protocol.Message.protocolMessage.type = 0
    for event in (group, mine, protocol):
        engine._on_message(engine._client, event)
    assert [m["phone"] for m in of(events, "message.in")] == ["5511955554444"]


def test_receipts_become_delivered_and_read_with_our_message_id(engine, events):
    engine._sent["3EB0SENT"] = "our-message-id"
    engine._on_receipt(engine._client, ReceiptEv(MessageIDs=["3EB0SENT"], Type=ReceiptEv.DELIVERED))
    engine._on_receipt(engine._client, ReceiptEv(MessageIDs=["3EB0SENT", "3EB0OLD"], Type=ReceiptEv.READ))
    engine._on_receipt(engine._client, ReceiptEv(MessageIDs=["3EB0SENT"], Type=ReceiptEv.RETRY))
    assert [(d["message_id"], d["provider_message_id"], d["status"]) for d in of(events, "message.status")] == [
        ("our-message-id", "3EB0SENT", "delivered"), ("our-message-id", "3EB0SENT", "read"),
        (None, "3EB0OLD", "read")]


def test_events_of_a_replaced_client_are_ignored(engine, events):
    stale = nz.new_client(engine.db_path, "stale", {}, lambda *a: None, lambda s: None)
    engine._on_qr(stale, b"2@stale")
    engine._on_stream_replaced(stale, StreamReplacedEv())
    assert engine.current_qr() is None and events == []


@pytest.mark.parametrize("error, kind", [
    ("failed to send message: websocket not connected", NotConnected),
    ("failed to get device list: not logged in", NotConnected),
    ("server returned error 479", SendFailed),
    ("context deadline exceeded", SendFailed),  # it may have gone out: never sent twice
])
def test_send_errors_are_retried_only_when_nothing_left(error, kind):
    assert isinstance(NeonizeEngine._send_error(error), kind)


def test_deleting_keeps_the_session_when_whatsapp_does_not_confirm_the_logout(engine, tmp_path):
    """The phone may still be linked: the control plane keeps the unlink and tries again."""
    (tmp_path / SESSION_FILE).write_bytes(b"session")
    engine._on_pair_status(engine._client, PairStatusEv(ID=jid("5511988880000"), Status=PairStatusEv.SUCCESS))
    with pytest.raises(ActionRejected, match="did not confirm the logout"):
        engine.delete()  # the client is not connected: whatsmeow's logout fails
    assert (tmp_path / SESSION_FILE).read_bytes() == b"session"


def test_an_unlink_without_a_worker_fails_while_whatsapp_cannot_be_reached(make_engine, tmp_path):
    (tmp_path / SESSION_FILE).write_bytes(b"session")
    engine = make_engine()
    with pytest.raises(ActionRejected, match="WhatsApp cannot be reached to unlink"):
        engine.unlink(settle_seconds=0.5)
    assert (tmp_path / SESSION_FILE).exists()


def test_a_message_typed_on_the_phone_is_reported_but_not_our_own_sends(engine, events):
    typed = _message("5511977776666", Message__conversation="Já te respondo!")
    typed.Info.MessageSource.IsFromMe = True
    engine._on_message(engine._client, typed)
    echo = _message("5511977776666", Message__conversation="enviada pelo zapfleet")
    echo.Info.MessageSource.IsFromMe = True
    echo.Info.ID = "3EB0OURS"
    engine._sent["3EB0OURS"] = "m-1"
    engine._on_message(engine._client, echo)
    assert of(events, "message.out") == [{"provider_message_id": "3EB0ABCDEF", "phone": "5511977776666",
                                          "type": "text", "text": "Já te respondo!"}]
    assert of(events, "message.in") == []


def test_reactions_edits_and_deletions_are_changes_not_messages(engine, events):
    reaction = _message("5511977776666")
    reaction.Message.reactionMessage.key.ID = "3EB0TARGET"
    reaction.Message.reactionMessage.text = "👍"
    mine = _message("5511977776666")
    mine.Info.MessageSource.IsFromMe = True
    mine.Message.reactionMessage.key.ID = "3EB0TARGET"
    mine.Message.reactionMessage.text = "🙏"
    edit = _message("5511977776666")
    edit.Message.protocolMessage.type = 14
    edit.Message.protocolMessage.key.ID = "3EB0TARGET"
    edit.Message.protocolMessage.editedMessage.conversation = "Amanhã às 11h?"
    revoke = _message("5511977776666")
    revoke.Message.protocolMessage.type = 0
    revoke.Message.protocolMessage.key.ID = "3EB0TARGET"
    for event in (reaction, mine, edit, revoke):
        engine._on_message(engine._client, event)
    assert [(kind, data) for kind, data in events if kind.startswith("message.")] == [
        ("message.reaction", {"provider_message_id": "3EB0TARGET", "phone": "5511977776666", "emoji": "👍"}),
        ("message.reaction", {"provider_message_id": "3EB0TARGET", "phone": "business", "emoji": "🙏"}),
        ("message.edited", {"provider_message_id": "3EB0TARGET", "text": "Amanhã às 11h?"}),
        ("message.deleted", {"provider_message_id": "3EB0TARGET"})]


def test_a_reply_names_the_message_it_quotes(engine, events):
    reply = _message("5511977776666", Message__extendedTextMessage__text="Pode ser às 10h")
    reply.Message.extendedTextMessage.contextInfo.stanzaID = "3EB0QUOTED"
    engine._on_message(engine._client, reply)
    [data] = of(events, "message.in")
    assert data["reply_to_provider_message_id"] == "3EB0QUOTED" and data["text"] == "Pode ser às 10h"


class LinkedWhatsApp:
    """A linked client as whatsmeow answers the calls the engine makes (WhatsApp's servers are
    out of reach): number lookups, presence, read receipts, declined calls and sends."""

    def __init__(self):
        self.calls: list[tuple] = []

    def is_on_whatsapp(self, number):
        return [type("Answer", (), {"IsIn": True, "JID": jid(number.lstrip("+"))})()]

    def send_chat_presence(self, chat, state, media):
        self.calls.append(("presence", chat.User, state.name))

    def mark_read(self, *ids, chat, sender, receipt):
        self.calls.append(("read", chat.User, ids, receipt.name))

    def reject_call(self, caller, call_id):
        self.calls.append(("reject", caller.User, call_id))

    def send_message(self, chat, message):
        self.calls.append(("send", chat.User, message.conversation))
        return type("Sent", (), {"ID": "3EB0SENT"})()


@pytest.fixture
def linked_engine(engine):
    client = LinkedWhatsApp()
    real, engine._client, engine._state = engine._client, client, "connected"
    yield engine, client
    engine._client, engine._state = real, "connecting"


def test_a_call_is_reported_and_declined_when_asked(linked_engine, events):
    engine, client = linked_engine
    offer = CallOfferEv()
    offer.basicCallMeta.callCreator.CopyFrom(jid("5511977776666"))
    offer.basicCallMeta.callID = "CALL1"
    engine._on_call(client, offer)
    assert of(events, "call") == [{"phone": "5511977776666", "call_id": "CALL1"}]
    assert engine.action("reject_call", {"call_id": "CALL1"}) == {"rejected": True}
    assert client.calls == [("reject", "5511977776666", "CALL1")]
    with pytest.raises(ActionRejected):  # it rings no more
        engine.action("reject_call", {"call_id": "CALL1"})


def test_messages_are_marked_read_and_typing_shows_before_a_send(linked_engine, monkeypatch):
    engine, client = linked_engine
    slept = []
    monkeypatch.setattr("workers.engines.neonize_handlers.time.sleep", slept.append)
    engine.action("read", {"phone": "5511977776666", "provider_message_ids": ["3EB0A", "3EB0B"]})
    engine.send(Outgoing("m-1", "5511977776666", "Olá!", typing_seconds=1.5))
    assert client.calls == [("read", "5511977776666", ("3EB0A", "3EB0B"), "READ"),
                            ("presence", "5511977776666", "CHAT_PRESENCE_COMPOSING"),
                            ("send", "5511977776666", "Olá!")]
    assert slept == [1.5]
