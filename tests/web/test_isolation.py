"""Two registered accounts cannot read, change or delete each other's data through any API route.

The pages under /a/ and /admin/ (session cookies, not API keys) have their own tests in tests/ui."""
from datetime import datetime, timedelta, timezone

import pytest

METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")
BODY = {"name": "intruder", "phone": "5511988887777", "label": "intruder", "message": "x"}


@pytest.fixture
def victim(app, register, manager):
    """Account A with one of every kind of resource, and the ids to reach them."""
    tenant = register("Clínica Alpha")
    contact = manager.create_contact(tenant.id, {"phone": "11 98888-0001", "name": "Ana"})
    message = manager.record_message(tenant.id, contact["phone"], "in", "Olá!", "received")
    campaign = manager.create_campaign(tenant.id, {"name": "Black Friday"})
    key, _ = manager.issue_api_key(tenant.id, "spare")
    later = datetime.now(timezone.utc) + timedelta(days=30)
    book = app.extensions["zapfleet.appointments"]
    service = book.create_service(tenant.id, {"name": "Limpeza", "duration_minutes": 30})
    appointment = book.create_appointment(tenant.id, {
        "contact_id": str(contact["id"]), "service_id": str(service["id"]),
        "starts_at": later.isoformat(), "notify": False})
    scheduled, _ = app.extensions["zapfleet.outbox"].send(tenant.id, {
        "phone": contact["phone"], "message": "Feliz ano novo", "send_at": later.isoformat()})
    ids = {"account_id": tenant.id, "contact_id": str(contact["id"]),
           "conversation_id": str(message["conversation_id"]),
           "campaign_id": str(campaign["id"]), "key_id": str(key["id"]),
           "service_id": str(service["id"]), "appointment_id": str(appointment["id"]),
           "message_id": str(scheduled["id"])}
    return tenant, ids


def _account_routes(app):
    for rule in app.url_map.iter_rules():
        if "account_id" in rule.arguments and rule.rule.startswith("/api/"):
            for method in sorted(rule.methods & set(METHODS)):
                yield rule, method


def _call(client, rule, method, ids, headers):
    unknown = rule.arguments - ids.keys()
    assert not unknown, f"add a resource for {unknown} to the victim fixture"
    url = rule.rule
    for name, value in ids.items():
        url = url.replace(f"<uuid:{name}>", value)
    return client.open(url, method=method, json=BODY, headers=headers)


def test_routes_with_account_id_exist(app):
    assert len(list(_account_routes(app))) >= 15


def test_other_accounts_key_gets_404_on_every_account_route(app, client, register, victim):
    tenant, ids = victim
    intruder = register("Academia Beta")
    for rule, method in _account_routes(app):
        response = _call(client, rule, method, ids, intruder.headers)
        assert response.status_code == 404, (method, rule.rule, response.get_json())
        assert response.get_json()["error"]["code"] == "not_found"
    _assert_untouched(client, tenant, ids)


def test_own_account_id_with_other_accounts_resource_ids_is_404(app, client, register, victim):
    tenant, ids = victim
    intruder = register("Academia Beta")
    own = {**ids, "account_id": intruder.id}
    for rule, method in _account_routes(app):
        if len(rule.arguments) > 1:
            response = _call(client, rule, method, own, intruder.headers)
            assert response.status_code == 404, (method, rule.rule, response.get_json())
    _assert_untouched(client, tenant, ids)


def _assert_untouched(client, tenant, ids):
    base = f"/api/accounts/{tenant.id}"
    assert client.get(base, headers=tenant.headers).get_json()["name"] == "Clínica Alpha"
    contacts = client.get(f"{base}/contacts", headers=tenant.headers).get_json()["items"]
    assert [(c["name"], c["phone"]) for c in contacts] == [("Ana", "5511988880001")]
    campaign = client.get(f"{base}/campaigns/{ids['campaign_id']}", headers=tenant.headers)
    assert campaign.get_json()["name"] == "Black Friday"
    keys = client.get(f"{base}/api-keys", headers=tenant.headers).get_json()["items"]
    assert len(keys) == 2 and all(k["revoked_at"] is None for k in keys)
    messages = client.get(f"{base}/conversations/{ids['conversation_id']}/messages",
                          headers=tenant.headers).get_json()["items"]
    assert [(m["body"], m["status"]) for m in messages] == [("Olá!", "received"),
                                                            ("Feliz ano novo", "queued")]
    appointment = client.get(f"{base}/appointments/{ids['appointment_id']}", headers=tenant.headers)
    assert appointment.get_json()["status"] == "scheduled"
    services = client.get(f"{base}/services", headers=tenant.headers).get_json()["items"]
    assert [s["name"] for s in services] == ["Limpeza"]
    settings = client.get(f"{base}/settings", headers=tenant.headers).get_json()["settings"]
    assert settings["booking_bot"] is False


def test_account_key_cannot_list_or_create_accounts(client, register):
    tenant = register()
    assert client.get("/api/accounts", headers=tenant.headers).status_code == 403
    response = client.post("/api/accounts", json={"name": "x"}, headers=tenant.headers)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_admin_reaches_every_account(client, register, admin_headers):
    a, b = register("A"), register("B")
    listed = {acc["id"] for acc in client.get("/api/accounts", headers=admin_headers).get_json()["items"]}
    assert {a.id, b.id} <= listed
    for tenant in (a, b):
        assert client.get(f"/api/accounts/{tenant.id}/contacts", headers=admin_headers).status_code == 200
