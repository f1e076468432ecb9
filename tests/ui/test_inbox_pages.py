"""The inbox and the sandbox phone in a real browser: a customer writes, the business answers."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.support.clients import PASSWORD, csrf_token, signed_in
from tests.support.pages import link_sandbox_phone

ACCOUNT_PAGES = ("/", "/inbox", "/contacts", "/campaigns", "/settings", "/sandbox-phone")


def _write_as_customer(page: Page, text: str, phone: str = "11 98765-4321") -> None:
    page.get_by_label("Customer’s phone number").fill(phone)
    page.get_by_label("Customer’s message").fill(text)
    page.get_by_role("button", name="Send", exact=True).click()


def test_a_customer_writes_the_business_replies_and_sees_the_ticks(ui):
    business = ui.page()
    ui.sign_up(business, "Salão Bela")
    link_sandbox_phone(business)
    phone = business.context.new_page()  # the sandbox phone, in a second tab
    phone.goto(business.url)
    _write_as_customer(phone, "Oi! Vocês abrem sábado?")
    expect(phone.locator("#thread .bubble.inbound .text")).to_have_text(["Oi! Vocês abrem sábado?"])

    business.get_by_role("navigation", name="Main menu").get_by_role("link", name="Inbox").click()
    conversation = business.locator("#conversations li a")
    expect(conversation).to_contain_text("+55 11 98765-4321")
    expect(conversation.locator(".unread")).to_have_text("1")
    ui.shot(business, "inbox")
    conversation.click()
    expect(business.locator("#thread .bubble.inbound .text")).to_have_text(["Oi! Vocês abrem sábado?"])
    business.evaluate("window.notReloaded = true")

    business.get_by_label("Reply").fill("Abrimos sim, das 9h às 18h.")
    business.get_by_role("button", name="Send", exact=True).click()
    reply = business.locator("#thread .bubble.outbound")
    expect(reply.locator(".text")).to_have_text("Abrimos sim, das 9h às 18h.")
    expect(reply.locator(".ticks")).to_have_class(re.compile(r"\bread\b"))
    expect(reply.locator(".ticks")).to_have_text("✓✓")
    expect(phone.locator("#thread .bubble.outbound .text")).to_have_text("Abrimos sim, das 9h às 18h.")

    _write_as_customer(phone, "Perfeito, quero agendar uma escova.")
    expect(business.locator("#thread .bubble.inbound .text")).to_have_text(
        ["Oi! Vocês abrem sábado?", "Perfeito, quero agendar uma escova."])
    assert business.evaluate("window.notReloaded") is True
    ui.shot(business, "inbox-thread")
    ui.shot(phone, "sandbox-phone")


def test_a_customer_gets_404_pages_for_another_accounts_urls(ui):
    owner_of_a = ui.page()
    ui.sign_up(owner_of_a, "Clínica Alpha")
    account_a = owner_of_a.url.rstrip("/").rsplit("/", 1)[1]
    intruder = ui.page()
    ui.sign_up(intruder, "Academia Beta")
    for path in ACCOUNT_PAGES:
        response = intruder.goto(f"/a/{account_a}{path}")
        assert response.status == 404, path
        expect(intruder.get_by_role("heading", name="Page not found")).to_be_visible()
    assert intruder.goto("/admin").status == 404
    ui.shot(intruder, "not-found")


@pytest.fixture
def salon(app, managers):
    """A signed-in member of a salon: (account id, client, CSRF token)."""
    created = managers.accounts.register_customer({"name": "Salão Bela", "email": "bela@example.com",
                                         "password": PASSWORD}, with_api_key=False)
    client = signed_in(app, "bela@example.com")
    account = str(created["account"]["id"])
    return account, client, csrf_token(client, f"/a/{account}/inbox")


def test_a_message_written_for_later_waits_for_its_time(salon, app):
    account, client, token = salon
    later = datetime.now(ZoneInfo("America/Sao_Paulo")).replace(second=0, microsecond=0) + timedelta(days=1)
    response = client.post(f"/a/{account}/inbox/new", data={
        "phone": "11 98765-4321", "message": "Lembrete: amanhã às 15h", "idempotency_key": "k1",
        "send_at": later.strftime("%Y-%m-%dT%H:%M"), "csrf_token": token}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert f"The message is scheduled for {later:%Y-%m-%d %H:%M}." in page
    assert f'title="scheduled for {later:%Y-%m-%d %H:%M}"' in page
    [scheduled] = app.extensions["zapfleet"].outbox.list_scheduled(account)["items"]
    assert (scheduled["status"], scheduled["send_at"]) == ("queued", later)


def test_a_time_in_the_past_is_refused_at_its_field(salon):
    account, client, token = salon
    response = client.post(f"/a/{account}/inbox/new", data={
        "phone": "11 98765-4321", "message": "Oi", "idempotency_key": "k2",
        "send_at": "2020-01-01T10:00", "csrf_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="f-send_at"[^>]*aria-invalid="true"', page) and "must be in the future" in page
