"""The WhatsApp connect page and the sandbox phone page: server-side, then in the browser."""
from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.support.clients import PASSWORD, csrf_token as csrf, signed_in
from zapfleet.db import instances as instances_sql

SCAN_LINK = "http://127.0.0.1:8000/sandbox/scan/{}.secret-token"


def customer(managers, name: str, email: str) -> str:
    created = managers.accounts.register_customer({"name": name, "email": email, "password": PASSWORD},
                                        with_api_key=False)
    return str(created["account"]["id"])


@pytest.fixture
def salon(app, managers):
    """An account with a signed-in member: (account id, client)."""
    account = customer(managers, "Salão Bela", "bela@example.com")
    return account, signed_in(app, "bela@example.com")


@pytest.fixture
def rival(app, managers):
    """Another account's signed-in member."""
    customer(managers, "Salão Rival", "rival@example.com")
    return signed_in(app, "rival@example.com")


def instance(db, account: str, engine: str = "sandbox", **observed) -> dict:
    """An instance row with what a worker would have reported (no worker runs)."""
    with db.system() as conn:
        row = instances_sql.insert_instance(conn, account, "salao-bela_whatsapp", 29999, engine)
        if observed:
            row = instances_sql.update_observed(conn, row["id"], **observed)
    return row


def test_without_an_instance_the_page_offers_to_connect(salon):
    account, client = salon
    html = client.get(f"/a/{account}/").get_data(as_text=True)
    assert "not connected" in html and "Connect WhatsApp" in html
    assert 'id="wa-logout"' in html and re.search(r'id="wa-logout"[^>]*hidden', html, re.S)
    assert client.get(f"/a/{account}/whatsapp.json").get_json() == {
        "exists": False, "status": "none", "status_label": "not connected", "sandbox": False,
        "phone": "", "qr_version": None, "qr_link": None, "error": None, "show_error": False,
        "until": None, "engine": None, "pairing": False}


def test_a_sandbox_instance_waiting_for_the_scan_shows_its_qr_and_the_qr_link(salon, clean_db):
    account, client = salon
    row = instance(clean_db, account, status="waiting_qr", qr_code=SCAN_LINK.format("x"))
    html = client.get(f"/a/{account}/").get_data(as_text=True)
    assert "waiting for the QR scan" in html and ">sandbox<" in html
    assert f'href="{SCAN_LINK.format("x")}"' in html and "Reconnect" in html
    status = client.get(f"/a/{account}/whatsapp.json").get_json()
    assert status["qr_link"] == SCAN_LINK.format("x") and status["qr_version"]
    with clean_db.system() as conn:
        instances_sql.update_observed(conn, row["id"], status="connected", qr_code=None,
                                      phone="5500123456789")
    status = client.get(f"/a/{account}/whatsapp.json").get_json()
    assert (status["status"], status["phone"], status["qr_version"]) == (
        "connected", "+55 00 12345-6789", None)


def test_a_real_phone_account_has_no_sandbox_phone_page_or_menu_link(salon, clean_db):
    account, client = salon
    assert "Sandbox phone</a>" in client.get(f"/a/{account}/").get_data(as_text=True)
    instance(clean_db, account, engine="whatsmeow", status="connected")
    html = client.get(f"/a/{account}/sandbox-phone").get_data(as_text=True)
    assert "has no sandbox phone" in html and "Write as a customer" not in html
    assert "Sandbox phone</a>" not in client.get(f"/a/{account}/").get_data(as_text=True)


def test_writing_as_a_customer_reports_the_fields_error_and_a_missing_instance(salon):
    account, client = salon
    page = f"/a/{account}/sandbox-phone"
    empty = client.post(page + "/write", data={"phone": "11 98765-4321", "message": " ",
                                               "csrf_token": csrf(client, page)})
    assert empty.status_code == 400
    assert "Message: must be a non-empty string" in empty.get_data(as_text=True)
    unlinked = client.post(page + "/write", data={"phone": "11 98765-4321", "message": "Oi",
                                                  "csrf_token": csrf(client, page)})
    assert unlinked.status_code == 404
    assert "this account has no WhatsApp instance" in unlinked.get_data(as_text=True)


