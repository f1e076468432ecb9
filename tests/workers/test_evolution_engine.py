"""The Evolution engine against a local server that follows Evolution API v2's contract.

The engine runs in this process behind the worker's real HTTP app (so the server's webhook
deliveries go through the worker's secret webhook route); tests/support/evolution.py plays
the Evolution server and the phone.
"""
from __future__ import annotations

import base64
import os
import secrets
import threading

import pytest
import requests

from tests.support.evolution import FakeEvolution
from tests.support.http import free_port
from tests.support.waiting import wait_until
from workers.engines.base import ActionRejected, InvalidPayload, MediaFile, NotConnected, Outgoing, SendFailed
from workers.engines.evolution import EvolutionEngine, webhook_url
from workers.httpapi import WorkerApp, make_server
from workers.sentlog import SentLog
from workers.whatsapp_worker import instance_token, webhook_secret

NAME = "salao-bela_whatsapp"
KEY = "evolution-global-key-" + secrets.token_hex(8)
WORKER_TOKEN = secrets.token_hex(16)
"""The token of worker i-1 (the same across its restarts)."""


class RecordingPause:
    """A Pause that records the delays asked for and returns at once (the poll is fast)."""

    def __init__(self):
        self.delays: list[float | None] = []
        self._wake = threading.Event()

    def wait(self, seconds):
        self.delays.append(seconds)
        self._wake.wait(0.02)
        self._wake.clear()

    def wake(self):
        self._wake.set()


class Harness:
    """An engine, the worker app serving its webhook, and the events it reported."""

    def __init__(self, tmp_path, evolution_url: str, key: str = KEY, token: str | None = None):
        self.events: list[tuple[str, dict]] = []
        self.token, self.port = token or WORKER_TOKEN, free_port()
        self.pause = RecordingPause()
        options = {"instance_id": "i-1", "instance_name": NAME, "host": "127.0.0.1",
                   "port": self.port, "webhook_path": f"/evolution/webhook/{webhook_secret(self.token)}",
                   "evolution_url": evolution_url, "evolution_api_key": key, "pause": self.pause,
                   "poll_seconds": 0.05, "instance_token": instance_token(self.token)}
        self.engine = EvolutionEngine(str(tmp_path), lambda k, d: self.events.append((k, d)), options)
        app = WorkerApp("i-1", self.token, self.engine, SentLog(str(tmp_path)),
                        webhook_secret=webhook_secret(self.token))
        self.server = make_server(app, "127.0.0.1", self.port)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.webhook = webhook_url(options)

    def of(self, kind: str) -> list[dict]:
        return [data for k, data in list(self.events) if k == kind]

    def state(self) -> str:
        return self.engine.status()["state"]

    def close(self) -> None:
        self.engine.stop()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def evolution():
    with FakeEvolution(KEY) as server:
        yield server


@pytest.fixture
def harness(tmp_path, evolution):
    started = Harness(tmp_path, evolution.url)
    yield started
    started.close()


@pytest.fixture
def waiting(harness, evolution):
    """A started engine whose instance was created and which shows the first QR."""
    harness.engine.start()
    wait_until(lambda: NAME in evolution.instances, what="the instance to be created")
    code = evolution.show_qr(NAME)
    wait_until(lambda: harness.engine.current_qr() == code, what="the QR")
    return code


@pytest.fixture
def linked(harness, evolution, waiting):
    evolution.scan(NAME, "5511988880000")
    wait_until(lambda: harness.state() == "connected", what="connected")
    return harness


def test_the_first_start_creates_the_instance_with_our_webhook(harness, evolution):
    harness.engine.start()
    wait_until(lambda: evolution.calls("GET", f"/instance/connect/{NAME}"), what="a QR asked for")
    # it answered {"count": 0}: no QR yet, it comes by webhook
    assert harness.engine.current_qr() is None and harness.state() == "connecting"
    [(_, _, body)] = evolution.calls("POST", "/instance/create")
    assert body["instanceName"] == NAME and body["integration"] == "WHATSAPP-BAILEYS"
    assert body["webhook"]["url"] == harness.webhook
    assert harness.webhook == f"http://127.0.0.1:{harness.port}/evolution/webhook/{webhook_secret(harness.token)}"
    assert set(body["webhook"]["events"]) >= {"QRCODE_UPDATED", "CONNECTION_UPDATE", "MESSAGES_UPSERT"}
    code = evolution.show_qr(NAME)
    wait_until(lambda: harness.engine.current_qr() == code, what="the QR")
    assert harness.of("qr") == [{"code": code}]
    assert harness.state() == "waiting_qr"


