"""In the browser, in Portuguese: the sandbox QR's landing page, and the WhatsApp connection
history a customer reads where the platform admin reads the raw worker log."""
from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from tests.support.clients import PASSWORD


def _sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Senha", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_load_state()


def _salon(ui) -> tuple[str, str]:
    """A salon in Manaus time whose sandbox WhatsApp waits for the scan; (account id, e-mail)."""
    m, email = ui.managers, "bela-words@example.com"
    account = m.accounts.register_customer({"name": "Salão Bela", "email": email, "password": PASSWORD},
                                           with_api_key=False)["account"]["id"]
    m.settings.update_messaging_settings(account, {"time_zone": "America/Manaus"})
    m.instances.connect(account)
    return str(account), email


def test_the_sandbox_qr_opens_a_portuguese_page_with_the_business_and_its_number(ui):
    account, _email = _salon(ui)
    instance = ui.managers.instances.find(account)
    phone = ui.page(lang=None, width=390, height=844)  # the phone's camera opens the QR's link
    phone.goto(instance["qr_code"])
    expect(phone.get_by_role("heading", name="Telefone de teste conectado")).to_be_visible()
    expect(phone.locator("#linked-to")).to_have_text(re.compile(
        r"^O WhatsApp de teste de Salão Bela está conectado ao número \+55 00 \d{5}-\d{4}\.$"))
    expect(phone.get_by_text("Modo de teste", exact=True)).to_be_visible()
    body = phone.locator("body").inner_text()
    assert instance["instance_name"] not in body and "The sandbox phone" not in body
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    ui.shot(phone, "sandbox-linked-pt")


def test_a_customer_reads_the_connection_history_and_the_platform_admin_the_worker_log(ui):
    account, email = _salon(ui)
    instance = ui.managers.instances.find(account)
    phone = ui.page(lang=None)
    phone.goto(instance["qr_code"])
    expect(phone.locator("#linked-to")).to_be_visible()
    connected = ui.managers.instances.find(account)
    assert connected["status"] == "connected"

    customer = ui.page(lang=None)
    _sign_in(customer, email)
    customer.goto(f"/a/{account}/settings")
    history = customer.locator("#connection-history")
    expect(history.get_by_role("heading", name="Histórico da conexão")).to_be_visible()
    when = connected["last_connected"].astimezone(ZoneInfo("America/Manaus")).strftime("%d/%m/%Y %H:%M")
    entry = history.locator("li[data-kind=connected]")
    expect(entry).to_contain_text(when)  # Manaus time, as Brazilians write it
    expect(entry).to_contain_text(re.compile(r"Conectado · \+55 00 \d{5}-\d{4}"))
    text = history.inner_text()
    assert str(connected["id"]) not in text and str(connected["port"]) not in text and "UTC" not in text
    expect(customer.locator("#worker-log")).to_have_count(0)
    assert customer.request.get(f"/a/{account}/settings/log.json").status == 404
    ui.shot(customer, "connection-history-pt")

    admin = ui.page(lang=None)
    _sign_in(admin, ui.admin())
    admin.goto(f"/a/{account}/settings")
    expect(admin.locator("#connection-history li[data-kind=connected]")).to_be_visible()
    admin.locator("#worker-log").get_by_role("button").first.click()  # refresh: the raw log
    expect(admin.locator("pre.log")).to_contain_text("listening on")
