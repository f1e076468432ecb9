"""A campaign's run on its page: wordings, start now or later, pause, resume, cancel, the progress
that moves by itself, the recipients table; and the scheduled messages with cancel."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.support.clients import PASSWORD, csrf_token, signed_in
from tests.support.linked import link
from tests.support.pages import link_sandbox_phone

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
FAST = {"min_gap_seconds": 1, "max_gap_seconds": 2, "window_start": "00:00",
        "window_end": "23:59", "warmup_days": 0}


@pytest.fixture
def shop(app, managers):
    """A shop with three tagged contacts and a signed-in member: (account, client, token)."""
    created = managers.accounts.register_customer({"name": "Loja Sol", "email": "sol@example.com",
                                         "password": PASSWORD}, with_api_key=False)
    account = str(created["account"]["id"])
    for n in (1, 2, 3):
        managers.contacts.create_contact(account, {"phone": f"11 98888-000{n}", "name": f"Cliente {n}",
                                         "tags": ["vip"]})
    client = signed_in(app, "sol@example.com")
    return account, client, csrf_token(client, f"/a/{account}/campaigns")


def _campaign(managers, account: str, **fields) -> dict:
    return managers.campaigns.create_campaign(account, {"name": "Verão", "message": "Oi {name}!",
                                             "target_tags": ["vip"], **fields})


def test_other_wordings_are_saved_and_a_bad_placeholder_is_shown_at_its_wording(shop, managers):
    account, client, token = shop
    campaign = _campaign(managers, account)
    url = f"/a/{account}/campaigns/{campaign['id']}"
    form = {"name": "Verão", "message": "Oi {name}!", "target_tags": ["vip"], "csrf_token": token}
    response = client.post(url, data={**form, "variants": ["Olá {name}!", "", "Oi {cidade}!"]})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="f-variant-2"[^>]*aria-invalid="true"', page)
    assert "unknown placeholder {cidade}" in page and "Oi {cidade}!" in page
    assert client.post(url, data={**form, "variants": ["Olá {name}!", "", "E aí, {name}?"]}).status_code == 302
    assert managers.campaigns.get_campaign(account, campaign["id"])["variants"] == ["Olá {name}!", "E aí, {name}?"]
    page = client.get(url).get_data(as_text=True)
    assert "E aí, {name}?" in page and "{qr_code_url}" in page and "the customer’s first name" in page


def test_a_started_campaign_is_locked_and_only_its_name_changes(shop, managers):
    account, client, token = shop
    campaign = _campaign(managers, account)
    url = f"/a/{account}/campaigns/{campaign['id']}"
    assert client.post(url + "/start", data={"csrf_token": token}).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert 'id="locked-note"' in page and re.search(r'id="f-message"[^>]*disabled', page)
    assert re.search(r'<span data-for="running" >\s*<form', page)  # Pause shows
    assert re.search(r'<span data-for="draft scheduled" hidden>', page)  # Start now does not
    assert re.search(r'id="progress-done"[^>]*>0 of 3 recipients handled<', page)
    response = client.post(url, data={"name": "Verão 2026", "message": "changed", "csrf_token": token})
    assert response.status_code == 302
    saved = managers.campaigns.get_campaign(account, campaign["id"])
    assert (saved["name"], saved["message"], saved["status"]) == ("Verão 2026", "Oi {name}!", "running")


def test_pause_resume_and_cancel_move_the_campaign_and_say_so(shop, managers):
    account, client, token = shop
    campaign = _campaign(managers, account)
    url = f"/a/{account}/campaigns/{campaign['id']}"
    client.post(url + "/start", data={"csrf_token": token})
    for action, status, said in (("pause", "paused", "The campaign is paused."),
                                 ("resume", "running", "The campaign goes on sending."),
                                 ("cancel", "cancelled", "The campaign was cancelled.")):
        response = client.post(f"{url}/{action}", data={"csrf_token": token}, follow_redirects=True)
        assert said in response.get_data(as_text=True)
        assert managers.campaigns.get_campaign(account, campaign["id"])["status"] == status
    page = client.post(url + "/resume", data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "a cancelled campaign cannot be running" in page
    progress = client.get(url + "/progress.json").get_json()
    assert progress["status"] == "cancelled" and progress["counts"]["pending"] == 0
    assert progress["waiting"].startswith("Cancelled") and progress["live"] is False


def test_the_progress_says_in_plain_words_what_the_sending_waits_for(shop, managers, clean_db):
    account, client, token = shop
    campaign = _campaign(managers, account)
    url = f"/a/{account}/campaigns/{campaign['id']}"
    client.post(url + "/start", data={"csrf_token": token})
    progress = client.get(url + "/progress.json").get_json()
    assert progress["waiting"] == "Waiting for your WhatsApp to be connected (now: not connected yet)."
    assert (progress["total"], progress["done"], progress["counts"]["pending"]) == (3, 0, 3)
    link(clean_db, account)
    managers.settings.update_messaging_settings(account, {"pacing": {"window_start": "00:00", "window_end": "00:01"}})
    waiting = client.get(url + "/progress.json").get_json()["waiting"]
    assert waiting.startswith("Outside the sending hours (00:00 to 00:01): it goes on at 00:00")


def test_a_campaign_scheduled_in_the_accounts_time_starts_then_and_a_past_time_is_refused(shop, managers):
    account, client, token = shop
    campaign = _campaign(managers, account)
    url = f"/a/{account}/campaigns/{campaign['id']}"
    response = client.post(url + "/start", data={"csrf_token": token, "send_at": "2020-01-01T10:00"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="f-send_at"[^>]*aria-invalid="true"', page) and "must be in the future" in page
    later = (datetime.now(SAO_PAULO) + timedelta(days=2)).replace(hour=9, minute=30, second=0, microsecond=0)
    response = client.post(url + "/start", data={"csrf_token": token,
                                                 "send_at": later.strftime("%Y-%m-%dT%H:%M")},
                           follow_redirects=True)
    assert f"The campaign will start on {later:%Y-%m-%d} 09:30." in response.get_data(as_text=True)
    saved = managers.campaigns.get_campaign(account, campaign["id"])
    assert saved["status"] == "scheduled" and saved["send_at"] == later.astimezone(timezone.utc)
    listing = client.get(f"/a/{account}/campaigns").get_data(as_text=True)
    assert "Scheduled" in listing and f"{later:%Y-%m-%d} 09:30" in listing


def test_the_recipients_table_filters_by_status_and_the_list_shows_progress(shop, managers):
    account, client, token = shop
    campaign = _campaign(managers, account)
    url = f"/a/{account}/campaigns/{campaign['id']}"
    client.post(url + "/start", data={"csrf_token": token})
    managers.campaign_runs.cancel_campaign(account, campaign["id"])
    page = client.get(url).get_data(as_text=True)
    assert page.count('data-status="cancelled"') == 3 and "Cliente 2" in page
    page = client.get(url + "?status=read").get_data(as_text=True)
    assert 'data-status="cancelled"' not in page and "No recipient with this status." in page
    listing = client.get(f"/a/{account}/campaigns").get_data(as_text=True)
    assert "3 of 3" in listing and 'aria-valuenow="100"' in listing


def test_scheduled_messages_are_listed_and_cancelled(shop, app):
    account, client, token = shop
    later = datetime.now(timezone.utc) + timedelta(days=3)
    message, _ = app.extensions["zapfleet"].outbox.send(account, {
        "phone": "11 98888-0001", "message": "Feliz aniversário!", "send_at": later.isoformat()})
    page = client.get(f"/a/{account}/campaigns").get_data(as_text=True)
    assert "Feliz aniversário!" in page and "Cliente 1" in page
    response = client.post(f"/a/{account}/scheduled/{message['id']}/cancel",
                           data={"csrf_token": token}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "The scheduled message was cancelled." in page and "No messages scheduled." in page


def test_in_the_browser_the_progress_bar_moves_by_itself_as_the_dispatcher_sends(ui):
    page = ui.page()
    ui.sign_up(page, "Loja Sol")
    account = link_sandbox_phone(page)
    ui.managers.settings.update_messaging_settings(account, {"pacing": FAST})
    for n in range(1, 5):
        ui.managers.contacts.create_contact(account, {"phone": f"11 98888-000{n}", "name": f"Cliente {n}",
                                            "tags": ["vip"]})
    ui.managers.contacts.create_contact(account, {"phone": "11 98888-0009", "tags": ["outros"]})
    campaign = ui.managers.campaigns.create_campaign(account, {"name": "Verão", "message": "Oi {name}!",
                                                    "variants": ["Olá {name}, tudo bem?"],
                                                    "target_tags": ["vip"]})
    page.goto(f"/a/{account}/campaigns/{campaign['id']}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Start now").click()
    expect(page.get_by_text("The campaign started")).to_be_visible()
    done = page.locator("#progress-done")
    expect(done).to_have_text("0 of 4 recipients handled")
    page.evaluate("window.notReloaded = true")
    ui.dispatchers.start()
    expect(page.locator('[data-count="read"]')).not_to_have_text("0", timeout=30_000)
    expect(done).to_have_text("4 of 4 recipients handled", timeout=30_000)
    expect(page.locator('[data-count="read"]')).to_have_text("4", timeout=30_000)
    expect(page.locator("#progress-bar")).to_have_attribute("aria-valuenow", "100")
    expect(page.locator("#campaign-status")).to_have_text("Completed")
    expect(page.locator("#progress-waiting")).to_have_text("Finished: every recipient was handled.")
    expect(page.locator("#recipients-table tbody tr[data-status=read]")).to_have_count(4)  # live too
    assert page.evaluate("window.notReloaded") is True
    ui.shot(page, "campaign-run")
    page.goto(f"/a/{account}/campaigns/{campaign['id']}?status=read")
    expect(page.locator("#recipients-table tbody tr")).to_have_count(4)
    page.set_viewport_size({"width": 390, "height": 844})
    ui.shot(page, "campaign-run-phone")
    page.goto(f"/a/{account}/campaigns")
    expect(page.locator("#campaigns-table")).to_contain_text("4 of 4")
    ui.shot(page, "campaigns-progress")


def test_the_placeholders_help_shows_the_portuguese_names_on_portuguese_pages(shop, managers):
    account, client, token = shop
    campaign = _campaign(managers, account, message="Oi {nome}!")
    url = f"/a/{account}/campaigns/{campaign['id']}"
    client.set_cookie("lang", "pt_BR")
    page = client.get(url).get_data(as_text=True)
    assert "<code>{nome}</code>" in page and "<code>{link}</code>" in page and "<code>{qr_code}</code>" in page
    assert "<code>{name}</code>" not in page
    settings = client.get(f"/a/{account}/messaging").get_data(as_text=True)
    assert "{nome}, {empresa}" in settings and "{name}, {business}" not in settings
    client.set_cookie("lang", "en")
    assert "<code>{name}</code>" in client.get(url).get_data(as_text=True)


def test_in_the_browser_the_start_says_it_waits_for_the_window_and_its_flash_goes_when_the_status_moves(ui):
    page = ui.page()
    ui.sign_up(page, "Loja Sol")
    account = page.url.rstrip("/").rsplit("/", 1)[-1]
    page.context.add_cookies([{"name": "lang", "value": "pt_BR", "url": ui.base}])
    ui.managers.settings.update_messaging_settings(account, {"pacing": {"window_start": "08:00",
                                                                       "window_end": "20:00"}})
    ui.managers.contacts.create_contact(account, {"phone": "11 98888-0001", "name": "Ana", "tags": ["vip"]})
    campaign = ui.managers.campaigns.create_campaign(account, {"name": "Verão", "message": "Oi {nome}!",
                                                               "target_tags": ["vip"]})
    page.goto(f"/a/{account}/campaigns/{campaign['id']}")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Começar agora").click()
    flash = page.get_by_text("A campanha começou")
    expect(flash).to_be_visible()
    assert "só entre 08:00 e 20:00" in asked[0] and "o envio espera" in asked[0]
    expect(page.locator("#run-title")).to_have_text("Andamento do envio")
    ui.managers.campaign_runs.pause_campaign(account, campaign["id"])
    expect(page.locator("#campaign-status")).to_have_text("Pausada")
    expect(flash).to_have_count(0)
    expect(page.locator("#run-title")).to_have_text("Andamento do envio")
