"""The engine routes of the API (choice, switch, pairing codes, the list) and the worker
events the real engines add (bans with their end, receipts known by the provider's id)."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from web import create_app
from zapfleet.db import instances as instances_sql
from zapfleet.db import outbox as outbox_sql
from zapfleet.core.security import worker_token


@pytest.fixture
def fake_app(config, clean_db, identity, fake_instances):
    return create_app(config, db=clean_db, identity=identity, instances=fake_instances.manager)


@pytest.fixture
def api(fake_app):
    return fake_app.test_client()


@pytest.fixture
def tenant(api):
    answer = api.post("/api/register", json={"name": "Academia Forte", "email": f"{uuid.uuid4().hex}@x.com",
                                             "password": "correct horse battery"}).get_json()
    return answer["account"]["id"], {"Authorization": f"Bearer {answer['api_key']['key']}"}


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.get_json()
    return response.get_json()["error"]


@pytest.mark.parametrize("body, words", [
    ({"engine": "baileys"}, "must be one of: sandbox, evolution, neonize"),
    ({"engine": "evolution"}, "needs an Evolution API server"),
    ({"engine": 5}, "must be one of"),
])
def test_connect_validates_the_engine(api, tenant, body, words):
    account, headers = tenant
    error = error_of(api.post(f"/api/accounts/{account}/whatsapp/connect", json=body, headers=headers), 400)
    assert error["code"] == "invalid_input" and error["message"].startswith("engine:") and words in error["message"]


def test_connect_on_an_engine_then_switch_it(api, tenant, fake_instances):
    account, headers = tenant
    created = api.post(f"/api/accounts/{account}/whatsapp/connect", json={"engine": "neonize"}, headers=headers)
    assert created.status_code == 201 and created.get_json()["instance"]["engine"] == "neonize"
    assert api.post(f"/api/accounts/{account}/whatsapp/connect", headers=headers).status_code == 200
    switched = api.patch(f"/api/accounts/{account}/whatsapp", json={"engine": "sandbox"}, headers=headers)
    assert switched.status_code == 200 and switched.get_json()["engine"] == "sandbox"
    assert "banned_until" in switched.get_json()
    assert error_of(api.patch(f"/api/accounts/{account}/whatsapp", json={}, headers=headers),
                    400)["message"] == "engine: is required"


def test_pairing_code_route(api, tenant):
    account, headers = tenant
    url = f"/api/accounts/{account}/whatsapp/pair"
    assert error_of(api.post(url, json={"phone": "5511988887777"}, headers=headers), 404)["code"] == "not_found"
    api.post(f"/api/accounts/{account}/whatsapp/connect", json={"engine": "neonize"}, headers=headers)
    assert api.post(url, json={"phone": "+55 11 98888-7777"}, headers=headers).get_json()["phone"] == "5511988887777"
    assert error_of(api.post(url, json={"phone": "abc"}, headers=headers), 400)["message"].startswith("phone:")
    assert error_of(api.post(url, json=["x"], headers=headers), 400)["message"].startswith("body:")


def test_the_engine_list(api, tenant):
    _, headers = tenant
    items = api.get("/api/engines", headers=headers).get_json()["items"]
    assert [e["name"] for e in items] == ["sandbox", "evolution", "neonize"]
    assert {e["name"]: e["available"] for e in items} == {"sandbox": True, "evolution": False, "neonize": True}
    assert api.get("/api/engines").status_code == 401


def test_a_refused_send_is_failed_with_the_reason(api, tenant, fake_instances):
    account, headers = tenant
    port = api.post(f"/api/accounts/{account}/whatsapp/connect", headers=headers).get_json()["instance"]["port"]
    fake_instances.workers.states[port] = "connected"
    fake_instances.workers.refusal = "5511900000000 is not on WhatsApp"
    sent = api.post(f"/api/accounts/{account}/send", json={"phone": "5511900000000", "message": "oi"},
                    headers=headers).get_json()["message"]
    assert (sent["status"], sent["error"]) == ("failed", "5511900000000 is not on WhatsApp")


# -- worker events -------------------------------------------------------------------------------

@pytest.fixture
def worker(client, register, clean_db, config):
    tenant = register("Barbearia Central")
    with clean_db.system() as conn:
        instance = instances_sql.insert_instance(conn, tenant.id, "barbearia_whatsapp", 45001, "neonize")
    token = worker_token(config.secret_key, str(instance["id"]))
    return tenant, instance, {"Authorization": f"Bearer {token}"}


def post_events(client, instance, headers, *events):
    body = {"instance_id": str(instance["id"]), "events": [
        {"id": str(uuid.uuid4()), "type": kind, "at": "2026-11-22T12:00:00+00:00", "data": data}
        for kind, data in events]}
    return client.post("/internal/events", headers=headers, json=body).get_json()


def test_a_ban_is_a_state_with_its_reason_and_end(client, worker):
    tenant, instance, headers = worker
    reason = "WhatsApp temporarily banned this number until 2026-11-23 12:00 UTC: it sent the same message"
    answer = post_events(client, instance, headers, ("connection", {
        "state": "banned", "phone": "5511900000001", "reason": reason, "until": "2026-11-23T12:00:00+00:00"}))
    assert answer == {"applied": 1, "rejected": []}
    status = client.get(f"/api/accounts/{tenant.id}/whatsapp", headers=tenant.headers).get_json()
    assert (status["status"], status["last_error"]) == ("banned", reason)
    assert status["banned_until"].startswith("2026-11-23T12:00:00")
    post_events(client, instance, headers, ("connection", {"state": "connected", "phone": "5511900000001",
                                                           "reason": None}))
    status = client.get(f"/api/accounts/{tenant.id}/whatsapp", headers=tenant.headers).get_json()
    assert (status["status"], status["banned_until"], status["last_error"]) == ("connected", None, None)


@pytest.mark.parametrize("until", ["tomorrow", "2026-11-23T12:00:00"])
def test_a_ban_end_must_be_a_time_with_its_offset(client, worker, until):
    _, instance, headers = worker
    answer = post_events(client, instance, headers, ("connection", {"state": "banned", "until": until}))
    assert answer["applied"] == 0 and answer["rejected"][0]["error"].startswith("until:")


def test_a_receipt_known_by_the_provider_id_only(client, worker):
    tenant, instance, headers = worker
    outbox = client.application.extensions["zapfleet"].outbox
    message, _ = outbox.send(tenant.id, {"phone": "5511977776666", "message": "oi"})
    with client.application.extensions["zapfleet"].db.tenant(tenant.id) as conn:
        outbox_sql.mark_sent(conn, tenant.id, message["id"], "3EB0PROVIDER", datetime.now(timezone.utc))
    answer = post_events(client, instance, headers,
                         ("message.status", {"message_id": None, "provider_message_id": "3EB0PROVIDER",
                                             "status": "read", "error": None}),
                         ("message.status", {"message_id": None, "provider_message_id": "unknown",
                                             "status": "read", "error": None}))
    assert answer == {"applied": 2, "rejected": []}
    [conversation] = client.get(f"/api/accounts/{tenant.id}/conversations", headers=tenant.headers).get_json()["items"]
    [stored] = client.get(f"/api/accounts/{tenant.id}/conversations/{conversation['id']}/messages",
                          headers=tenant.headers).get_json()["items"]
    assert stored["status"] == "read"
    missing = post_events(client, instance, headers, ("message.status", {"message_id": None, "status": "read"}))
    assert missing["rejected"][0]["error"].startswith("provider_message_id:")