def test_linking_without_a_qr_says_what_to_do(salon):
    account, client = salon
    page = f"/a/{account}/sandbox-phone"
    response = client.post(page + "/link", data={"csrf_token": csrf(client, page)},
                           follow_redirects=True)
    assert "press “Connect WhatsApp” first" in response.get_data(as_text=True)


def test_the_sandbox_chat_of_a_phone_without_messages_is_empty(salon):
    account, client = salon
    html = client.get(f"/a/{account}/sandbox-phone?phone=11987654321").get_data(as_text=True)
    assert "Chat of +55 11 98765-4321" in html and "No messages yet" in html
    answer = client.get(f"/a/{account}/sandbox-phone/thread.json?phone=5511987654321")
    assert answer.get_json() == {"messages": []}


@pytest.mark.parametrize("method, path", [
    ("GET", "/"), ("GET", "/whatsapp/qr.png"), ("POST", "/whatsapp/connect"),
    ("POST", "/whatsapp/logout"), ("GET", "/sandbox-phone"), ("POST", "/sandbox-phone/link"),
    ("POST", "/sandbox-phone/write"),
])
def test_another_accounts_member_gets_a_404_page(salon, rival, method, path):
    account, _ = salon
    token = csrf(rival, "/password")
    response = rival.open(f"/a/{account}{path}", method=method,
                          data={"csrf_token": token, "phone": "5511987654321", "message": "x"})
    assert response.status_code == 404 and response.mimetype == "text/html"


@pytest.mark.parametrize("path", ["/whatsapp.json", "/sandbox-phone/thread.json?phone=5511987654321"])
def test_another_accounts_member_gets_a_json_404(salon, rival, path):
    account, _ = salon
    response = rival.get(f"/a/{account}{path}")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_connect_then_open_the_qr_link_turns_the_badge_connected_without_a_reload(ui):
    page = ui.page()
    ui.sign_up(page, "Salão Bela")
    expect(page.locator("#wa-status")).to_have_text("not connected")
    page.get_by_role("button", name="Connect WhatsApp").click()
    expect(page.locator("#wa-status")).to_have_text("waiting for the QR scan")
    expect(page.get_by_role("img", name="QR code to link WhatsApp")).to_be_visible()
    expect(page.locator("#wa-sandbox")).to_be_visible()
    page.wait_for_function("document.getElementById('wa-qr-img').naturalWidth > 0")
    ui.shot(page, "workspace-connect-qr")
    page.evaluate("window.notReloaded = true")
    link = page.get_by_role("link", name="Open the QR code’s link").get_attribute("href")
    scanner = page.context.new_page()  # the phone's camera opens the QR's link
    scanner.goto(link)
    expect(scanner.get_by_role("heading", name="Sandbox phone linked")).to_be_visible()
    expect(scanner.locator("#linked-to")).to_have_text(re.compile(
        r"^The test WhatsApp of Salão Bela is now connected to the number \+55 00 \d{5}-\d{4}\.$"))
    account_id = page.url.rstrip("/").rsplit("/", 1)[1]
    internal = ui.managers.instances.find(uuid.UUID(account_id))["instance_name"]
    assert internal not in scanner.content()  # never the internal instance name
    expect(page.locator("#wa-status")).to_have_text("connected", timeout=2000)
    expect(page.locator("#wa-qr")).to_be_hidden()
    expect(page.locator("#wa-phone")).to_have_text(re.compile(r"^\+55 00 \d{5}-\d{4}$"))
    assert page.evaluate("window.notReloaded") is True
    ui.shot(page, "workspace-connected")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Log out of WhatsApp").click()
    expect(page.get_by_text("The phone was unlinked")).to_be_visible()
    expect(page.locator("#wa-status")).to_have_text("waiting for the QR scan")
    expect(page.get_by_role("img", name="QR code to link WhatsApp")).to_be_visible()
