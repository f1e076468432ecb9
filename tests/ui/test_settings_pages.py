"""The settings page: account details, webhook and its delivery log, API keys, the worker log."""
from __future__ import annotations

import html
import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from tests.support.clients import english_client, PASSWORD, bearer, csrf_token as _csrf, sign_in
from web import create_app
from zapfleet.db import instances as instances_sql
from zapfleet.db import webhooks as webhooks_sql
from zapfleet.messaging.webhooks import WebhookManager


def _member(managers, client, name: str = "Clínica Sorriso", phone: str | None = None) -> dict:
    """Register a business and sign its user in on this client; the account."""
    data = {"name": name, "email": f"{uuid.uuid4().hex[:8]}@example.com", "password": PASSWORD}
    if phone:
        data["phone"] = phone
    created = managers.accounts.register_customer(data, with_api_key=False)
    assert sign_in(client, data["email"]).status_code == 302
    return {**created["account"], "id": str(created["account"]["id"])}


def _post(client, account: dict, path: str, data: dict | None = None, **kwargs):
    base = f"/a/{account['id']}/settings"
    return client.post(base + path, data={**(data or {}), "csrf_token": _csrf(client, base)},
                       **kwargs)


def _session(app, client) -> dict:
    """What the signed session cookie holds (it is signed, not encrypted: readable by anyone)."""
    cookie = client.get_cookie("session")
    return app.session_interface.get_signing_serializer(app).loads(cookie.value) if cookie else {}


def _once_value(page: str, element_id: str) -> str:
    return html.unescape(re.search(rf'id="{element_id}" type="text" value="([^"]+)"', page).group(1))


@pytest.fixture
def member(managers, client):
    return _member(managers, client, phone="11 98888-7777")


def test_the_page_shows_the_account_and_what_to_do_next(client, member):
    response = client.get(f"/a/{member['id']}/settings")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Clínica Sorriso"' in page and 'value="5511988887777"' in page
    assert ">Free<" in page and member["id"] in page
    assert "No webhook yet" in page and "No deliveries yet. Add a webhook above" in page
    assert "No API keys yet" in page
    assert "Nothing yet: the history starts when you connect your WhatsApp." in page
    assert f'href="/a/{member["id"]}/"' in page and "Worker log" not in page  # the platform admin's


