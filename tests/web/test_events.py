"""POST /internal/events: a worker's batch lands in its own account, bad events are set aside."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from tests.support.clients import signed_in
from zapfleet.appointments.bot.responder import bot_paused
from zapfleet.db import chat_states as chat_states_sql
from zapfleet.db import instances as instances_sql
from zapfleet.core.security import worker_token


@pytest.fixture
def worker(client, register, clean_db, config):
    """An account with an instance row, and the headers its worker would send."""
    tenant = register("Barbearia Central")
    with clean_db.system() as conn:
        instance = instances_sql.insert_instance(conn, tenant.id, "barbearia_whatsapp", 45001,
                                                 "sandbox")
    token = worker_token(config.secret_key, str(instance["id"]))
    return tenant, instance, {"Authorization": f"Bearer {token}"}


def _event(kind, data):
    return {"id": str(uuid.uuid4()), "type": kind, "at": "2026-11-22T12:00:00+00:00", "data": data}


def _post(client, instance, headers, events):
    return client.post("/internal/events", headers=headers,
                       json={"instance_id": str(instance["id"]), "events": events})


def test_connection_and_inbound_events_update_the_right_account(client, worker):
    tenant, instance, headers = worker
    answer = _post(client, instance, headers, [
        _event("connection", {"state": "connected", "phone": "5511900000001", "reason": None}),
        _event("message.in", {"provider_message_id": "p1", "phone": "5511987654321",
                              "text": "Tem horário amanhã?", "name": "Ana"})])
    assert answer.status_code == 200 and answer.get_json() == {"applied": 2, "rejected": []}
    status = client.get(f"/api/accounts/{tenant.id}/whatsapp", headers=tenant.headers).get_json()
    assert status["status"] == "connected" and status["phone"] == "5511900000001"
    [conversation] = client.get(f"/api/accounts/{tenant.id}/conversations",
                                headers=tenant.headers).get_json()["items"]
    assert conversation["name"] == "Ana" and conversation["unread_count"] == 1


def test_a_replayed_inbound_message_is_stored_once(client, worker):
    tenant, instance, headers = worker
    event = _event("message.in", {"provider_message_id": "p1", "phone": "5511987654321",
                                  "text": "Oi", "name": None})
    _post(client, instance, headers, [event])
    _post(client, instance, headers, [event])
    [conversation] = client.get(f"/api/accounts/{tenant.id}/conversations",
                                headers=tenant.headers).get_json()["items"]
    messages = client.get(f"/api/accounts/{tenant.id}/conversations/{conversation['id']}/messages",
                          headers=tenant.headers).get_json()["items"]
    assert [m["body"] for m in messages] == ["Oi"]


def test_a_bad_event_is_rejected_and_the_rest_applied(client, worker):
    tenant, instance, headers = worker
    answer = _post(client, instance, headers, [
        _event("connection", {"state": "exploded"}),
        _event("qr", {"code": "http://x/sandbox/scan/abc"})])
    body = answer.get_json()
    assert answer.status_code == 200 and body["applied"] == 1
    assert body["rejected"][0]["index"] == 0 and "state" in body["rejected"][0]["error"]
    status = client.get(f"/api/accounts/{tenant.id}/whatsapp", headers=tenant.headers).get_json()
    assert status["status"] == "waiting_qr"


@pytest.mark.parametrize("body, field", [({"events": "x"}, "events"), ({}, "events"),
                                         ({"events": [_event("qr", {})] * 501}, "events")])
def test_a_batch_that_is_not_a_list_of_events_is_a_400(client, worker, body, field):
    _, instance, headers = worker
    answer = client.post("/internal/events", headers=headers,
                         json={"instance_id": str(instance["id"]), **body})
    assert answer.status_code == 400 and answer.get_json()["error"]["message"].startswith(field)


def test_another_instances_token_is_refused(client, worker, config):
    _, instance, _ = worker
    forged = {"Authorization": "Bearer " + worker_token(config.secret_key, str(uuid.uuid4()))}
    assert _post(client, instance, forged, []).status_code == 401
    assert client.post("/internal/events", json={}).status_code == 401


def test_text_postgresql_cannot_hold_is_cleaned_and_the_stream_goes_on(client, worker):
    tenant, instance, headers = worker
    odd = _event("message.in", {"provider_message_id": "p1", "phone": "5511987654321",
                                "text": "a\u0000b \ud800!", "name": "Ana\u0000"})
    after = _event("message.in", {"provider_message_id": "p2", "phone": "5511987654321",
                                  "text": "tudo certo?", "name": "Ana"})
    answer = _post(client, instance, headers, [odd, after])
    assert answer.status_code == 200 and answer.get_json() == {"applied": 2, "rejected": []}
    [conversation] = client.get(f"/api/accounts/{tenant.id}/conversations",
                                headers=tenant.headers).get_json()["items"]
    messages = client.get(f"/api/accounts/{tenant.id}/conversations/{conversation['id']}/messages",
                          headers=tenant.headers).get_json()["items"]
    assert [m["body"] for m in messages] == ["ab \ufffd!", "tudo certo?"]


def test_a_message_typed_on_the_phone_is_recorded_once_and_pauses_the_bot(client, worker, managers,
                                                                            clean_db):
    tenant, instance, headers = worker
    typed = _event("message.out", {"provider_message_id": "p-phone", "phone": "5511987654321",
                                   "text": "Já te respondo!"})
    assert _post(client, instance, headers, [typed, typed]).get_json() == {"applied": 2, "rejected": []}
    [conversation] = client.get(f"/api/accounts/{tenant.id}/conversations",
                                headers=tenant.headers).get_json()["items"]
    [message] = client.get(f"/api/accounts/{tenant.id}/conversations/{conversation['id']}/messages",
                           headers=tenant.headers).get_json()["items"]
    assert (message["direction"], message["origin"], message["status"], message["body"]) == (
        "out", "phone", "sent", "Já te respondo!")
    assert conversation["unread_count"] == 0
    with clean_db.tenant(tenant.id) as conn:
        state = chat_states_sql.lock(conn, tenant.id, uuid.UUID(conversation["id"]))
        assert bot_paused(conn, state, {"bot_pause_minutes": 60}, datetime.now(timezone.utc))


def test_the_echo_of_our_own_send_recorded_first_as_the_phone_s_gives_way(client, worker, managers,
                                                                           clean_db):
    """The phone's copy of a message we sent can arrive before our send's own report."""
    tenant, instance, headers = worker
    queued = client.post(f"/api/accounts/{tenant.id}/send", headers=tenant.headers,
                         json={"phone": "5511987654321", "message": "Oi!"}).get_json()["message"]
    echo = _event("message.out", {"provider_message_id": "p-ours", "phone": "5511987654321", "text": "Oi!"})
    sent = _event("message.status", {"message_id": queued["id"], "provider_message_id": "p-ours",
                                     "status": "sent", "error": None})
    assert _post(client, instance, headers, [echo, sent]).get_json() == {"applied": 2, "rejected": []}
    [conversation] = client.get(f"/api/accounts/{tenant.id}/conversations",
                                headers=tenant.headers).get_json()["items"]
    messages = client.get(f"/api/accounts/{tenant.id}/conversations/{conversation['id']}/messages",
                          headers=tenant.headers).get_json()["items"]
    assert [(m["origin"], m["status"]) for m in messages] == [("api", "sent")]


def _messages(client, tenant) -> list[dict]:
    [conversation] = client.get(f"/api/accounts/{tenant.id}/conversations",
                                headers=tenant.headers).get_json()["items"]
    return client.get(f"/api/accounts/{tenant.id}/conversations/{conversation['id']}/messages",
                      headers=tenant.headers).get_json()["items"]


def _deliveries(clean_db, account_id) -> list[str]:
    with clean_db.system() as conn, conn.cursor() as cur:
        cur.execute("SELECT event FROM webhook_deliveries WHERE account_id = %s ORDER BY created_at",
                    (account_id,))
        return [r["event"] for r in cur.fetchall()]


def test_reactions_edits_and_deletions_change_the_message_and_add_none(client, worker, clean_db, app):
    tenant, instance, headers = worker
    client.put(f"/api/accounts/{tenant.id}/webhook", headers=tenant.headers,
               json={"url": "https://hooks.example.com/zap"})
    said = {"provider_message_id": "p1", "phone": "5511987654321", "text": "Amanhã às 10h?", "name": "Ana"}
    react = {"provider_message_id": "p1", "phone": "5511987654321"}
    answer = _post(client, instance, headers, [
        _event("message.in", said),
        _event("message.reaction", {**react, "emoji": "👍"}),
        _event("message.reaction", {**react, "emoji": "❤️"}),  # the latest one counts
        _event("message.reaction", {"provider_message_id": "p1", "phone": "business", "emoji": "🙏"}),
        _event("message.edited", {"provider_message_id": "p1", "text": "Amanhã às 11h?"}),
        _event("message.reaction", {"provider_message_id": "unknown", "phone": "5511987654321",
                                    "emoji": "👍"})])
    assert answer.get_json() == {"applied": 6, "rejected": []}
    [message] = _messages(client, tenant)
    assert message["reactions"] == {"5511987654321": "❤️", "business": "🙏"}
    assert (message["body"], message["previous_bodies"]) == ("Amanhã às 11h?", ["Amanhã às 10h?"])
    assert message["edited_at"] is not None and message["deleted_at"] is None
    page = signed_in(app, tenant.email).get(
        f"/a/{tenant.id}/inbox/{message['conversation_id']}").get_data(as_text=True)
    assert "Amanhã às 11h?" in page and "edited" in page and "❤️" in page and "🙏" in page
    _post(client, instance, headers, [_event("message.reaction", {**react, "emoji": ""}),
                                      _event("message.deleted", {"provider_message_id": "p1"})])
    [message] = _messages(client, tenant)
    assert (message["body"], message["previous_bodies"], message["reactions"]) == ("", [], {})
    assert message["deleted_at"] is not None
    page = signed_in(app, tenant.email).get(
        f"/a/{tenant.id}/inbox/{message['conversation_id']}").get_data(as_text=True)
    assert "message deleted" in page and "Amanhã" not in page
    assert _deliveries(clean_db, tenant.id) == [
        "message.received", "message.reaction", "message.reaction", "message.reaction",
        "message.edited", "message.reaction", "message.deleted"]


def test_a_reply_names_the_message_it_quotes(client, worker, app):
    tenant, instance, headers = worker
    first = {"provider_message_id": "p1", "phone": "5511987654321", "text": "Tem horário?", "name": "Ana"}
    reply = {**first, "provider_message_id": "p2", "text": "Pode ser às 10h", "reply_to_provider_message_id": "p1"}
    unknown = {**first, "provider_message_id": "p3", "text": "?", "reply_to_provider_message_id": "gone"}
    _post(client, instance, headers, [_event("message.in", first), _event("message.in", reply),
                                      _event("message.in", unknown)])
    quoted, answer, orphan = _messages(client, tenant)
    assert answer["reply_to"] == quoted["id"]
    assert quoted["reply_to"] is None and orphan["reply_to"] is None
    page = signed_in(app, tenant.email).get(
        f"/a/{tenant.id}/inbox/{answer['conversation_id']}").get_data(as_text=True)
    assert '<blockquote class="quoted">Tem horário?</blockquote>' in page