def test_the_webhook_path_needs_the_secret(harness, evolution, waiting):
    wrong = harness.webhook.rsplit("/", 1)[0] + "/not-the-secret"
    answer = requests.post(wrong, json={"event": "qrcode.updated", "instance": NAME, "data": {}}, timeout=5)
    assert answer.status_code == 401
    other = requests.post(harness.webhook, json={"event": "qrcode.updated", "instance": "other_whatsapp",
                                                 "data": {"qrcode": {"code": "x"}}}, timeout=5)
    assert other.status_code == 400 and other.json()["error"]["message"].startswith("instance:")
    assert harness.engine.current_qr() == waiting


def test_scanning_connects_with_the_phone_number(linked):
    assert linked.engine.status() == {"state": "connected", "phone": "5511988880000", "reason": None}
    assert linked.engine.current_qr() is None
    assert linked.of("connection")[-1] == {"state": "connected", "phone": "5511988880000", "reason": None}


def test_a_later_start_adopts_the_instance_and_points_its_webhook_at_the_worker(tmp_path, evolution):
    first = Harness(tmp_path / "a", evolution.url)
    first.engine.start()
    wait_until(lambda: NAME in evolution.instances, what="the instance")
    assert evolution.instances[NAME]["token"] == instance_token(WORKER_TOKEN)
    evolution.scan(NAME, "5511988880000")
    first.close()
    second = Harness(tmp_path / "b", evolution.url)
    try:
        second.engine.start()
        wait_until(lambda: second.state() == "connected", what="connected again without a QR")
        assert len(evolution.calls("POST", "/instance/create")) == 1  # adopted, not created
        [(_, _, body)] = evolution.calls("POST", f"/webhook/set/{NAME}")
        assert body["webhook"]["url"] == second.webhook
        assert second.engine.status()["phone"] == "5511988880000"
        assert list(evolution.instances) == [NAME]
    finally:
        second.close()


def _someone_elses(evolution, name: str) -> None:
    """An instance of that name created by another zapfleet (its own token), linked."""
    evolution.instances[name] = {"state": "open", "qr": None, "count": 0, "webhook": None,
                                 "owner": "5511911112222@s.whatsapp.net", "token": "not-ours"}


def test_an_instance_of_that_name_that_is_not_ours_is_never_adopted_nor_deleted(tmp_path, evolution):
    """A deleted account's slug reused by a new one must not take over the old company's number."""
    _someone_elses(evolution, NAME)
    ours = f"{NAME}_i-1"
    engine = Harness(tmp_path / "a", evolution.url)
    try:
        engine.engine.start()
        wait_until(lambda: ours in evolution.instances, what="an instance of our own")
        evolution.show_qr(ours)
        wait_until(lambda: engine.state() == "waiting_qr", what="a QR of our own")
        assert engine.engine.status()["phone"] is None  # not the other company's number
        assert evolution.calls("POST", f"/webhook/set/{NAME}") == []
        assert evolution.instances[ours]["token"] == instance_token(WORKER_TOKEN)
        evolution.scan(ours, "5511988880000")
        wait_until(lambda: engine.state() == "connected", what="our own instance linked")
        engine.engine.delete()
    finally:
        engine.close()
    assert list(evolution.instances) == [NAME]  # ours is gone, theirs untouched
    assert evolution.instances[NAME]["owner"] == "5511911112222@s.whatsapp.net"