def test_a_member_changes_name_and_phone_but_never_the_plan(client, member, managers):
    response = _post(client, member, "/account", {"name": " Clínica Nova ", "phone": "21 97777-6666",
                                                  "plan": "pro", "status": "suspended"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/settings#account")
    account = managers.accounts.get_account(member["id"])
    assert (account["name"], account["phone"]) == ("Clínica Nova", "5521977776666")
    assert (account["plan"], account["status"]) == ("free", "active")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The account details were saved." in page and ">Clínica Nova<" in page


def test_a_bad_phone_or_empty_name_is_shown_at_its_field(client, member, managers):
    response = _post(client, member, "/account", {"name": "Clínica", "phone": "12"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="s-phone"[^>]*aria-invalid="true"', page)
    assert re.search(r'class="field-error" id="s-phone-note">[^<]+<', page)
    assert 'value="12"' in page  # what the user typed comes back
    response = _post(client, member, "/account", {"name": "  ", "phone": ""})
    assert response.status_code == 400
    assert 'class="field-error" id="s-name-note">must not be empty<' in response.get_data(as_text=True)
    assert managers.accounts.get_account(member["id"])["name"] == "Clínica Sorriso"


def test_a_bad_webhook_url_is_shown_at_the_url_field(client, member):
    response = _post(client, member, "/webhook", {"url": "ftp://files.example.com/in",
                                                  "events": ["qr"], "enabled": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'role="alert">URL: must be an http:// or https:// URL<' in page
    assert re.search(r'id="s-url"[^>]*aria-invalid="true"', page)
    assert 'id="s-url-note">must be an http:// or https:// URL<' in page
    assert 'value="ftp://files.example.com/in"' in page and "No webhook yet" in page
    response = _post(client, member, "/webhook", {"url": "https://crm.example.com/hook"})
    assert response.status_code == 400
    assert 'id="s-events-note">must be a non-empty list of' in response.get_data(as_text=True)


def test_the_webhook_secret_is_shown_once_and_never_echoed(app, client, member, clean_db):
    response = _post(client, member, "/webhook", {"url": "https://crm.example.com/hook",
                                                  "events": ["message.received", "qr"], "enabled": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    with clean_db.tenant(uuid.UUID(member["id"])) as conn:
        stored = webhooks_sql.get_webhook(conn, member["id"])
    assert _once_value(page, "new-secret") == stored["secret"]
    assert "Copy it now: it will not be shown again." in page
    assert stored["events"] == ["message.received", "qr"] and stored["enabled"] is True
    assert stored["secret"] not in str(_session(app, client))

    page = client.get(f"/a/{member['id']}/settings").get_data(as_text=True)
    assert stored["secret"] not in page and 'id="new-secret"' not in page
    assert "Signing secret: set (starts with " + stored["secret"][:10] in page
    assert 'value="https://crm.example.com/hook"' in page
    assert re.search(r'value="qr"\s+checked', page) and not re.search(r'value="connection"\s+checked', page)

    response = _post(client, member, "/webhook", {"url": "https://crm.example.com/v2",
                                                  "events": ["connection"]})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The webhook was saved." in page and stored["secret"] not in page
    assert ">Off<" in page  # "enabled" was not ticked

    response = _post(client, member, "/webhook", {"url": "https://crm.example.com/v2",
                                                  "events": ["connection"], "rotate_secret": "1"})
    rotated = _once_value(response.get_data(as_text=True), "new-secret")
    assert response.status_code == 200 and rotated.startswith("whsec_") and rotated != stored["secret"]
    assert rotated not in str(_session(app, client))
    assert rotated not in client.get(f"/a/{member['id']}/settings").get_data(as_text=True)


def test_removing_the_webhook(client, member):
    _post(client, member, "/webhook", {"url": "https://crm.example.com/hook", "events": ["qr"]})
    response = _post(client, member, "/webhook/delete")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The webhook was removed" in page and "No webhook yet" in page
    response = _post(client, member, "/webhook/delete")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "this account has no webhook" in page


def _deliveries(db, account_id: str, count: int) -> list[uuid.UUID]:
    """Queue `count` deliveries for the account's webhook; their ids, oldest first."""
    ids = [uuid.uuid4() for _ in range(count)]
    with db.tenant(uuid.UUID(account_id)) as conn:
        for n, delivery_id in enumerate(ids):
            WebhookManager.enqueue(conn, account_id, "message.received",
                                   {"text": f"<b>message {n}</b>"}, delivery_id)
            with conn.cursor() as cur:  # distinct times, so the order is certain
                cur.execute("UPDATE webhook_deliveries SET created_at = now() - %s * interval '1 minute'"
                            " WHERE id = %s", (count - n, delivery_id))
    return ids


def test_the_delivery_log_lists_each_attempts_outcome(client, member, clean_db):
    _post(client, member, "/webhook", {"url": "https://crm.example.com/hook",
                                       "events": ["message.received"], "enabled": "1"})
    ok, bad, waiting = _deliveries(clean_db, member["id"], 3)
    with clean_db.system() as conn:
        webhooks_sql.finish_delivery(conn, ok, "delivered", 200, None, None)
        webhooks_sql.finish_delivery(conn, bad, "failed", 500, "answered HTTP 500", None)
        webhooks_sql.finish_delivery(conn, waiting, "pending", None,
                                     "ConnectionError: could not reach the webhook URL",
                                     datetime.now(timezone.utc) + timedelta(minutes=5))
    page = client.get(f"/a/{member['id']}/settings").get_data(as_text=True)
    rows = re.findall(r'<tr data-delivery="([^"]+)">(.*?)</tr>', page, re.S)
    assert [row[0] for row in rows] == [str(waiting), str(bad), str(ok)]  # newest first
    assert ">Retrying<" in rows[0][1] and "next try" in rows[0][1] and "could not reach" in rows[0][1]
    assert ">Failed<" in rows[1][1] and "HTTP 500" in rows[1][1]
    assert ">Delivered<" in rows[2][1] and "HTTP 200" in rows[2][1]
    assert "<b>message" not in page and "\\u003cb\\u003emessage 0" in page  # payloads are escaped


def test_the_delivery_log_pages_back(client, member, clean_db):
    _post(client, member, "/webhook", {"url": "https://crm.example.com/hook",
                                       "events": ["message.received"], "enabled": "1"})
    ids = _deliveries(clean_db, member["id"], 23)
    page = client.get(f"/a/{member['id']}/settings").get_data(as_text=True)
    shown = re.findall(r'<tr data-delivery="([^"]+)">', page)
    assert shown == [str(i) for i in reversed(ids[3:])]
    older = html.unescape(re.search(r'href="([^"]+)">Older deliveries<', page).group(1))
    page = client.get(older).get_data(as_text=True)
    assert re.findall(r'<tr data-delivery="([^"]+)">', page) == [str(i) for i in reversed(ids[:3])]
    assert "Older deliveries" not in page and "Newest deliveries" in page


def test_an_api_key_is_shown_once_works_on_the_api_and_stops_when_revoked(app, client, member):
    response = _post(client, member, "/api-keys", {"label": "n8n"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    key = _once_value(page, "new-key")
    assert "Copy it now: it will not be shown again." in page and "Your new API key “n8n”" in page
    assert key not in str(_session(app, client)) and key not in response.headers.get("Set-Cookie", "")

    api = client.get(f"/api/accounts/{member['id']}", headers=bearer(key))
    assert api.status_code == 200 and api.get_json()["name"] == "Clínica Sorriso"

    page = client.get(f"/a/{member['id']}/settings").get_data(as_text=True)
    assert key not in page and 'id="new-key"' not in page
    prefix = "_".join(key.split("_")[:2])
    row = re.search(r'<tr data-key="([^"]+)">(.*?)</tr>', page, re.S)
    assert "n8n" in row.group(2) and f"{prefix}_…" in row.group(2) and ">Active<" in row.group(2)
    assert ">never<" not in row.group(2)  # the API call above used it

    response = _post(client, member, f"/api-keys/{row.group(1)}/revoke")
    assert response.status_code == 302 and response.headers["Location"].endswith("#api-keys")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"The key {prefix}… was revoked" in page and "Revoked " in page
    assert ">Revoke<" not in page
    api = client.get(f"/api/accounts/{member['id']}", headers=bearer(key))
    assert api.status_code == 401 and api.get_json()["error"]["code"] == "unauthorized"


def test_a_too_long_key_label_is_shown_at_its_field(client, member, managers):
    response = _post(client, member, "/api-keys", {"label": "x" * 101})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="new-key"' not in page
    assert 'id="s-label-note">must be at most 100 characters<' in page
    assert managers.identity.list_api_keys(member["id"]) == []


@pytest.fixture
def log_app(config, clean_db, identity, tmp_path):
    """The app with its own var/ directory, so a worker's log file can be written by the test."""
    return create_app(config.with_overrides(var_dir=tmp_path), db=clean_db, identity=identity)


def test_the_worker_log_tail_is_shown_escaped_to_the_platform_admin_only(log_app, managers, clean_db):
    customer = english_client(log_app)
    account = _member(managers, customer)
    with clean_db.system() as conn:
        instance = instances_sql.insert_instance(conn, account["id"], "clinica_whatsapp", 5999, "sandbox")
    instances = log_app.extensions["zapfleet"].instances
    managers.identity.create_user("owner@example.com", PASSWORD, None)
    client = english_client(log_app)
    assert sign_in(client, "owner@example.com").status_code == 302
    page = client.get(f"/a/{account['id']}/settings").get_data(as_text=True)
    assert "The log is empty so far." in page and "No WhatsApp worker yet" in page  # hidden one
    assert re.search(r'data-no-worker\s+hidden', page)

    log_file = instances.program_for(instance).log_file
    log_file.parent.mkdir(parents=True, exist_ok=True)
    log_file.write_text("".join(f"line {n}\n" for n in range(300)) + "<script>alert(1)</script>\n")
    page = client.get(f"/a/{account['id']}/settings").get_data(as_text=True)
    shown = re.search(r'<pre class="log" data-log tabindex="0" role="region" aria-label="[^"]*" >(.*?)</pre>',
                      page, re.S).group(1)
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert "line 101\n" in shown and "line 100\n" not in shown  # the last 200 lines

    data = client.get(f"/a/{account['id']}/settings/log.json").get_json()
    assert data["has_worker"] is True and data["log"].endswith("<script>alert(1)</script>\n")
    page = customer.get(f"/a/{account['id']}/settings").get_data(as_text=True)
    assert "Connection history" in page and "Worker log" not in page and "line 299" not in page
    assert customer.get(f"/a/{account['id']}/settings/log.json").status_code == 404


def test_without_a_worker_the_log_json_says_so(client, member, managers):
    managers.identity.create_user("owner@example.com", PASSWORD, None)
    assert sign_in(client, "owner@example.com").status_code == 302
    assert client.get(f"/a/{member['id']}/settings/log.json").get_json() == {"has_worker": False,
                                                                           "log": ""}


def test_another_accounts_user_gets_404_on_every_settings_route(app, client, managers):
    other = managers.accounts.register_customer({"name": "Academia Forte", "email": "bia@example.com",
                                       "password": PASSWORD})
    other_id, other_key = other["account"]["id"], other["api_key"]
    mine = _member(managers, client)
    base = f"/a/{other_id}/settings"
    token = _csrf(client, f"/a/{mine['id']}/settings")
    assert client.get(base).status_code == 404
    assert "Page not found" in client.get(base).get_data(as_text=True)
    for path, data in (("/account", {"name": "Hacked"}), ("/webhook", {"url": "https://evil.example.com",
                       "events": ["qr"]}), ("/webhook/delete", {}), ("/api-keys", {"label": "x"}),
                       (f"/api-keys/{other_key['id']}/revoke", {})):
        assert client.post(base + path, data={**data, "csrf_token": token}).status_code == 404, path
    response = client.get(base + "/log.json")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    # nor through this account's own URL with the other account's key id
    response = client.post(f"/a/{mine['id']}/settings/api-keys/{other_key['id']}/revoke",
                           data={"csrf_token": token})
    assert response.status_code == 404
    assert managers.accounts.get_account(other_id)["name"] == "Academia Forte"
    assert managers.identity.list_api_keys(other_id)[0]["revoked_at"] is None
    assert client.get(f"/api/accounts/{other_id}", headers=bearer(other_key["key"])).status_code == 200


def test_the_platform_admin_opens_any_accounts_settings(client, managers):
    account = managers.accounts.create_account({"name": "Barbearia Zé"})
    managers.identity.create_user("owner@example.com", PASSWORD, None)
    client.post("/login", data={"email": "owner@example.com", "password": PASSWORD,
                                "csrf_token": _csrf(client, "/login")})
    page = client.get(f"/a/{account['id']}/settings").get_data(as_text=True)
    assert 'value="Barbearia Zé"' in page


def test_in_the_browser_a_key_is_created_seen_once_and_revoked(ui):
    page = ui.page()
    ui.sign_up(page, "Salão Bela")
    account_id = re.search(r"/a/([0-9a-f-]{36})/", page.url).group(1)
    ui.app.extensions["zapfleet"].instances.connect(uuid.UUID(account_id))
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Settings", level=1)).to_be_visible()
    expect(page.get_by_text("No API keys yet")).to_be_visible()

    page.get_by_label("Webhook URL").fill("https://crm.example.com/zapfleet")
    page.get_by_role("button", name="Add webhook").click()
    expect(page.get_by_text("Copy it now: it will not be shown again.")).to_be_visible()
    expect(page.get_by_label("Webhook signing secret")).to_have_value(re.compile(r"^whsec_"))

    page.get_by_label("Label (what the key is for)").fill("n8n")
    page.get_by_role("button", name="Create API key").click()
    shown = page.get_by_label("New API key")
    expect(shown).to_have_value(re.compile(r"^zf_"))
    expect(page.get_by_label("Webhook signing secret")).to_have_count(0)
    key = shown.input_value()
    assert page.request.get(f"/api/accounts/{account_id}", headers=bearer(key)).status == 200
    ui.shot(page, "settings-new-key")

    page.get_by_role("link", name="Settings").click()  # seen once: gone on the next visit
    expect(page.get_by_label("New API key")).to_have_count(0)
    assert key not in page.content()
    row = page.locator("tr[data-key]").filter(has_text="n8n")
    expect(row.get_by_text("Active")).to_be_visible()

    history = page.locator("#connection-history")  # the customer's: no worker log
    expect(history.get_by_text("QR code shown, waiting for the scan")).to_be_visible()
    expect(page.locator("pre.log")).to_have_count(0)
    ui.shot(page, "settings")

    page.once("dialog", lambda dialog: dialog.accept())
    expect(row.get_by_role("button", name="Revoke")).to_be_hidden()  # apart, in "More actions"
    row.get_by_text("More actions").click()
    row.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("was revoked: it stops working within 5 seconds")).to_be_visible()
    expect(row.get_by_text("Revoked")).to_be_visible()
    assert page.request.get(f"/api/accounts/{account_id}", headers=bearer(key)).status == 401

    phone = ui.page(width=390, height=844)
    ui.sign_in(phone, page.locator(".usermenu .muted").inner_text())
    phone.goto(f"/a/{account_id}/settings")
    expect(phone.get_by_role("heading", name="Connection history")).to_be_visible()
    print("OVERFLOW", phone.evaluate("""() => [...document.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > 392).slice(0,25).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""))
    ui.shot(phone, "settings-phone")
