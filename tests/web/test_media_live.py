"""Files end to end over real HTTP: the app, a real supervisord, real sandbox workers that fetch
what they send from the control plane and upload what they receive, PostgreSQL and the media
folder."""
from __future__ import annotations

import hashlib
from concurrent.futures import wait
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.support.files import MP4, OGG, PDF, PNG, WEBP, FileServer, b64, jpeg
from tests.support.http import Recorder
from tests.support.live import all_messages, link_phone, linked, phone_got
from tests.support.waiting import wait_until
from zapfleet.messaging.dispatcher import Dispatcher
from zapfleet.messaging.outbox import Outbox


def test_a_photo_a_document_and_a_file_from_a_url_reach_the_phone_as_stored(live):
    account, key = linked(live, "Salão Bela")
    send = f"/api/accounts/{account}/send"
    photo = live.call("POST", send, key, json={"phone": "11987654321", "message": "Seu novo corte",
                                               "media": {"data": b64(PNG), "mime_type": "image/png"}})
    assert photo.status_code == 201, photo.text
    document = live.call("POST", send, key, data={"phone": "11987654321", "message": "Orçamento"},
                         files={"file": ("orcamento.pdf", PDF, "application/pdf")})
    assert document.status_code == 201, document.text
    with FileServer("qr.png", PNG, "image/png") as files:
        fetched = live.call("POST", send, key, json={"phone": "11987654321", "media": {"url": files.url}})
    assert fetched.status_code == 201, fetched.text
    stored = [r.json()["message"] for r in (photo, document, fetched)]
    assert [(m["type"], m["body"], m["media"]["mime_type"], m["media"]["filename"]) for m in stored] == [
        ("image", "Seu novo corte", "image/png", None), ("document", "Orçamento", "application/pdf",
                                                         "orcamento.pdf"),
        ("image", "", "image/png", "qr.png")]
    assert [m["media"]["sha256"] for m in stored] == [hashlib.sha256(f).hexdigest() for f in (PNG, PDF, PNG)]
    got = phone_got(live, account)
    assert [(g["text"], g["media"]["kind"], g["media"]["sha256"]) for g in got] == [
        (m["body"], m["type"], m["media"]["sha256"]) for m in stored]
    path = f"/api/accounts/{account}/media/{stored[1]['media']['id']}"
    download = live.call("GET", path, key)
    assert download.content == PDF and download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment")
    part = requests.get(live.base + path, timeout=30,
                        headers={"Authorization": f"Bearer {key}", "Range": "bytes=4-11"})
    assert (part.status_code, part.content) == (206, PDF[4:12])  # a player seeking
    assert part.headers["Content-Range"] == f"bytes 4-11/{len(PDF)}"
    beyond = requests.get(live.base + path, timeout=30,
                          headers={"Authorization": f"Bearer {key}", "Range": f"bytes={len(PDF) + 5}-"})
    assert beyond.status_code == 400 and beyond.json()["error"]["code"] == "invalid_input"


def test_a_file_queued_while_the_phone_is_not_linked_leaves_with_it_later(live):
    account, key = live.register("Ótica Visão")
    queued = live.call("POST", f"/api/accounts/{account}/send", key, json={
        "phone": "11987654321", "message": "Seus óculos", "media": {"data": b64(PNG), "mime_type": "image/png"}})
    assert queued.status_code == 202, queued.text
    link_phone(live, account, key)
    managers = live.app.extensions["zapfleet"]
    retry_due = Outbox(managers.db, live.instances, media=managers.media,  # past the 15 s retry delay
                       clock=lambda: datetime.now(UTC) + timedelta(seconds=30))
    dispatcher = Dispatcher(retry_due, managers.webhooks, live.instances)
    wait(dispatcher.run_once())  # the dispatcher's hand-over, not the send route's
    dispatcher.pool.shutdown()
    [got] = wait_until(lambda: phone_got(live, account), 30, "the photo at the phone")
    assert (got["text"], got["media"]["sha256"]) == ("Seus óculos", hashlib.sha256(PNG).hexdigest())


def test_a_file_is_sent_once_under_its_key_and_a_voice_note_as_one(live):
    account, key = linked(live, "Clínica Sorriso")
    body = {"phone": "11987654321", "idempotency_key": "audio-1",
            "media": {"data": b64(OGG), "mime_type": "audio/ogg; codecs=opus", "voice": True}}
    first = live.call("POST", f"/api/accounts/{account}/send", key, json=body)
    again = live.call("POST", f"/api/accounts/{account}/send", key, json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["message"]["id"] == first.json()["message"]["id"]
    [got] = phone_got(live, account)
    assert got["media"]["voice"] is True and got["media"]["mime_type"] == "audio/ogg; codecs=opus"
    with live.app.extensions["zapfleet"].db.system() as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) AS n FROM media WHERE account_id = %s", (account,))
        assert cur.fetchone()["n"] == 1


