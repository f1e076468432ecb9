"""Two registered accounts cannot read, change or delete each other's data through any route:
API routes with the other account's key, pages with the other account's signed-in user."""
import io
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.clients import csrf_token, signed_in
from tests.support.files import PNG

METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")
BODY = {"name": "intruder", "phone": "5511988887777", "label": "intruder", "message": "x"}


@pytest.fixture
def victim(app, register, managers):
    """Account A with one of every kind of resource, and the ids to reach them."""
    tenant = register("Clínica Alpha")
    contact = managers.contacts.create_contact(tenant.id, {"phone": "11 98888-0001", "name": "Ana"})
    message = managers.conversations.record_message(tenant.id, contact["phone"], "in", "Olá!", "received")
    campaign = managers.campaigns.create_campaign(tenant.id, {"name": "Black Friday"})
    key, _ = managers.identity.issue_api_key(tenant.id, "spare")
    later = datetime.now(timezone.utc) + timedelta(days=30)
    book = app.extensions["zapfleet"].appointments
    service = app.extensions["zapfleet"].catalog.create_service(tenant.id, {"name": "Limpeza", "duration_minutes": 30})
    appointment = book.create_appointment(tenant.id, {
        "contact_id": str(contact["id"]), "service_id": str(service["id"]),
        "starts_at": later.isoformat(), "notify": False})
    media = managers.media.store(tenant.id, io.BytesIO(PNG), "image/png", "logo.png")
    scheduled, _ = app.extensions["zapfleet"].outbox.send(tenant.id, {
        "phone": contact["phone"], "message": "Feliz ano novo", "send_at": later.isoformat()})
    note = managers.inbox.add_note(tenant.id, message["conversation_id"], {"body": "VIP"})
    quick = managers.inbox.add_quick_reply(tenant.id, {"shortcut": "oi", "body": "Olá, {nome}!"})
    [owner] = managers.members.list_members(tenant.id)
    invitation = managers.members.invite(tenant.id, {"email": "bia@example.com"}, None, str)
    ids = {"account_id": tenant.id, "contact_id": str(contact["id"]),
           "note_id": str(note["id"]), "reply_id": str(quick["id"]),
           "conversation_id": str(message["conversation_id"]),
           "campaign_id": str(campaign["id"]), "key_id": str(key["id"]),
           "service_id": str(service["id"]), "appointment_id": str(appointment["id"]),
           "message_id": str(scheduled["id"]), "media_id": str(media["id"]),
           "user_id": str(owner["id"]), "invitation_id": str(invitation["id"])}
    return tenant, ids


SIGNED_LINKS = ("media.signed_media",)
"""Routes that take no credentials: their signature is the capability (tests/web/test_media_live.py)."""


def _account_routes(app):
    for rule in app.url_map.iter_rules():
        if "account_id" in rule.arguments and rule.endpoint not in SIGNED_LINKS:
            for method in sorted(rule.methods & set(METHODS)):
                yield rule, method


def _url(app, rule, ids):
    """The rule's URL for these ids (a choice such as a dashboard button takes its first value)."""
    values = {name: ids[name] for name in rule.arguments if name in ids}
    for name in rule.arguments - ids.keys():
        choices = getattr(rule._converters[name], "items", None)
        assert choices, f"add a resource for {name} to the victim fixture"
        values[name] = sorted(choices)[0]
    return app.url_map.bind("localhost").build(rule.endpoint, values, method=None)


def _call(app, client, rule, method, ids, headers):
    return client.open(_url(app, rule, ids), method=method, json=BODY, headers=headers)


def _is_page(rule) -> bool:
    return rule.endpoint.startswith("ui_")


def _assert_not_found(response, method, rule):
    assert response.status_code == 404, (method, rule.rule, response.get_data(as_text=True)[:300])
    if response.is_json:
        assert response.get_json()["error"]["code"] == "not_found"


def test_routes_with_account_id_exist(app):
    assert len(list(_account_routes(app))) >= 15


