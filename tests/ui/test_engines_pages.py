"""Choosing how to connect (the engine), pairing codes and bans, on the WhatsApp page."""
from __future__ import annotations

import re
import secrets
import threading
from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect

from tests.support.clients import PASSWORD, csrf_token, signed_in
from tests.support.evolution import FakeEvolution
from tests.ui.conftest import served_ui
from tests.support.waiting import wait_until
from zapfleet.db import instances as instances_sql

KEY = "evo-ui-" + secrets.token_hex(8)


@pytest.fixture
def salon(app, managers):
    """A signed-in member of a salon: (account id, client, CSRF token)."""
    created = managers.accounts.register_customer({"name": "Salão Bela", "email": "bela@example.com",
                                         "password": PASSWORD}, with_api_key=False)
    client = signed_in(app, "bela@example.com")
    account = str(created["account"]["id"])
    return account, client, csrf_token(client, f"/a/{account}/")


def _instance(db, account: str, engine: str, **observed) -> dict:
    with db.system() as conn:
        row = instances_sql.insert_instance(conn, account, "salao-bela_whatsapp", 29998, engine)
        return instances_sql.update_observed(conn, row["id"], **observed)


def test_the_engines_that_can_run_here_are_offered(salon):
    account, client, _token = salon
    page = client.get(f"/a/{account}/").get_data(as_text=True)
    engine_select = page[page.index('id="f-engine"'):page.index("</select>", page.index('id="f-engine"'))]
    options = re.findall(r'<option value="(\w+)" ?(selected)?>', engine_select)
    assert options == [("sandbox", "selected"), ("neonize", "")]  # no Evolution server is set


def test_an_evolution_server_added_by_the_owner_is_offered(app, salon):
    account, client, _token = salon
    app.extensions["zapfleet"].evolution_servers.create({
        "name": "evo-1", "url": "https://evo1.example.com", "api_key": "k" * 24})
    page = client.get(f"/a/{account}/").get_data(as_text=True)
    assert '<option value="evolution"' in page and "Your Evolution API server" in page


def test_an_engine_this_installation_cannot_run_is_refused(salon):
    account, client, token = salon
    response = client.post(f"/a/{account}/whatsapp/connect", data={
        "engine": "evolution", "csrf_token": token}, follow_redirects=True)
    assert "EVOLUTION_URL" in response.get_data(as_text=True)
    assert client.get(f"/a/{account}/whatsapp.json").get_json()["exists"] is False


def test_a_ban_shows_its_reason_and_until_when_in_the_accounts_time(salon, clean_db):
    account, client, _token = salon
    reason = "WhatsApp temporarily banned this number: too many messages to strangers."
    _instance(clean_db, account, "neonize", status="banned", last_error=reason,
              banned_until=datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc))
    status = client.get(f"/a/{account}/whatsapp.json").get_json()
    assert (status["status_label"], status["error"], status["show_error"]) == (
        "temporarily banned", reason, True)
    assert status["until"] == "2026-11-25 12:00"  # America/Sao_Paulo, the account's default zone
    page = client.get(f"/a/{account}/").get_data(as_text=True)
    assert reason in page and "paused until" in page and "2026-11-25 12:00" in page


def test_the_pairing_form_shows_while_a_real_engine_waits_for_the_scan(salon, clean_db):
    account, client, token = salon
    _instance(clean_db, account, "neonize", status="waiting_qr", qr_code="2@abc,def")
    assert client.get(f"/a/{account}/whatsapp.json").get_json()["pairing"] is True
    response = client.post(f"/a/{account}/whatsapp/pair", data={"phone": "12", "csrf_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="f-phone"[^>]*aria-invalid="true"', page) and "not a possible phone" in page


@pytest.fixture
def evolution():
    with FakeEvolution(KEY) as server:
        yield server


@pytest.fixture
def evolution_ui(clean_db, identity, supervisord, worker_config, browser, evolution, database_url):
    config = worker_config.with_overrides(evolution_url=evolution.url, evolution_api_key=KEY)
    yield from served_ui(clean_db, identity, config, browser, database_url)


def test_in_the_browser_an_evolution_phone_links_with_a_pairing_code(evolution_ui, evolution):
    ui = evolution_ui
    page = ui.page()
    ui.sign_up(page, "Clínica Sorriso")
    name = "clinica-sorriso_whatsapp"

    def show_qr_once_created():
        wait_until(lambda: name in evolution.instances, 30, "the instance on the server")
        evolution.show_qr(name)
    threading.Thread(target=show_qr_once_created, daemon=True).start()
    page.get_by_label("How to connect").select_option("evolution")
    page.get_by_role("button", name="Connect WhatsApp").click()
    expect(page.locator("#wa-status")).to_have_text("waiting for the QR scan")
    expect(page.locator("#wa-sandbox")).to_be_hidden()
    page.get_by_label("The phone’s WhatsApp number").fill("11 98888-0000")
    page.get_by_role("button", name="Get a pairing code").click()
    expect(page.locator("#pairing-code")).to_have_text("WZYEH1YY")
    expect(page.get_by_text("On the phone +55 11 98888-0000")).to_be_visible()
    ui.shot(page, "workspace-pairing-code")
    evolution.scan(name, "5511988880000")
    expect(page.locator("#wa-status")).to_have_text("connected")
    expect(page.locator("#wa-phone")).to_have_text("+55 11 98888-0000")
