"""Rough edges of the pages, in a real browser: the services' order, the time-zone picker, a new
API key at the top, starting a stopped WhatsApp, the sandbox phone's chat after a reload, and
destructive buttons kept apart in "More actions"."""
from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.support.clients import PASSWORD, signed_in
from tests.support.clients import csrf_token as csrf
from tests.support.pages import link_sandbox_phone, open_more_actions
from web.ui.time_zones import zone_groups


def _business(ui, name: str = "Salão Bela") -> tuple[str, str]:
    """A registered business; (account id, its user's e-mail)."""
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    created = ui.managers.accounts.register_customer(
        {"name": name, "email": email, "password": PASSWORD}, with_api_key=False)
    return str(created["account"]["id"]), email


def _signed_in(ui, email: str, **kwargs) -> Page:
    page = ui.page(**kwargs)
    ui.sign_in(page, email)
    return page


def _service_names(ui, account: str) -> list[str]:
    return [s["name"] for s in ui.managers.catalog.list_services(account)]


def test_services_are_reordered_by_dragging_or_by_their_arrows_and_the_order_stays(ui):
    account, email = _business(ui)
    for name in ("Corte", "Escova", "Manicure"):
        ui.managers.catalog.create_service(account, {"name": name, "duration_minutes": 30})
    page = _signed_in(ui, email, height=2400)  # the three cards and the drag's way in view
    page.goto(f"/a/{account}/services")
    cards = page.locator("[data-service]")
    page.evaluate("window.notReloaded = true")
    cards.nth(2).locator(".drag-handle").drag_to(cards.nth(0), target_position={"x": 40, "y": 5})
    expect(page.locator("#order-status")).to_have_text("The order was saved.")
    assert _service_names(ui, account) == ["Manicure", "Corte", "Escova"]
    expect(cards.nth(0).locator(".order-number")).to_have_text("1.")
    expect(cards.nth(0).locator("input[name=name]")).to_have_value("Manicure")

    arrow = page.get_by_role("button", name="Move Escova up")
    arrow.focus()
    page.keyboard.press("Enter")
    expect(arrow).to_be_focused()
    expect(page.locator("#order-status")).to_have_text("The order was saved.")
    assert page.evaluate("window.notReloaded") is True
    assert _service_names(ui, account) == ["Manicure", "Escova", "Corte"]
    page.reload()
    names = page.locator("[data-service] input[name=name]")
    assert [names.nth(n).input_value() for n in range(3)] == ["Manicure", "Escova", "Corte"]
    ui.shot(page, "services-order")


def test_the_time_zone_picker_lists_brazil_first_by_friendly_names_and_stores_the_iana_id(ui):
    groups = zone_groups()
    assert groups[0][1][0][0] == "America/Sao_Paulo"
    assert [g for g, _ in groups][:3] == ["Brazil", "The Americas", "Europe"]
    account, email = _business(ui)
    page = _signed_in(ui, email)
    page.context.clear_cookies(name="lang")  # Portuguese, the default
    page.goto(f"/a/{account}/messaging")
    picker = page.get_by_label("Fuso horário", exact=True)
    brazil = picker.locator("optgroup").first
    expect(brazil).to_have_attribute("label", "Brasil")
    expect(brazil.locator("option").first).to_have_text(re.compile(r"^Horário de Brasília \(São Paulo, Rio"))
    expect(picker).to_have_value("America/Sao_Paulo")
    expect(brazil.locator("option")).to_have_count(16)
    expect(brazil).to_contain_text("Manaus (Amazonas)")
    expect(brazil).to_contain_text("Rio Branco (Acre)")
    expect(brazil).to_contain_text("Fernando de Noronha")
    expect(picker.locator('optgroup[label="Europa"] option[value="Europe/Lisbon"]')).to_have_text(
        re.compile(r"^Lisbon · UTC\+0[01]:00$"))
    picker.select_option("America/Manaus")
    page.locator("#hours").get_by_role("button", name="Salvar").click()
    expect(page.get_by_text("As configurações foram salvas.")).to_be_visible()
    expect(picker).to_have_value("America/Manaus")
    settings = ui.managers.settings.get_messaging_settings(account)["settings"]
    assert settings["time_zone"] == "America/Manaus"