def test_a_restart_finds_our_instance_under_the_second_name(tmp_path, evolution):
    _someone_elses(evolution, NAME)
    first = Harness(tmp_path / "a", evolution.url)
    first.engine.start()
    wait_until(lambda: f"{NAME}_i-1" in evolution.instances, what="ours under the second name")
    evolution.scan(f"{NAME}_i-1", "5511988880000")
    first.close()
    del evolution.instances[NAME]  # the other one goes away: the first name is free now
    second = Harness(tmp_path / "b", evolution.url)
    try:
        second.engine.start()
        wait_until(lambda: second.state() == "connected", what="ours adopted again")
        assert list(evolution.instances) == [f"{NAME}_i-1"]
    finally:
        second.close()


def test_when_both_names_are_taken_by_others_nothing_is_touched(tmp_path, evolution):
    _someone_elses(evolution, NAME)
    _someone_elses(evolution, f"{NAME}_i-1")
    engine = Harness(tmp_path / "a", evolution.url)
    try:
        engine.engine.start()
        wait_until(lambda: "not this account's" in (engine.engine.status()["reason"] or ""),
                   what="the refusal")
        assert evolution.calls("POST", "/instance/create") == []
        assert engine.engine.status()["state"] == "disconnected"
    finally:
        engine.close()


def test_sending_and_its_receipts(linked, evolution):
    provider_id = linked.engine.send(Outgoing("m-1", "5511977776666", "Olá!"))
    [(_, _, body)] = evolution.calls("POST", f"/message/sendText/{NAME}")
    assert body == {"number": "5511977776666", "text": "Olá!"}
    evolution.receipt(NAME, provider_id, "DELIVERY_ACK")
    evolution.receipt(NAME, provider_id, "READ")
    wait_until(lambda: len(linked.of("message.status")) == 2, what="two receipts")
    assert linked.of("message.status") == [
        {"message_id": None, "provider_message_id": provider_id, "status": s, "error": None}
        for s in ("delivered", "read")]


def test_a_number_not_on_whatsapp_fails_and_a_closed_connection_waits(linked, evolution):
    evolution.not_on_whatsapp.add("5511900000000")
    with pytest.raises(SendFailed, match="5511900000000 is not on WhatsApp"):
        linked.engine.send(Outgoing("m-2", "5511900000000", "oi"))
    evolution.instances[NAME]["state"] = "close"  # closed without a webhook
    with pytest.raises(NotConnected, match="Connection Closed"):
        linked.engine.send(Outgoing("m-3", "5511977776666", "oi"))
    wait_until(lambda: {"state": "disconnected", "phone": None, "reason": "the Evolution API reports "
                        "the connection closed"} in linked.of("connection"), what="the poll to see it")
    wait_until(lambda: linked.state() == "connecting", what="a new connection asked for")


def test_sending_while_not_linked_is_not_connected(harness, waiting):
    with pytest.raises(NotConnected):
        harness.engine.send(Outgoing("m-1", "5511977776666", "oi"))


@pytest.mark.parametrize("message, text", [
    ({"conversation": "Quero agendar"}, "Quero agendar"),
    ({"extendedTextMessage": {"text": "Oi, tudo bem? https://x.y"}}, "Oi, tudo bem? https://x.y"),
    ({"pollCreationMessage": {"name": "?"}}, "[poll]"),
    ({"buttonsMessage": {}}, "[unsupported message: buttonsMessage]"),
])
def test_customer_messages_arrive_as_ours(linked, evolution, message, text):
    message_id = evolution.incoming(NAME, "5511977776666@s.whatsapp.net", message)
    wait_until(lambda: linked.of("message.in"), what="message.in")
    assert linked.of("message.in") == [{"provider_message_id": message_id, "phone": "5511977776666",
                                         "type": "text", "text": text, "name": "Cliente"}]


def test_a_hidden_sender_uses_its_phone_twin_and_groups_are_ignored(linked, evolution):
    evolution.incoming(NAME, "120363@g.us", {"conversation": "no grupo"})
    evolution.incoming(NAME, "status@broadcast", {"conversation": "status"})
    hidden = evolution.incoming(NAME, "1234567890@lid", {"conversation": "oi"},
                                senderPn="5511955554444@s.whatsapp.net")
    wait_until(lambda: linked.of("message.in"), what="message.in")
    assert [(m["provider_message_id"], m["phone"]) for m in linked.of("message.in")] == [
        (hidden, "5511955554444")]


