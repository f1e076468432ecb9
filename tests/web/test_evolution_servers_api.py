"""The platform admin's Evolution server routes: CRUD with usage, 403 for account keys, 400s
naming the field, 409s, the key never shown; and GET /api/engines following the servers."""
from __future__ import annotations

import pytest

from web import create_app

KEY = "evo-global-key-0123456789abcdef"
BASE = "/api/evolution-servers"
SERVER = {"name": "Evolution API 1", "url": "https://evo1.example.com/", "api_key": KEY,
          "capacity": 20, "priority": 10}


@pytest.fixture
def fake_app(config, clean_db, identity, fake_instances):
    return create_app(config, db=clean_db, identity=identity, instances=fake_instances.manager)


@pytest.fixture
def api(fake_app):
    return fake_app.test_client()


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.get_json()
    return response.get_json()["error"]


def test_the_admin_adds_reads_changes_and_deletes_a_server(api, admin_headers):
    created = api.post(BASE, json=SERVER, headers=admin_headers)
    assert created.status_code == 201, created.get_json()
    server = created.get_json()
    assert {k: server[k] for k in ("name", "url", "webhook_base", "capacity", "priority", "active",
                                   "instances", "connected", "available", "usage_percent")} == {
        "name": "Evolution API 1", "url": "https://evo1.example.com", "webhook_base": None,
        "capacity": 20, "priority": 10, "active": True, "instances": 0, "connected": 0,
        "available": 20, "usage_percent": 0}
    one = f"{BASE}/{server['id']}"
    assert api.get(one, headers=admin_headers).get_json() == server
    changed = api.patch(one, json={"capacity": 15, "active": False, "webhook_base": "http://10.0.0.5",
                                   "api_key": "a-new-key"}, headers=admin_headers).get_json()
    assert (changed["capacity"], changed["active"], changed["webhook_base"]) == (15, False, "http://10.0.0.5")
    assert changed["name"] == "Evolution API 1"
    listed = api.get(BASE, headers=admin_headers).get_json()
    assert [s["id"] for s in listed["items"]] == [server["id"]]
    assert listed["totals"] == {"servers": 1, "active": 0, "capacity": 0, "available": 0,
                                "instances": 0, "connected": 0}
    assert listed["environment"] is None
    assert api.delete(one, headers=admin_headers).status_code == 204
    assert error_of(api.get(one, headers=admin_headers), 404)["message"] == "no such Evolution server"
    assert error_of(api.delete(one, headers=admin_headers), 404)["code"] == "not_found"
    assert error_of(api.patch(one, json={}, headers=admin_headers), 404)["code"] == "not_found"


def test_the_api_key_is_never_shown(api, admin_headers):
    server = api.post(BASE, json=SERVER, headers=admin_headers).get_json()
    answers = [api.get(BASE, headers=admin_headers), api.get(f"{BASE}/{server['id']}", headers=admin_headers),
               api.patch(f"{BASE}/{server['id']}", json={"api_key": KEY}, headers=admin_headers)]
    for answer in answers:
        assert answer.status_code == 200
        assert KEY not in answer.get_data(as_text=True) and "api_key" not in answer.get_data(as_text=True)


def test_account_keys_are_refused_on_every_route(api, admin_headers, register):
    server = api.post(BASE, json=SERVER, headers=admin_headers).get_json()
    tenant = register()
    one = f"{BASE}/{server['id']}"
    for method, url in (("GET", BASE), ("POST", BASE), ("GET", one), ("PATCH", one), ("DELETE", one)):
        assert error_of(api.open(url, method=method, json=SERVER, headers=tenant.headers),
                        403)["code"] == "forbidden", (method, url)
        assert api.open(url, method=method, json=SERVER).status_code == 401
    assert api.get(one, headers=admin_headers).get_json()["name"] == "Evolution API 1"


