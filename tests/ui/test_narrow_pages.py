"""Every page at a phone's width (390 px): no horizontal scroll, and the menu folds behind a button."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from tests.support.clients import PASSWORD
from tests.support.crawl import walk_pages

WIDTH = 390
LONG_WORD = "https://exemplo.com.br/agenda/" + "promocao-de-verao-" * 8 + "?utm_source=whatsapp"
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"
CULPRITS = """() => [...document.querySelectorAll("body *")]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(-3).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
                      + (e.className && e.className.baseVal === undefined ? "." + e.className : ""))"""


def _customer_with_data(ui) -> tuple[str, str]:
    """A business with contacts, a conversation with a long message, a campaign, services and an
    appointment, its WhatsApp linked to the sandbox phone; (account id, its user's e-mail)."""
    m, email = ui.managers, "bela-narrow@example.com"
    created = m.accounts.register_customer(
        {"name": "Salão Bela Vista Cabeleireiros e Estética Avançada", "email": email,
         "password": PASSWORD}, with_api_key=False)
    account = created["account"]["id"]
    for n in range(3):
        m.contacts.create_contact(account, {"phone": f"1198765432{n}", "tags": ["vip", LONG_WORD[:40]],
                                            "name": f"Maria Aparecida dos Santos Oliveira {n}"})
    m.conversations.record_message(account, "11987654320", "in", f"Oi! Vi isto: {LONG_WORD} " * 3,
                                   "received")
    m.campaigns.create_campaign(account, {"name": "Promoção de verão " + LONG_WORD[:60],
                                          "message": f"Oi {{name}}! {LONG_WORD}", "link": LONG_WORD})
    service = m.catalog.create_service(account, {"name": "Escova progressiva com hidratação profunda",
                                                 "duration_minutes": 90, "price_cents": 25000})
    m.catalog.create_service(account, {"name": "Corte", "duration_minutes": 30})
    tomorrow = datetime.now(ZoneInfo("America/Sao_Paulo")).date() + timedelta(days=1)
    m.appointments.create_appointment(account, {
        "phone": "11987654321", "service_id": str(service["id"]), "notify": False,
        "starts_at": f"{tomorrow.isoformat()}T10:00:00", "notes": LONG_WORD})
    m.identity.issue_api_key(account, "n8n " + LONG_WORD[:50])
    m.webhooks.configure(account, {"url": LONG_WORD})
    instance = m.instances.connect(account)["instance"]
    code = m.instances.find(account)["qr_code"]
    m.instances.follow_qr_link(str(instance["id"]), code.rsplit("/sandbox/scan/", 1)[1])
    return str(account), email


def _too_wide(page: Page, start: str) -> dict[str, tuple[int, list[str]]]:
    """Every page reachable from start whose content is wider than the window: by how much, and
    the innermost elements that stick out."""
    wide = {}
    for path in walk_pages(page, start):
        page.wait_for_load_state("load")
        extra = page.evaluate(OVERFLOW)
        if extra > 0:
            wide[path] = (extra, page.evaluate(CULPRITS))
    return wide


def test_no_page_scrolls_sideways_at_390_px_for_a_business_or_the_platform_admin(ui):
    account, email = _customer_with_data(ui)
    ui.managers.accounts.create_account({"name": "Academia Força Total Musculação e Pilates Ltda."})
    business = ui.page(width=WIDTH, height=844)
    ui.sign_in(business, email)
    assert _too_wide(business, f"/a/{account}/") == {}
    admin = ui.page(width=WIDTH, height=844)
    ui.sign_in(admin, ui.admin())
    visited = _too_wide(admin, "/admin")
    assert visited == {}
    business.goto(f"/a/{account}/contacts")
    ui.shot(business, "narrow-contacts")


def test_at_phone_width_the_menu_folds_behind_a_button_that_mouse_and_keyboard_open(ui):
    account, email = _customer_with_data(ui)
    page = ui.page(width=WIDTH, height=844)
    ui.sign_in(page, email)
    page.goto(f"/a/{account}/contacts")
    button = page.get_by_role("button", name="Menu")
    nav = page.get_by_role("navigation", name="Main menu")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()
    assert page.locator("header.topbar").bounding_box()["height"] < 80
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Campaigns")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    ui.shot(page, "narrow-menu-open")
    button.click()
    expect(nav).to_be_hidden()

    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="WhatsApp", exact=True)).to_be_focused()
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(button).to_be_focused()
    page.keyboard.press("Space")
    nav.get_by_role("link", name="Campaigns").click()
    expect(page).to_have_url(f"{ui.base}/a/{account}/campaigns")

    desktop = ui.page(width=1280)
    ui.sign_in(desktop, email)
    expect(desktop.get_by_role("button", name="Menu")).to_be_hidden()
    expect(desktop.get_by_role("navigation", name="Main menu").get_by_role("link", name="Inbox")).to_be_visible()