def test_logout_maps_to_theirs_and_a_new_qr_follows(linked, evolution):
    linked.engine.logout()
    assert evolution.calls("DELETE", f"/instance/logout/{NAME}")
    assert linked.of("connection")[-1]["state"] == "logged_out"
    code = evolution.show_qr(NAME)
    wait_until(lambda: linked.engine.current_qr() == code, what="a new QR")
    assert NAME in evolution.instances  # logout keeps the instance


def test_the_phone_unlinking_is_a_logout(linked, evolution):
    evolution.close(NAME, status_reason=401)
    wait_until(lambda: linked.state() == "logged_out", what="logged_out")
    assert "unlinked" in linked.engine.status()["reason"]


def test_delete_maps_to_theirs(linked, evolution):
    linked.engine.delete()
    assert evolution.calls("DELETE", f"/instance/delete/{NAME}")
    assert evolution.instances == {}


def test_an_error_under_http_200_is_an_error_and_the_engine_tries_again(harness, evolution):
    evolution.fail_connect_once = True
    harness.engine.start()
    wait_until(lambda: {"state": "disconnected", "phone": None,
                        "reason": "Connection Closed (next attempt in 2 s)"} in harness.of("connection"),
               what="the error body to become the reason")
    code = evolution.show_qr(NAME)
    wait_until(lambda: harness.engine.current_qr() == code, what="the QR after the retry")
    assert harness.engine.status()["reason"] is None


def test_refused_after_the_qr_limit_says_so_until_a_reconnect(harness, evolution, waiting):
    evolution.refuse(NAME)
    wait_until(lambda: harness.state() == "disconnected", what="refused")
    assert "not scanned in time" in harness.engine.status()["reason"]
    before = len(evolution.calls("GET", f"/instance/connect/{NAME}"))
    harness.engine.reconnect()
    wait_until(lambda: len(evolution.calls("GET", f"/instance/connect/{NAME}")) > before,
               what="a fresh connect")
    code = evolution.show_qr(NAME)
    wait_until(lambda: harness.engine.current_qr() == code, what="the new QR")


def test_a_pairing_code_instead_of_the_qr(harness, evolution, waiting):
    assert harness.engine.action("pair", {"phone": "+55 (11) 98888-0000"}) == {
        "code": "WZYEH1YY", "phone": "5511988880000"}
    assert evolution.calls("GET", f"/instance/connect/{NAME}?number=5511988880000")
    with pytest.raises(InvalidPayload, match="phone"):
        harness.engine.action("pair", {"phone": "12"})


def test_pairing_when_linked_is_rejected(linked):
    with pytest.raises(ActionRejected):
        linked.engine.action("pair", {"phone": "5511988880000"})


def test_a_wrong_key_or_an_unreachable_server_is_a_readable_state_with_growing_delays(tmp_path):
    with FakeEvolution("the-right-key") as server:
        wrong = Harness(tmp_path / "a", server.url, key="a-wrong-key")
        try:
            wrong.engine.start()
            wait_until(lambda: wrong.state() == "disconnected", what="disconnected")
            assert "Unauthorized" in wrong.engine.status()["reason"]
        finally:
            wrong.close()
    down = Harness(tmp_path / "b", f"http://127.0.0.1:{free_port()}")
    try:
        down.engine.start()
        wait_until(lambda: len(down.pause.delays) >= 3, what="three retries")
        assert down.pause.delays[:3] == [2.0, 4.0, 8.0]
        reason = down.engine.status()["reason"]
        assert reason.startswith("cannot reach the Evolution API at http://127.0.0.1:")
        assert KEY not in reason
    finally:
        down.close()