@pytest.mark.parametrize("body, files, status, field", [
    ({"media": {"data": b64(PDF), "mime_type": "image/png"}}, None, 400, "media"),
    ({"media": {"data": "não é base64", "mime_type": "image/png"}}, None, 400, "media.data"),
    ({"media": {"data": b64(PNG), "url": "https://example.com/a.png"}}, None, 400, "media"),
    ({"media": {"url": "http://169.254.169.254/latest"}}, None, 400, "media.url"),
    ({"media": {"data": b64(jpeg(6 * 1024 * 1024)), "mime_type": "image/jpeg"}}, None, 413, "media"),
    (None, {"file": ("foto.png", PDF, "image/png")}, 400, "file"),
    (None, {"other": ("a.png", PNG, "image/png")}, 400, "message"),
])
def test_bad_files_are_refused_naming_the_field(live, body, files, status, field):
    account, key = live.register("Academia Forte")
    path = f"/api/accounts/{account}/send"
    if files is None:
        answer = live.call("POST", path, key, json={"phone": "11987654321", **body})
    else:
        answer = live.call("POST", path, key, data={"phone": "11987654321"}, files=files)
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["message"].startswith(f"{field}:")


def test_received_files_arrive_stored_and_reach_the_webhook_by_a_signed_link(live):
    account, key = linked(live, "Loja Estilo")
    inbound = f"/api/accounts/{account}/sandbox/inbound"
    with Recorder() as hook:
        live.call("PUT", f"/api/accounts/{account}/webhook", key, json={"url": hook.url})
        live.call("POST", inbound, key, json={"phone": "11911112222", "message": "Gostou?",
                                              "media": {"data": b64(PNG), "mime_type": "image/png"}})
        live.call("POST", inbound, key, json={"phone": "11911112222", "media": {
            "data": b64(OGG), "mime_type": "audio/ogg; codecs=opus", "voice": True}})
        live.call("POST", inbound, key, json={"phone": "11911112222", "message": "vídeo",
                                              "media": {"mime_type": "video/mp4", "unavailable": True}})
        live.call("POST", inbound, key, json={"phone": "11911112222", "type": "location", "location": {
            "latitude": -23.56, "longitude": -46.65, "name": "Loja"}})
        messages = wait_until(lambda: (m := all_messages(live, account, key)) and len(m) == 4 and m, 30,
                              "four received messages")
        live.dispatch()
        received = [r["json"] for r in hook.requests if r["json"]["event"] == "message.received"]
    photo, voice, video, place = messages
    assert (photo["type"], photo["body"], photo["media"]["available"]) == ("image", "Gostou?", True)
    assert (voice["type"], voice["media"]["voice"], voice["media"]["size"]) == ("audio", True, len(OGG))
    assert (video["type"], video["body"], video["media"]) == ("video", "vídeo", {
        "available": False, "kind": "video", "mime_type": "video/mp4", "voice": False})
    assert place["attachment"] == {"latitude": -23.56, "longitude": -46.65, "name": "Loja"}
    assert len(received) == 4
    first = received[0]["data"]["message"]
    assert first["media"]["mime_type"] == "image/png"
    assert requests.get(first["media"]["url"], timeout=30).content == PNG  # no key: the link is the key


def test_media_is_only_the_accounts_own_and_links_cannot_be_forged(live):
    account, key = linked(live, "Barbearia Um")
    other, other_key = live.register("Barbearia Dois")
    sent = live.call("POST", f"/api/accounts/{account}/send", key, json={
        "phone": "11987654321", "media": {"data": b64(PNG), "mime_type": "image/png"}}).json()["message"]
    media_id = sent["media"]["id"]
    assert live.call("GET", f"/api/accounts/{account}/media/{media_id}", other_key).status_code == 404
    assert live.call("GET", f"/api/accounts/{other}/media/{media_id}", other_key).status_code == 404
    library = live.app.extensions["zapfleet"].media
    good = live.base + library.link(account, media_id, seconds=60)
    assert requests.get(good, timeout=30).content == PNG
    query = parse_qs(urlsplit(good).query)
    tampered = good.replace(query["expires"][0], str(int(query["expires"][0]) + 3600))
    expired = live.base + library.link(account, media_id, seconds=-1)
    elsewhere = good.replace(f"/media/{account}/", f"/media/{other}/")
    for link in (tampered, expired, elsewhere):
        answer = requests.get(link, timeout=30)
        assert answer.status_code == 403 and answer.json()["error"]["code"] == "forbidden", link


