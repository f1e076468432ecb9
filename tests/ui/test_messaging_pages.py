"""The messaging settings page: each section saves only its own settings, errors at their field."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.clients import PASSWORD, csrf_token, signed_in


@pytest.fixture
def clinic(app, managers):
    """A clinic with a signed-in member: (account, client, token)."""
    created = managers.accounts.register_customer({"name": "Clínica Sorriso", "email": "sorriso@example.com",
                                         "password": PASSWORD}, with_api_key=False)
    account = str(created["account"]["id"])
    client = signed_in(app, "sorriso@example.com")
    return account, client, csrf_token(client, f"/a/{account}/messaging")


def _save(client, account, token, section, **fields):
    return client.post(f"/a/{account}/messaging/{section}", data={"csrf_token": token, **fields})


def test_the_page_shows_the_defaults_in_portuguese_with_their_placeholders(clinic):
    account, client, _token = clinic
    page = client.get(f"/a/{account}/messaging").get_data(as_text=True)
    assert 'value="America/Sao_Paulo" selected' in page
    assert 'id="f-business_hours.mon"' in page and 'value="09:00-18:00"' in page
    assert "Seu agendamento de {service} está confirmado" in page
    assert "Placeholders: {name}, {service}, {date}, {time}, {weekday}, {business}" in page
    assert 'value="SAIR, STOP"' in page and 'id="f-pacing.min_gap_seconds"' in page


def test_a_section_saves_its_own_keys_and_merges_with_the_rest(clinic, managers):
    account, client, token = clinic
    managers.accounts.update_account(account, {"settings": {"booking_days": 14}})
    hours = {f"business_hours.{d}": "08:00-12:00, 13:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri")}
    response = _save(client, account, token, "hours", time_zone="America/Manaus", **hours,
                     **{"business_hours.sat": "", "business_hours.sun": ""})
    assert response.status_code == 302 and response.headers["Location"].endswith("#hours")
    assert _save(client, account, token, "auto-reply", auto_reply="on", away_interval_hours="6",
                 **{"templates.away": "Voltamos às 8h, {name}!"}).status_code == 302
    assert _save(client, account, token, "pacing", **{
        "pacing.min_gap_seconds": "30", "pacing.max_gap_seconds": "60", "pacing.daily_cap": "150",
        "pacing.warmup_days": "5", "pacing.window_start": "09:00",
        "pacing.window_end": "19:00"}).status_code == 302
    assert _save(client, account, token, "notices", reminder_hours="2",
                 opt_out_keywords="sair, parar").status_code == 302
    settings = managers.settings.get_messaging_settings(account)["settings"]
    assert settings["time_zone"] == "America/Manaus" and settings["business_hours"]["sat"] == []
    assert settings["business_hours"]["mon"] == ["08:00-12:00", "13:00-17:00"]
    assert (settings["auto_reply"], settings["away_interval_hours"]) == (True, 6)
    assert settings["templates"]["away"] == "Voltamos às 8h, {name}!"
    assert settings["templates"]["confirmation"].startswith("Olá {name}! Seu agendamento")
    assert settings["pacing"]["daily_cap"] == 150 and settings["reminder_hours"] == 2
    assert settings["opt_out_keywords"] == ["SAIR", "PARAR"] and settings["booking_bot"] is False
    assert managers.accounts.get_account(account)["settings"]["booking_days"] == 14
    _save(client, account, token, "auto-reply", away_interval_hours="6", **{"templates.away": "x"})
    assert managers.settings.get_messaging_settings(account)["settings"]["auto_reply"] is False


@pytest.mark.parametrize("section, fields, bad", [
    ("hours", {"time_zone": "America/Sao_Paulo", "business_hours.mon": "18:00-09:00"}, "business_hours.mon"),
    ("pacing", {"pacing.min_gap_seconds": "50", "pacing.max_gap_seconds": "20", "pacing.daily_cap": "100",
                "pacing.warmup_days": "0", "pacing.window_start": "08:00", "pacing.window_end": "20:00"},
     "pacing.min_gap_seconds"),
    ("pacing", {"pacing.min_gap_seconds": "dez", "pacing.max_gap_seconds": "20"}, "pacing.min_gap_seconds"),
    ("templates", {"templates.confirmation": "Oi {cidade}"}, "templates.confirmation"),
    ("bot", {"booking_bot": "on", "booking_days": "90", "slot_step_minutes": "30",
             "booking_lead_minutes": "60", "bot_pause_minutes": "60"}, "booking_days"),
])
def test_a_bad_value_is_shown_at_its_field_with_what_was_typed(clinic, managers, section, fields, bad):
    account, client, token = clinic
    response = _save(client, account, token, section, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(rf'id="f-{re.escape(bad)}"[^>]*aria-invalid="true"', page), page[-3000:]
    assert managers.accounts.get_account(account)["settings"] in ({}, None)


def test_in_the_browser_business_hours_and_the_auto_reply_are_changed(ui):
    page = ui.page()
    ui.sign_up(page, "Academia Força")
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Messaging").click()
    expect(page.get_by_role("heading", name="Messaging settings")).to_be_visible()
    page.get_by_label("Saturday").fill("08:00-12:00, 14:00-17:00")
    page.get_by_label("Sunday").fill("25:00-26:00")
    page.locator("#hours").get_by_role("button", name="Save").click()
    expect(page.locator("#hours .field-error")).to_contain_text("must be opening and closing time")
    expect(page.get_by_label("Saturday")).to_have_value("08:00-12:00, 14:00-17:00")
    page.get_by_label("Sunday").fill("")
    page.locator("#hours").get_by_role("button", name="Save").click()
    expect(page.get_by_text("The settings were saved.")).to_be_visible()
    page.get_by_label("Send the away message outside business hours").check()
    page.get_by_label("Away message", exact=True).fill("Estamos fechados agora, {name}. Respondemos amanhã cedo!")
    page.locator("#auto-reply").get_by_role("button", name="Save").click()
    expect(page.get_by_text("The settings were saved.")).to_be_visible()
    expect(page.get_by_label("Send the away message outside business hours")).to_be_checked()
    account = page.url.split("/a/", 1)[1].split("/", 1)[0]
    settings = ui.managers.settings.get_messaging_settings(account)["settings"]
    assert settings["business_hours"]["sat"] == ["08:00-12:00", "14:00-17:00"] and settings["auto_reply"]
    ui.shot(page, "messaging-settings")
    page.set_viewport_size({"width": 390, "height": 844})
    ui.shot(page, "messaging-settings-phone")
