"""The REST API end to end: auth, the error shape, and each resource."""
import io

import pytest

from zapfleet.core.errors import ERROR_CODES
from web.errors import STATUS_BY_CODE


def _error(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["message"]
    return body["error"]["message"]


def test_every_error_code_has_a_status():
    assert set(ERROR_CODES) == set(STATUS_BY_CODE)


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic x"}])
def test_missing_or_wrong_key_is_401(client, register, headers):
    tenant = register()
    _error(client.get(f"/api/accounts/{tenant.id}", headers=headers), 401, "unauthorized")


def test_unknown_route_method_and_bad_uuid_use_the_error_shape(client, register):
    tenant = register()
    _error(client.get("/api/nothing-here"), 404, "not_found")
    _error(client.put(f"/api/accounts/{tenant.id}", headers=tenant.headers), 405, "method_not_allowed")
    _error(client.get("/api/accounts/not-a-uuid", headers=tenant.headers), 404, "not_found")


@pytest.mark.parametrize("body, field", [
    ({"email": "a@b.co", "password": "correct horse battery"}, "name"),
    ({"name": "X", "email": "nope", "password": "correct horse battery"}, "email"),
    ({"name": "X", "email": "a@b.co", "password": "short"}, "password"),
    ({"name": "X", "email": "a@b.co", "password": "correct horse battery", "phone": "12"}, "phone"),
    ([1, 2], "body"),
])
def test_register_bad_input_is_400_naming_the_field(client, body, field):
    message = _error(client.post("/api/register", json=body), 400, "invalid_input")
    assert message.startswith(field)


def test_non_json_body_is_400(client, register):
    tenant = register()
    response = client.post(f"/api/accounts/{tenant.id}/contacts", data="phone=1",
                           headers=tenant.headers, content_type="application/x-www-form-urlencoded")
    assert _error(response, 400, "invalid_input").startswith("body")
    response = client.post(f"/api/accounts/{tenant.id}/contacts", data="{not json",
                           headers=tenant.headers, content_type="application/json")
    assert _error(response, 400, "invalid_input").startswith("body")


def test_register_shows_the_key_once(client):
    body = client.post("/api/register", json={"name": "Clínica Sorriso", "email": "c@example.com",
                                              "password": "dentes brancos"}).get_json()
    headers = {"Authorization": f"Bearer {body['api_key']['key']}"}
    keys = client.get(f"/api/accounts/{body['account']['id']}/api-keys", headers=headers).get_json()
    assert "key" not in keys["items"][0] and "key_hash" not in keys["items"][0]
    assert body["account"]["created_at"].startswith("20")  # ISO 8601


def test_duplicate_email_is_409(client, register):
    tenant = register()
    response = client.post("/api/register", json={"name": "B", "email": tenant.email,
                                                  "password": "correct horse battery"})
    _error(response, 409, "conflict")


def test_contacts_api(client, register):
    tenant = register()
    base = f"/api/accounts/{tenant.id}/contacts"
    created = client.post(base, json={"phone": "11 98888-7777", "name": "Duda", "tags": ["vip"]},
                          headers=tenant.headers)
    assert created.status_code == 201 and created.get_json()["phone"] == "5511988887777"
    contact_id = created.get_json()["id"]
    _error(client.post(base, json={"phone": "11988887777"}, headers=tenant.headers), 409, "conflict")
    _error(client.post(base, json={"phone": "lixo"}, headers=tenant.headers), 400, "invalid_input")
    patched = client.patch(f"{base}/{contact_id}", json={"name": "Maria Eduarda"}, headers=tenant.headers)
    assert patched.get_json()["name"] == "Maria Eduarda"
    listed = client.get(f"{base}?tag=vip&q=eduarda", headers=tenant.headers).get_json()
    assert [c["id"] for c in listed["items"]] == [contact_id] and listed["next_cursor"] is None
    assert client.delete(f"{base}/{contact_id}", headers=tenant.headers).status_code == 204
    _error(client.get(f"{base}/{contact_id}", headers=tenant.headers), 404, "not_found")


def test_contacts_import_multipart_and_raw_and_export(client, register):
    tenant = register()
    base = f"/api/accounts/{tenant.id}/contacts"
    upload = {"file": (io.BytesIO("phone,name\n11911112222,Ana\nxx,Bad\n".encode()), "c.csv")}
    report = client.post(f"{base}/import", data=upload, headers=tenant.headers,
                         content_type="multipart/form-data").get_json()
    assert report["created"] == 1 and report["errors"][0]["line"] == 3
    raw = "\ufeffnome;telefone\nJoão;11933334444\n".encode()
    report = client.post(f"{base}/import", data=raw, headers=tenant.headers, content_type="text/csv")
    assert report.get_json()["created"] == 1
    exported = client.get(f"{base}/export", headers=tenant.headers)
    assert exported.mimetype == "text/csv"
    assert exported.get_data(as_text=True).splitlines()[1:] == [
        "5511911112222,Ana,,false", "5511933334444,João,,false"]


def test_contacts_import_bad_encoding_and_type_are_400(client, register):
    tenant = register()
    url = f"/api/accounts/{tenant.id}/contacts/import"
    latin1 = "nome,telefone\nJoão,11933334444\n".encode("latin-1")
    message = _error(client.post(url, data=latin1, headers=tenant.headers, content_type="text/csv"),
                     400, "invalid_input")
    assert "encoding" in message
    ok = client.post(url + "?encoding=latin-1", data=latin1, headers=tenant.headers, content_type="text/csv")
    assert ok.get_json()["created"] == 1
    _error(client.post(url, json={"a": 1}, headers=tenant.headers), 400, "invalid_input")
    _error(client.post(url + "?encoding=klingon", data=latin1, headers=tenant.headers,
                       content_type="text/csv"), 400, "invalid_input")


def test_campaigns_api(client, register):
    tenant = register()
    base = f"/api/accounts/{tenant.id}/campaigns"
    created = client.post(base, json={"name": "Dia das Mães", "message": "20% off {name}",
                                      "link": "https://example.com/promo", "target_tags": ["vip"]},
                          headers=tenant.headers)
    assert created.status_code == 201 and created.get_json()["status"] == "draft"
    campaign_id = created.get_json()["id"]
    assert _error(client.post(base, json={"name": "x", "link": "javascript:alert(1)"},
                              headers=tenant.headers), 400, "invalid_input").startswith("link")
    patched = client.patch(f"{base}/{campaign_id}", json={"link": "https://example.com/maes"},
                           headers=tenant.headers).get_json()
    assert patched["link"] == "https://example.com/maes" and patched["name"] == "Dia das Mães"
    assert [c["id"] for c in client.get(base, headers=tenant.headers).get_json()["items"]] == [campaign_id]
    assert client.delete(f"{base}/{campaign_id}", headers=tenant.headers).status_code == 204
    _error(client.get(f"{base}/{campaign_id}", headers=tenant.headers), 404, "not_found")


def test_api_keys_create_and_revoke(client, register):
    tenant = register()
    base = f"/api/accounts/{tenant.id}/api-keys"
    new = client.post(base, json={"label": "site"}, headers=tenant.headers).get_json()
    new_headers = {"Authorization": f"Bearer {new['key']}"}
    assert client.get(f"/api/accounts/{tenant.id}", headers=new_headers).status_code == 200
    revoked = client.delete(f"{base}/{new['id']}", headers=tenant.headers).get_json()
    assert revoked["revoked_at"] is not None
    _error(client.get(f"/api/accounts/{tenant.id}", headers=new_headers), 401, "unauthorized")


def test_conversations_and_messages(client, register, managers):
    tenant = register()
    first = managers.conversations.record_message(tenant.id, "11977776666", "in", "Oi, tem horário?", "received")
    managers.conversations.record_message(tenant.id, "11977776666", "out", "Tem sim!", "sent")
    managers.conversations.record_message(tenant.id, "11955554444", "in", "Bom dia", "received")
    base = f"/api/accounts/{tenant.id}/conversations"
    conversations = client.get(base, headers=tenant.headers).get_json()["items"]
    assert [c["phone"] for c in conversations] == ["5511955554444", "5511977776666"]
    assert conversations[1]["unread_count"] == 1
    page = client.get(f"{base}/{first['conversation_id']}/messages?limit=1", headers=tenant.headers)
    assert [m["body"] for m in page.get_json()["items"]] == ["Oi, tem horário?"]
    cursor = page.get_json()["next_cursor"]
    rest = client.get(f"{base}/{first['conversation_id']}/messages?cursor={cursor}", headers=tenant.headers)
    assert [m["body"] for m in rest.get_json()["items"]] == ["Tem sim!"]


def test_account_cannot_change_its_own_plan(client, register, admin_headers):
    tenant = register()
    url = f"/api/accounts/{tenant.id}"
    _error(client.patch(url, json={"plan": "pro"}, headers=tenant.headers), 403, "forbidden")
    assert client.patch(url, json={"plan": "pro"}, headers=admin_headers).get_json()["plan"] == "pro"
    assert client.patch(url, json={"name": "Novo nome"}, headers=tenant.headers).status_code == 200


def test_admin_creates_and_deletes_accounts(client, admin_headers):
    created = client.post("/api/accounts", json={"name": "Telefone 1", "plan": "owner",
                                                 "phone": "11999999999"}, headers=admin_headers)
    assert created.status_code == 201 and created.get_json()["plan"] == "owner"
    url = f"/api/accounts/{created.get_json()['id']}"
    assert client.delete(url, headers=admin_headers).status_code == 204
    _error(client.get(url, headers=admin_headers), 404, "not_found")


def test_oversized_body_is_413(app, client, register):
    tenant = register()
    app.config["MAX_CONTENT_LENGTH"] = 100
    response = client.post(f"/api/accounts/{tenant.id}/contacts/import", data="x" * 500,
                           headers=tenant.headers, content_type="text/csv")
    _error(response, 413, "payload_too_large")