def test_a_reply_quotes_its_message_on_the_phone_and_must_be_the_accounts(live):
    account, key = linked(live, "Pet Shop")
    other, other_key = live.register("Pet Shop Dois")
    live.call("POST", f"/api/accounts/{account}/sandbox/inbound", key,
              json={"phone": "11933334444", "message": "Tem banho amanhã?"})
    [question] = wait_until(lambda: all_messages(live, account, key), 30, "the question")
    answer = live.call("POST", f"/api/accounts/{account}/send", key, json={
        "phone": "11933334444", "message": "Temos às 10h", "reply_to": question["id"]})
    assert answer.status_code == 201 and answer.json()["message"]["reply_to"] == question["id"]
    assert phone_got(live, account)[0]["reply_to"] == question["provider_message_id"]
    foreign = live.call("POST", f"/api/accounts/{other}/send", other_key, json={
        "phone": "11933334444", "message": "oi", "reply_to": question["id"]})
    assert foreign.status_code == 400 and foreign.json()["error"]["message"].startswith("reply_to:")


def test_a_photo_sent_from_the_business_phone_is_recorded_with_its_file(live):
    account, key = linked(live, "Doceria")
    live.call("POST", f"/api/accounts/{account}/sandbox/typed", key, json={
        "phone": "11955556666", "message": "Olha o bolo", "media": {"data": b64(PNG), "mime_type": "image/png"}})
    [typed] = wait_until(lambda: all_messages(live, account, key), 30, "the typed photo")
    assert (typed["direction"], typed["origin"], typed["type"], typed["body"]) == ("out", "phone", "image",
                                                                                   "Olha o bolo")
    assert live.call("GET", f"/api/accounts/{account}/media/{typed['media']['id']}", key).content == PNG


RECEIVED_KINDS = [
    ({"media": {"data": b64(PNG), "mime_type": "image/png"}}, "image", PNG),
    ({"media": {"data": b64(OGG), "mime_type": "audio/ogg; codecs=opus", "voice": True}}, "audio", OGG),
    ({"media": {"data": b64(MP4), "mime_type": "video/mp4"}}, "video", MP4),
    ({"media": {"data": b64(PDF), "mime_type": "application/pdf", "filename": "a.pdf"}}, "document", PDF),
    ({"type": "sticker", "media": {"data": b64(WEBP), "mime_type": "image/webp"}}, "sticker", WEBP),
    ({"type": "contact", "contact": {"name": "Ana", "vcard": "BEGIN:VCARD\nFN:Ana\nEND:VCARD"}}, "contact", None),
    ({"type": "location", "location": {"latitude": -22.9, "longitude": -43.2}}, "location", None),
]


@pytest.mark.parametrize("sent, kind, data", RECEIVED_KINDS, ids=[k[1] for k in RECEIVED_KINDS])
def test_each_kind_arrives_from_the_sandbox_phone_and_its_file_is_the_same(live, sent, kind, data):
    account, key = linked(live, f"Loja {kind}")
    live.call("POST", f"/api/accounts/{account}/sandbox/inbound", key, json={"phone": "11922223333", **sent})
    [message] = wait_until(lambda: all_messages(live, account, key), 30, f"the {kind}")
    assert message["type"] == kind
    if data is None:
        assert message["media"] is None and message["attachment"] == sent[kind]
        return
    download = live.call("GET", f"/api/accounts/{account}/media/{message['media']['id']}", key)
    assert download.content == data and message["media"]["kind"] == kind


@pytest.mark.parametrize("data, mime_type, kind", [(PNG, "image/png", "image"), (OGG, "audio/ogg", "audio"),
                                                   (MP4, "video/mp4", "video"),
                                                   (PDF, "application/pdf", "document")])
def test_each_kind_of_file_is_sent_as_itself(live, data, mime_type, kind):
    account, key = linked(live, f"Envio {kind}")
    sent = live.call("POST", f"/api/accounts/{account}/send", key, data={"phone": "11922223333"},
                     files={"file": (f"file.{kind}", data, mime_type)})
    assert sent.status_code == 201 and sent.json()["message"]["type"] == kind
    [got] = phone_got(live, account)
    assert (got["media"]["kind"], got["media"]["sha256"]) == (kind, hashlib.sha256(data).hexdigest())