def test_without_settings_it_says_what_is_missing(tmp_path):
    engine = EvolutionEngine(str(tmp_path), lambda k, d: None, {
        "instance_id": "i", "instance_name": NAME, "port": 1, "webhook_path": "/evolution/webhook/x"})
    engine.start()
    assert engine.status()["state"] == "disconnected"
    assert "EVOLUTION_URL" in engine.status()["reason"]
    with pytest.raises(NotConnected):
        engine.logout()


def test_a_message_typed_on_the_phone_is_reported_but_not_the_echo_of_our_sends(linked, evolution):
    ours = linked.engine.send(Outgoing("m-1", "5511977776666", "enviada pelo zapfleet"))
    evolution.incoming(NAME, "5511977776666@s.whatsapp.net", {"conversation": "enviada pelo zapfleet"},
                       fromMe=True, id=ours)
    typed = evolution.incoming(NAME, "5511977776666@s.whatsapp.net", {"conversation": "Já te respondo!"},
                               fromMe=True)
    wait_until(lambda: linked.of("message.out"), what="message.out")
    assert linked.of("message.out") == [{"provider_message_id": typed, "phone": "5511977776666",
                                          "type": "text", "text": "Já te respondo!"}]
    assert linked.of("message.in") == []


def test_reactions_edits_and_deletions_are_changes_not_messages(linked, evolution):
    customer = "5511977776666@s.whatsapp.net"
    evolution.incoming(NAME, customer, {"reactionMessage": {"key": {"id": "3EB0TARGET"}, "text": "👍"}})
    evolution.incoming(NAME, customer, {"protocolMessage": {"type": 14, "key": {"id": "3EB0TARGET"},
                                                           "editedMessage": {"conversation": "às 11h?"}}})
    evolution.incoming(NAME, customer, {"protocolMessage": {"type": "REVOKE", "key": {"id": "3EB0TARGET"}}})
    wait_until(lambda: linked.of("message.deleted"), what="the deletion")
    assert linked.of("message.reaction") == [{"provider_message_id": "3EB0TARGET", "phone": "5511977776666",
                                              "emoji": "👍"}]
    assert linked.of("message.edited") == [{"provider_message_id": "3EB0TARGET", "text": "às 11h?"}]
    assert linked.of("message.in") == []


def test_a_reply_names_the_message_it_quotes(linked, evolution):
    evolution.incoming(NAME, "5511977776666@s.whatsapp.net", {"extendedTextMessage": {
        "text": "Pode ser às 10h", "contextInfo": {"stanzaId": "3EB0QUOTED"}}})
    wait_until(lambda: linked.of("message.in"), what="message.in")
    assert linked.of("message.in")[0]["reply_to_provider_message_id"] == "3EB0QUOTED"


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


def kept_file(harness, data: dict) -> bytes:
    """The bytes the engine kept for upload under the key its event names."""
    with open(os.path.join(harness.engine.session_dir, "media", data["media"]["upload"]), "rb") as f:
        return f.read()


def test_the_webhook_asks_for_files_in_base64(linked, evolution):
    assert evolution.instances[NAME]["webhook"]["base64"] is True


@pytest.mark.parametrize("inline", [True, False], ids=["in the delivery", "fetched by id"])
def test_a_received_photo_is_kept_with_its_caption_and_size(linked, evolution, inline):
    evolution.incoming(NAME, "5511977776666@s.whatsapp.net", {"imageMessage": {
        "caption": "meu cabelo", "mimetype": "image/jpeg", "width": 640, "height": 480}},
        file=JPEG, inline=inline)
    wait_until(lambda: linked.of("message.in"), what="message.in")
    [data] = linked.of("message.in")
    assert (data["type"], data["text"]) == ("image", "meu cabelo")
    assert {k: v for k, v in data["media"].items() if k != "upload"} == {
        "mime_type": "image/jpeg", "width": 640, "height": 480}
    assert kept_file(linked, data) == JPEG
    assert bool(evolution.calls("POST", f"/chat/getBase64FromMediaMessage/{NAME}")) is not inline