@pytest.mark.parametrize("change, field, words", [
    ({"name": None}, "name", "is required"),
    ({"name": "   "}, "name", "must not be empty"),
    ({"url": "ftp://evo1.example.com"}, "url", "http:// or https://"),
    ({"url": "evo1.example.com"}, "url", "http:// or https://"),
    ({"url": "https://evo1.example.com:port"}, "url", "http:// or https://"),
    ({"url": "https://evo1.example.com/message/sendText"}, "url", "not one of its routes"),
    ({"url": "https://user:pw@evo1.example.com"}, "url", "no credentials"),
    ({"api_key": None}, "api_key", "is required"),
    ({"api_key": "two words"}, "api_key", "blanks, quotes or backslashes"),
    ({"capacity": 0}, "capacity", "from 1 to 10000"),
    ({"capacity": "20"}, "capacity", "whole number"),
    ({"capacity": True}, "capacity", "whole number"),
    ({"capacity": 2.5}, "capacity", "whole number"),
    ({"capacity": None}, "capacity", "must not be null"),
    ({"priority": -1}, "priority", "from 0 to 1000"),
    ({"active": "yes"}, "active", "true or false"),
    ({"webhook_base": "http://10.0.0.5/hooks"}, "webhook_base", "{port}"),
    ({"webhook_base": "10.0.0.5"}, "webhook_base", "http:// or https://"),
])
def test_bad_input_is_a_400_naming_the_field(api, admin_headers, change, field, words):
    error = error_of(api.post(BASE, json={**SERVER, **change}, headers=admin_headers), 400)
    assert error["message"].startswith(f"{field}:") and words in error["message"]
    assert KEY not in error["message"]
    assert api.get(BASE, headers=admin_headers).get_json()["items"] == []


def test_changes_are_validated_too(api, admin_headers):
    server = api.post(BASE, json=SERVER, headers=admin_headers).get_json()
    one = f"{BASE}/{server['id']}"
    assert error_of(api.patch(one, json={"capacity": -3}, headers=admin_headers), 400)["message"].startswith("capacity:")
    assert error_of(api.patch(one, json={"active": None}, headers=admin_headers), 400)["message"].startswith("active:")
    assert error_of(api.patch(one, json=["x"], headers=admin_headers), 400)["message"].startswith("body:")
    assert error_of(api.post(BASE, data="x", headers=admin_headers), 400)["message"].startswith("body:")
    with_port = api.patch(one, json={"webhook_base": "https://hooks.example.com/w/{port}"}, headers=admin_headers)
    assert with_port.get_json()["webhook_base"] == "https://hooks.example.com/w/{port}"
    assert api.patch(one, json={"webhook_base": None}, headers=admin_headers).get_json()["webhook_base"] is None


def test_names_and_urls_are_unique(api, admin_headers):
    api.post(BASE, json=SERVER, headers=admin_headers)
    for clash in ({"name": "evolution api 1", "url": "https://evo2.example.com"},
                  {"name": "Evolution API 2", "url": "https://EVO1.example.com"}):
        error = error_of(api.post(BASE, json={**SERVER, **clash}, headers=admin_headers), 409)
        assert error["message"] == "another Evolution server has this name or URL"


def test_a_server_with_instances_is_not_deleted(api, admin_headers, register):
    server = api.post(BASE, json=SERVER, headers=admin_headers).get_json()
    tenant = register("Clínica Alpha")
    connected = api.post(f"/api/accounts/{tenant.id}/whatsapp/connect", json={"engine": "evolution"},
                         headers=tenant.headers)
    assert connected.status_code == 201 and connected.get_json()["instance"]["evolution_server_id"] == server["id"]
    error = error_of(api.delete(f"{BASE}/{server['id']}", headers=admin_headers), 409)
    assert "still serves 1 WhatsApp instance" in error["message"]
    usage = api.get(f"{BASE}/{server['id']}", headers=admin_headers).get_json()
    assert (usage["instances"], usage["available"], usage["usage_percent"]) == (1, 19, 5)


def test_full_servers_answer_503_with_a_reason_the_owner_understands(api, admin_headers, register):
    api.post(BASE, json={**SERVER, "capacity": 1}, headers=admin_headers)
    first, second = register("Loja Um"), register("Loja Dois")
    for tenant, status in ((first, 201), (second, 503)):
        answer = api.post(f"/api/accounts/{tenant.id}/whatsapp/connect", json={"engine": "evolution"},
                          headers=tenant.headers)
        assert answer.status_code == status, answer.get_json()
    assert "ask the platform admin to add a server" in answer.get_json()["error"]["message"]
    assert api.get(f"/api/accounts/{second.id}/whatsapp", headers=second.headers).status_code == 404


def test_the_engine_list_follows_the_servers(api, admin_headers, register):
    tenant = register()

    def evolution():
        items = api.get("/api/engines", headers=tenant.headers).get_json()["items"]
        return next(e for e in items if e["name"] == "evolution")
    assert evolution()["available"] is False and "POST /api/evolution-servers" in evolution()["reason"]
    server = api.post(BASE, json={**SERVER, "active": False}, headers=admin_headers).get_json()
    assert evolution()["available"] is False  # an inactive server takes no new instance
    api.patch(f"{BASE}/{server['id']}", json={"active": True}, headers=admin_headers)
    assert evolution() == {**evolution(), "available": True, "reason": None}