@pytest.fixture
def intruder(app, register):
    """Another account: its API key headers, and its user's session with a CSRF token."""
    tenant = register("Academia Beta")
    browser = signed_in(app, tenant.email)
    page_headers = {"X-CSRFToken": csrf_token(browser, "/password")}
    return tenant, browser, page_headers


def _as_intruder(app, client, intruder, rule, method, ids):
    """The call an intruder makes: its key for API routes, its session for pages."""
    tenant, browser, page_headers = intruder
    if _is_page(rule):
        return _call(app, browser, rule, method, ids, page_headers)
    return _call(app, client, rule, method, ids, tenant.headers)


def test_other_accounts_credentials_get_404_on_every_account_route(app, client, intruder, victim):
    tenant, ids = victim
    for rule, method in _account_routes(app):
        response = _as_intruder(app, client, intruder, rule, method, ids)
        _assert_not_found(response, method, rule)
    _assert_untouched(client, tenant, ids)


def test_own_account_id_with_other_accounts_resource_ids_is_404(app, client, intruder, victim):
    tenant, ids = victim
    own = {**ids, "account_id": intruder[0].id}
    for rule, method in _account_routes(app):
        if len([name for name in rule.arguments if name.endswith("_id")]) > 1:
            response = _as_intruder(app, client, intruder, rule, method, own)
            _assert_not_found(response, method, rule)
    _assert_untouched(client, tenant, ids)


def test_pages_are_walked_too(app):
    assert any(_is_page(rule) for rule, _method in _account_routes(app))


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
    conversation = client.get(f"{base}/conversations/{ids['conversation_id']}", headers=tenant.headers)
    assert (conversation.get_json()["status"], conversation.get_json()["labels"]) == ("open", [])
    notes = client.get(f"{base}/conversations/{ids['conversation_id']}/notes", headers=tenant.headers)
    assert [n["body"] for n in notes.get_json()["items"]] == ["VIP"]
    quick = client.get(f"{base}/quick-replies", headers=tenant.headers).get_json()["items"]
    assert [(q["shortcut"], q["body"]) for q in quick] == [("oi", "Olá, {nome}!")]
    appointment = client.get(f"{base}/appointments/{ids['appointment_id']}", headers=tenant.headers)
    assert appointment.get_json()["status"] == "scheduled"
    services = client.get(f"{base}/services", headers=tenant.headers).get_json()["items"]
    assert [s["name"] for s in services] == ["Limpeza"]
    settings = client.get(f"{base}/settings", headers=tenant.headers).get_json()["settings"]
    assert settings["booking_bot"] is False
    members = client.get(f"{base}/members", headers=tenant.headers).get_json()["items"]
    assert [(m["id"], m["role"]) for m in members] == [(ids["user_id"], "admin")]
    invitations = client.get(f"{base}/invitations", headers=tenant.headers).get_json()["items"]
    assert [i["id"] for i in invitations] == [ids["invitation_id"]]


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


def test_the_instance_history_is_the_accounts_own(client, register, clean_db):
    """The walk above meets an account without an instance (404 for everyone): here the victim
    has one with a history, which only its own key reads."""
    from zapfleet.db import instances as instances_sql
    from zapfleet.db import nodes as nodes_sql

    victim, intruder = register("Clínica Alpha"), register("Academia Beta")
    with clean_db.system() as conn:
        node = nodes_sql.register_node(conn, "n1", "10.0.0.1", 7000, 100, 20, 0, 1)
        row = instances_sql.insert_instance(conn, victim.id, "alpha_whatsapp", 7000, "sandbox",
                                            node_id=node["id"])
        nodes_sql.add_history(conn, row["id"], victim.id, "placed", None, "n1", "first placement")
    url = f"/api/accounts/{victim.id}/whatsapp/history"
    assert [i["to_node"] for i in client.get(url, headers=victim.headers).get_json()["items"]] == ["n1"]
    response = client.get(url, headers=intruder.headers)
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert "n1" not in response.get_data(as_text=True)