def test_a_new_api_key_shows_at_the_top_with_a_copy_button_and_a_curl_command(ui):
    account, email = _business(ui)
    page = _signed_in(ui, email)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=ui.base)
    page.goto(f"/a/{account}/settings")
    page.get_by_label("Label (what the key is for)").fill("n8n")
    page.get_by_role("button", name="Create API key").click()
    panel = page.locator("#new-api-key")
    expect(panel).to_be_in_viewport()
    key = page.get_by_label("New API key", exact=True).input_value()
    assert key.startswith("zf_")
    panel.get_by_role("button", name="Copy", exact=True).click()
    assert page.evaluate("navigator.clipboard.readText()") == key
    curl = panel.locator("#new-key-curl")
    expect(curl).to_contain_text(f"Authorization: Bearer {key}")
    expect(curl).to_contain_text(f"{ui.base}/api/accounts/{account}/send")
    panel.get_by_role("button", name="Copy the command").click()
    assert page.evaluate("navigator.clipboard.readText()") == curl.text_content()
    ui.shot(page, "settings-new-key-top")


def test_a_customer_starts_a_stopped_whatsapp_with_one_clear_button(ui):
    page = ui.page()
    ui.sign_up(page, "Academia Força")
    account = page.url.rstrip("/").rsplit("/", 1)[1]
    ui.managers.instances.connect(account)
    ui.managers.instances.stop(account)
    page.reload()
    expect(page.locator("#wa-status")).to_have_text("stopped")
    expect(page.get_by_role("button", name="Reconnect")).to_be_hidden()
    page.get_by_role("button", name="Start WhatsApp").click()
    expect(page.get_by_text("Your WhatsApp is starting.")).to_be_visible()
    expect(page.locator("#wa-status")).to_have_text("waiting for the QR scan")
    expect(page.get_by_role("button", name="Start WhatsApp")).to_be_hidden()
    expect(page.get_by_role("button", name="Reconnect")).to_be_visible()
    assert ui.managers.instances.find(account)["desired_state"] == "running"


def test_the_sandbox_phone_keeps_its_chat_on_a_reload_and_from_the_menu(ui):
    page = ui.page()
    ui.sign_up(page, "Clínica Sorriso")
    link_sandbox_phone(page)
    page.get_by_label("Customer’s phone number").fill("11 98765-4321")
    page.get_by_label("Customer’s message").fill("Oi, tem horário amanhã?")
    page.get_by_role("button", name="Send", exact=True).click()
    bubbles = page.locator("#thread .bubble.inbound .text")
    expect(bubbles).to_have_text(["Oi, tem horário amanhã?"])
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Sandbox phone").click()
    expect(page).to_have_url(re.compile(r"/sandbox-phone$"))
    expect(bubbles).to_have_text(["Oi, tem horário amanhã?"])
    page.reload()
    expect(bubbles).to_have_text(["Oi, tem horário amanhã?"])
    expect(page.get_by_label("Customer’s phone number")).to_have_value("+55 11 98765-4321")

    other = ui.page()  # another browser, no memory of the page: the latest conversation
    ui.sign_in(other, page.evaluate("document.querySelector('.usermenu .muted').textContent"))
    other.goto(page.url)
    expect(other.locator("#thread .bubble.inbound .text")).to_have_text(["Oi, tem horário amanhã?"])


