"""The owner's Evolution servers page: usage, add, change, delete; nobody else sees it."""
from __future__ import annotations

import re

import pytest

from tests.support.clients import PASSWORD, csrf_token, signed_in
from tests.support.pages import open_more_actions

KEY = "global-key-0123456789abcdef"


@pytest.fixture
def owner(app, managers):
    """A client signed in as the platform admin, and its CSRF token."""
    managers.identity.create_user("owner@example.com", PASSWORD, None)
    client = signed_in(app, "owner@example.com")
    return client, csrf_token(client, "/admin/evolution-servers")


def _add(client, token, **fields):
    data = {"name": "evo-1", "url": "https://evo1.example.com", "api_key": KEY, "webhook_base": "",
            "capacity": "20", "priority": "5", "active": "on", "csrf_token": token, **fields}
    return client.post("/admin/evolution-servers", data=data)


def test_an_empty_page_says_what_to_do(owner):
    client, _token = owner
    assert "No servers yet" in client.get("/admin/evolution-servers").get_data(as_text=True)


def test_the_owner_adds_changes_and_deletes_a_server_whose_key_is_never_shown(owner, app):
    client, token = owner
    assert _add(client, token).status_code == 302
    page = client.get("/admin/evolution-servers").get_data(as_text=True)
    assert "evo-1" in page and "0 of 20 places taken (0%), 0 connected" in page and KEY not in page
    [server] = app.extensions["zapfleet"].evolution_servers.list()["items"]
    response = client.post(f"/admin/evolution-servers/{server['id']}", data={
        "name": "evo-1", "url": "https://evo1.example.com", "api_key": "", "webhook_base": "",
        "capacity": "40", "priority": "9", "csrf_token": token})  # unticked: inactive
    assert response.status_code == 302
    changed = app.extensions["zapfleet"].evolution_servers.get(server["id"])
    assert (changed["capacity"], changed["priority"], changed["active"]) == (40, 9, False)
    assert app.extensions["zapfleet"].evolution_servers.settings(server["id"]).api_key == KEY
    client.post(f"/admin/evolution-servers/{server['id']}/delete", data={"csrf_token": token})
    assert app.extensions["zapfleet"].evolution_servers.list()["items"] == []


def test_a_bad_field_is_shown_where_it_was_typed(owner):
    client, token = owner
    response = _add(client, token, url="evo1.example.com", capacity="lots")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="f-url"[^>]*aria-invalid="true"', page) and 'value="evo1.example.com"' in page


def test_a_member_gets_404(app, managers):
    managers.accounts.register_customer({"name": "Salão", "email": "s@example.com", "password": PASSWORD},
                              with_api_key=False)
    member = signed_in(app, "s@example.com")
    assert member.get("/admin/evolution-servers").status_code == 404


def test_in_the_browser_the_owner_adds_a_server(ui):
    from playwright.sync_api import expect
    page = ui.page()
    ui.sign_in(page, ui.admin())
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Evolution servers").click()
    form = page.locator("#add-server")
    form.get_by_label("Name").fill("evo-sp-1")
    form.get_by_label("URL").fill("https://evo-sp-1.example.com")
    form.get_by_label("Global API key").fill(KEY)
    form.get_by_role("button", name="Add server").click()
    expect(page.get_by_text("The server evo-sp-1 was added.")).to_be_visible()
    card = page.locator("section.server")
    expect(card).to_contain_text("0 of 20 places taken")
    ui.shot(page, "evolution-servers")
    open_more_actions(card, "Delete")
    page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="Delete", exact=True).click()
    expect(page.locator("section.server")).to_have_count(0)