def test_a_voice_note_a_document_a_location_and_a_contact_are_mapped(linked, evolution):
    customer = "5511977776666@s.whatsapp.net"
    evolution.incoming(NAME, customer, {"audioMessage": {"ptt": True, "seconds": 7,
                                                         "mimetype": "audio/ogg; codecs=opus"}}, file=b"OggS")
    evolution.incoming(NAME, customer, {"documentWithCaptionMessage": {"message": {"documentMessage": {
        "fileName": "orcamento.pdf", "mimetype": "application/pdf", "caption": "segue"}}}}, file=b"%PDF-1.4")
    evolution.incoming(NAME, customer, {"locationMessage": {"degreesLatitude": -23.5, "degreesLongitude": -46.6,
                                                            "name": "Salão"}})
    evolution.incoming(NAME, customer, {"contactMessage": {"displayName": "Ana", "vcard": "BEGIN:VCARD"}})
    wait_until(lambda: len(linked.of("message.in")) == 4, what="four messages")
    voice, document, place, card = linked.of("message.in")
    assert (voice["type"], voice["media"]["voice"], voice["media"]["duration_seconds"]) == ("audio", True, 7)
    assert (document["type"], document["text"], document["media"]["filename"]) == ("document", "segue",
                                                                                   "orcamento.pdf")
    assert kept_file(linked, document) == b"%PDF-1.4"
    assert place["location"] == {"latitude": -23.5, "longitude": -46.6, "name": "Salão", "address": ""}
    assert card["contact"] == {"name": "Ana", "vcard": "BEGIN:VCARD"}


def test_a_file_the_server_cannot_give_leaves_the_message_without_it(linked, evolution):
    linked.engine.download_backoff = 0
    evolution.incoming(NAME, "5511977776666@s.whatsapp.net", {"videoMessage": {"mimetype": "video/mp4"}})
    wait_until(lambda: linked.of("message.in"), what="message.in")
    assert linked.of("message.in")[0]["media"] == {"mime_type": "video/mp4"}  # no upload: unavailable
    assert len(evolution.calls("POST", f"/chat/getBase64FromMediaMessage/{NAME}")) == 3


def test_files_and_replies_are_sent_with_their_own_calls(linked, evolution):
    photo = MediaFile(JPEG, "image", "image/jpeg", "foto.jpg")
    linked.engine.send(Outgoing("m-1", "5511977776666", "olha", media=photo))
    voice = MediaFile(b"OggS", "audio", "audio/ogg", None, voice=True)
    linked.engine.send(Outgoing("m-2", "5511977776666", "", media=voice))
    linked.engine.send(Outgoing("m-3", "5511977776666", "sim", reply_to={
        "provider_message_id": "3EB0QUOTED", "from_me": False, "text": "pode às 10h?"}))
    [(_, _, media)] = evolution.calls("POST", f"/message/sendMedia/{NAME}")
    assert media == {"number": "5511977776666", "mediatype": "image", "mimetype": "image/jpeg",
                     "media": base64.b64encode(JPEG).decode(), "caption": "olha", "fileName": "foto.jpg"}
    [(_, _, audio)] = evolution.calls("POST", f"/message/sendWhatsAppAudio/{NAME}")
    assert audio == {"number": "5511977776666", "audio": base64.b64encode(b"OggS").decode()}
    [(_, _, text)] = evolution.calls("POST", f"/message/sendText/{NAME}")
    assert text["quoted"] == {"key": {"id": "3EB0QUOTED"}, "message": {"conversation": "pode às 10h?"}}


def test_read_receipts_and_typing_use_their_own_calls(linked, evolution):
    linked.engine.action("read", {"phone": "5511977776666", "provider_message_ids": ["3EB0A"]})
    linked.engine.send(Outgoing("m-1", "5511977776666", "Olá!", typing_seconds=2.5))
    [(_, _, read)] = evolution.calls("POST", f"/chat/markMessageAsRead/{NAME}")
    assert read == {"readMessages": [{"remoteJid": "5511977776666@s.whatsapp.net", "fromMe": False,
                                      "id": "3EB0A"}]}
    [(_, _, text)] = evolution.calls("POST", f"/message/sendText/{NAME}")
    assert text == {"number": "5511977776666", "text": "Olá!", "delay": 2500}
