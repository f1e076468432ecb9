"""The campaigns page: create and edit with message, link, QR-code URL, tags and recipient count."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.clients import PASSWORD, csrf_token, signed_in


@pytest.fixture
def shop(app, managers):
    """A shop with five contacts (one opted out) and a signed-in member: (account, client, token)."""
    created = managers.accounts.register_customer({"name": "Loja Sol", "email": "sol@example.com",
                                         "password": PASSWORD}, with_api_key=False)
    account = str(created["account"]["id"])
    for n, tags, opted_out in ((1, ["vip"], False), (2, ["vip", "praia"], False),
                               (3, ["praia"], False), (4, [], False), (5, ["vip"], True)):
        managers.contacts.create_contact(account, {"phone": f"11 98888-000{n}", "tags": tags,
                                         "opted_out": opted_out})
    client = signed_in(app, "sol@example.com")
    return account, client, csrf_token(client, f"/a/{account}/campaigns/new")


def _form(token: str, **fields) -> dict:
    return {"name": "Verão", "message": "Oi {name}!", "link": "", "qr_code_url": "",
            "csrf_token": token, **fields}


def test_no_campaigns_yet_says_what_a_campaign_is(shop):
    account, client, _token = shop
    assert "No campaigns yet" in client.get(f"/a/{account}/campaigns").get_data(as_text=True)


def test_a_campaign_is_saved_with_its_tags_and_shows_whom_it_reaches(shop, managers):
    account, client, token = shop
    response = client.post(f"/a/{account}/campaigns/new", data=_form(
        token, target_tags=["vip", "praia"], link="https://loja-sol.com.br/verao"))
    assert response.status_code == 302
    campaign = managers.campaigns.list_campaigns(account)[0]
    assert (campaign["target_tags"], campaign["link"]) == (["vip", "praia"], "https://loja-sol.com.br/verao")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r'id="recipients-count">3<', page)  # 1, 2, 3; 5 opted out
    listing = client.get(f"/a/{account}/campaigns").get_data(as_text=True)
    assert "Verão" in listing and "Draft" in listing


def test_the_recipient_count_follows_the_tags(shop):
    account, client, _token = shop
    count = lambda tags: client.get(  # noqa: E731
        f"/a/{account}/campaigns/recipients.json?tags={tags}").get_json()["recipients"]
    assert (count(""), count("vip"), count("praia"), count("vip,praia"), count("nada")) == (4, 2, 2, 3, 0)


def test_editing_keeps_the_form_and_names_the_bad_field(shop, managers):
    account, client, token = shop
    campaign = managers.campaigns.create_campaign(account, {"name": "Natal"})
    url = f"/a/{account}/campaigns/{campaign['id']}"
    response = client.post(url, data=_form(token, name="Natal", link="loja-sol.com.br"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="f-link"' in page and "must be an http(s) URL" in page and 'value="loja-sol.com.br"' in page
    client.post(url, data=_form(token, name="Natal 2026", message="Feliz Natal, {name}!"))
    saved = managers.campaigns.get_campaign(account, campaign["id"])
    assert (saved["name"], saved["message"]) == ("Natal 2026", "Feliz Natal, {name}!")
    client.post(url + "/delete", data={"csrf_token": token})
    assert managers.campaigns.list_campaigns(account) == []


def test_in_the_browser_the_count_changes_as_tags_are_ticked(ui):
    page = ui.page()
    ui.sign_up(page, "Loja Sol")
    account = page.url.rstrip("/").rsplit("/", 1)[1]
    for n, tags in ((1, ["vip"]), (2, ["praia"]), (3, [])):
        ui.managers.contacts.create_contact(account, {"phone": f"11 98888-000{n}", "tags": tags})
    page.goto(f"/a/{account}/campaigns")
    expect(page.get_by_text("No campaigns yet")).to_be_visible()
    page.get_by_role("link", name="New campaign").click()
    count = page.locator("#recipients-count")
    expect(count).to_have_text("3")
    page.get_by_label("vip").check()
    expect(count).to_have_text("1")
    page.get_by_label("praia").check()
    expect(count).to_have_text("2")
    page.get_by_label("Name", exact=True).fill("Verão")
    page.get_by_label("Message").fill("Oi {name}, chegou a coleção de verão!")
    page.get_by_role("button", name="Save campaign").click()
    expect(page.get_by_text("was saved as a draft")).to_be_visible()
    expect(count).to_have_text("2")
    ui.shot(page, "campaign-edit")
    page.get_by_role("link", name="All campaigns").click()
    expect(page.locator("#campaigns-table")).to_contain_text("Verão")
    ui.shot(page, "campaigns")
