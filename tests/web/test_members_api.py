"""The members API: invite (the link in the answer without SMTP, by e-mail with it), accept on the
public page, change roles, remove, list and revoke invitations; an account keeps one admin."""
from __future__ import annotations

import re

import pytest
from aiosmtpd.controller import Controller

from tests.support.clients import PASSWORD, csrf_token, english_client
from tests.support.http import free_port
from tests.web.test_signup_by_email import Inbox
from zapfleet.core.mail import Mailer


def _invite(client, tenant, email="bia@example.com", role="agent"):
    return client.post(f"/api/accounts/{tenant.id}/members", json={"email": email, "role": role},
                       headers=tenant.headers)


def _accept(app, link: str, name="Bia", password=PASSWORD):
    """Open an invitation's link in a new browser and accept it; the browser and the answer."""
    browser = english_client(app)
    path = re.sub(r"^https?://[^/]+", "", link)
    token = csrf_token(browser, path)
    return browser, browser.post(path, data={"name": name, "password": password, "csrf_token": token})


def test_an_invited_agent_accepts_and_is_listed(app, client, register):
    tenant = register("Clínica Alpha")
    response = _invite(client, tenant)
    assert response.status_code == 201
    invitation = response.get_json()
    assert (invitation["emailed"], invitation["role"], invitation["email"]) == (False, "agent", "bia@example.com")
    assert "/invite/" in invitation["link"]
    listed = client.get(f"/api/accounts/{tenant.id}/invitations", headers=tenant.headers).get_json()
    assert [i["id"] for i in listed["items"]] == [invitation["id"]] and "link" not in listed["items"][0]

    browser, accepted = _accept(app, invitation["link"])
    assert accepted.status_code == 302
    assert accepted.headers["Location"].endswith(f"/a/{tenant.id}/inbox")
    assert browser.get(f"/a/{tenant.id}/inbox").status_code == 200
    members = client.get(f"/api/accounts/{tenant.id}/members", headers=tenant.headers).get_json()["items"]
    assert [(m["email"], m["role"], m["name"]) for m in members] == [
        (tenant.email, "admin", ""), ("bia@example.com", "agent", "Bia")]
    assert client.get(f"/api/accounts/{tenant.id}/invitations", headers=tenant.headers).get_json() == {"items": []}
    assert english_client(app).get(re.sub(r"^https?://[^/]+", "", invitation["link"])).status_code == 404


def test_a_renewed_link_replaces_the_old_and_a_revoked_one_stops(app, client, register):
    tenant = register()
    first = _invite(client, tenant).get_json()
    renewed = client.post(f"/api/accounts/{tenant.id}/invitations/{first['id']}/renew",
                          headers=tenant.headers)
    assert renewed.status_code == 200 and renewed.get_json()["link"] != first["link"]
    visitor = english_client(app)
    assert visitor.get(re.sub(r"^https?://[^/]+", "", first["link"])).status_code == 404
    new_id = renewed.get_json()["id"]
    assert client.delete(f"/api/accounts/{tenant.id}/invitations/{new_id}",
                         headers=tenant.headers).status_code == 204
    assert visitor.get(re.sub(r"^https?://[^/]+", "", renewed.get_json()["link"])).status_code == 404
    again = client.delete(f"/api/accounts/{tenant.id}/invitations/{new_id}", headers=tenant.headers)
    assert again.status_code == 404 and again.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(("body", "field"), [
    ({"email": "not an address"}, "email"), ({"email": "bia@example.com", "role": "owner"}, "role"),
    ({}, "email"), ({"email": None}, "email")])
def test_bad_invitations_are_400_naming_the_field(client, register, body, field):
    tenant = register()
    response = client.post(f"/api/accounts/{tenant.id}/members", json=body, headers=tenant.headers)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_input" and error["message"].startswith(f"{field}:")


def test_an_address_with_an_account_is_409(client, register):
    tenant, other = register(), register()
    response = _invite(client, tenant, other.email)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "conflict"


def test_roles_change_and_the_last_admin_stays(app, client, register):
    tenant = register()
    _accept(app, _invite(client, tenant).get_json()["link"])
    members = client.get(f"/api/accounts/{tenant.id}/members", headers=tenant.headers).get_json()["items"]
    owner, bia = members[0]["id"], members[1]["id"]
    base = f"/api/accounts/{tenant.id}/members"

    for response in (client.patch(f"{base}/{owner}", json={"role": "agent"}, headers=tenant.headers),
                     client.delete(f"{base}/{owner}", headers=tenant.headers)):
        assert response.status_code == 409
        assert "at least one admin" in response.get_json()["error"]["message"]
    bad = client.patch(f"{base}/{bia}", json={"role": "boss"}, headers=tenant.headers)
    assert bad.status_code == 400 and bad.get_json()["error"]["message"].startswith("role:")

    promoted = client.patch(f"{base}/{bia}", json={"role": "admin"}, headers=tenant.headers)
    assert promoted.status_code == 200 and promoted.get_json()["role"] == "admin"
    assert client.delete(f"{base}/{bia}", headers=tenant.headers).status_code == 204
    assert client.delete(f"{base}/{bia}", headers=tenant.headers).status_code == 404
    assert [m["id"] for m in client.get(base, headers=tenant.headers).get_json()["items"]] == [owner]


def test_another_accounts_admin_gets_404_on_the_member_routes(app, client, register):
    tenant, intruder = register("Alpha"), register("Beta")
    invitation = _invite(client, tenant).get_json()
    owner = client.get(f"/api/accounts/{tenant.id}/members", headers=tenant.headers).get_json()["items"][0]
    base = f"/api/accounts/{tenant.id}"
    calls = [("GET", f"{base}/members"), ("POST", f"{base}/members"),
             ("PATCH", f"{base}/members/{owner['id']}"), ("DELETE", f"{base}/members/{owner['id']}"),
             ("GET", f"{base}/invitations"), ("POST", f"{base}/invitations/{invitation['id']}/renew"),
             ("DELETE", f"{base}/invitations/{invitation['id']}")]
    for method, path in calls:
        response = client.open(path, method=method, json={"email": "x@example.com", "role": "admin"},
                               headers=intruder.headers)
        assert response.status_code == 404, (method, path)
        assert response.get_json()["error"]["code"] == "not_found"
    assert len(client.get(f"{base}/invitations", headers=tenant.headers).get_json()["items"]) == 1


@pytest.fixture
def smtp():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


def test_with_smtp_the_link_is_emailed_and_not_answered(app, managers, smtp, register, client):
    mail, port = smtp
    managers.members.mailer = Mailer(f"smtp://127.0.0.1:{port}", "zapfleet <no-reply@example.com>")
    tenant = register("Salão Bela")
    response = _invite(client, tenant, "ana@example.com", "admin")
    assert response.status_code == 201
    assert (response.get_json()["emailed"], response.get_json()["link"]) == (True, None)
    message = mail.last("ana@example.com")
    assert "Salão Bela" in message["Subject"]
    link = re.search(r"(http\S+/invite/\S+)", message.get_content()).group(1)
    browser, accepted = _accept(app, link, "Ana")
    assert accepted.status_code == 302 and accepted.headers["Location"].endswith(f"/a/{tenant.id}/")