def test_destructive_buttons_wait_in_more_actions_apart_from_everyday_ones(ui):
    account, email = _business(ui)
    m = ui.managers
    m.contacts.create_contact(account, {"phone": "11987654321", "name": "Ana"})
    campaign = m.campaigns.create_campaign(account, {"name": "Verão", "message": "Oi {name}!"})
    m.catalog.create_service(account, {"name": "Corte", "duration_minutes": 30})
    m.webhooks.configure(account, {"url": "https://crm.example.com/hook"})
    m.identity.issue_api_key(account, "n8n")
    page = _signed_in(ui, email, width=390, height=844)

    page.goto(f"/a/{account}/contacts")
    row = page.locator("tr[data-contact]")
    expect(row.get_by_role("link", name="Edit")).to_be_visible()
    open_more_actions(row, "Delete")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Delete", exact=True).click()
    expect(page.locator("tr[data-contact]")).to_have_count(0)

    page.goto(f"/a/{account}/campaigns/{campaign['id']}")
    expect(page.get_by_role("button", name="Start now")).to_be_visible()
    open_more_actions(page.locator(".danger-zone"), "Delete campaign")
    page.goto(f"/a/{account}/services")
    open_more_actions(page.locator("[data-service]"), "Delete")
    page.goto(f"/a/{account}/settings")
    open_more_actions(page.locator("#webhook"), "Remove webhook")
    open_more_actions(page.locator("tr[data-key]"), "Revoke")
    ui.shot(page, "settings-more-actions")

    owner = _signed_in(ui, ui.admin(), width=390, height=844)
    owner.goto("/admin")
    body = owner.locator("tbody[data-account]")
    expect(body.get_by_role("button", name="Connect")).to_be_visible()
    open_more_actions(body, "Delete account")


def _customer(managers, name: str) -> tuple[str, str]:
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    created = managers.accounts.register_customer({"name": name, "email": email, "password": PASSWORD},
                                                  with_api_key=False)
    return str(created["account"]["id"]), email


@pytest.fixture
def salon(app, managers):
    """A salon with two services and a signed-in member: (account id, client, service ids)."""
    account, email = _customer(managers, "Salão Bela")
    ids = [str(managers.catalog.create_service(account, {"name": n, "duration_minutes": 30})["id"])
           for n in ("Corte", "Escova")]
    return account, signed_in(app, email), ids


@pytest.mark.parametrize("path", ["/services/order", "/services/{0}/move", "/whatsapp/start"])
def test_another_accounts_member_gets_404_from_the_new_buttons_and_nothing_changes(
        app, managers, salon, path):
    account, _, ids = salon
    _, rival_email = _customer(managers, "Salão Rival")
    rival = signed_in(app, rival_email)
    token = csrf(rival, "/password")
    response = rival.post(f"/a/{account}{path.format(ids[1])}", headers={"X-CSRFToken": token},
                          data={"csrf_token": token, "direction": "up"})
    assert response.status_code == 404
    assert [str(s["id"]) for s in managers.catalog.list_services(account)] == ids
    assert managers.instances.find(account) is None


def test_the_order_buttons_answer_400_naming_ids_or_404_for_an_unknown_service(salon, managers):
    account, client, ids = salon
    token = csrf(client, f"/a/{account}/services")
    json_headers = {"X-CSRFToken": token, "Accept": "application/json"}
    bad = client.post(f"/a/{account}/services/order", json={"ids": [ids[0]]}, headers=json_headers)
    assert bad.status_code == 400 and bad.get_json()["error"]["message"].startswith("ids")
    unknown = client.post(f"/a/{account}/services/{uuid.uuid4()}/move",
                          data={"csrf_token": token, "direction": "up"})
    assert unknown.status_code == 404
    moved = client.post(f"/a/{account}/services/{ids[1]}/move",
                        data={"csrf_token": token, "direction": "up"})  # without scripts: a reload
    assert moved.status_code == 302 and moved.location.endswith(f"/services#s-{ids[1]}")
    assert [str(s["id"]) for s in managers.catalog.list_services(account)] == [ids[1], ids[0]]
    top = client.post(f"/a/{account}/services/{ids[1]}/move", headers=json_headers,
                      data={"csrf_token": token, "direction": "up"})  # already first: stays
    assert top.get_json() == {"ids": [ids[1], ids[0]]}
