"""Accessibility in a real browser: axe-core finds no serious or critical violation on any page
(a business with data, its agent, the platform admin, a visitor, forms showing their errors, in
Portuguese and English, on a desktop and at a phone's width), and the keyboard reaches the main
controls with a visible focus outline."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.support.axe import Violation, report, severe_violations
from tests.support.clients import PASSWORD
from tests.support.crawl import walk_pages

APP_CSS = Path(__file__).resolve().parents[2] / "web" / "static" / "app.css"

RISKY = ("logout", "language", "delete", "remove", "revoke", "cancel", "suspend", "stop", "disconnect",
         "unlink", "drain", "pause", "resume", "start", "restart", "engine", "status", "plan", "assign")
"""Forms whose bad submission would end the session or change what the walk needs."""
FORMS = """() => [...document.querySelectorAll("form")].map((form, index) => ({index,
  action: form.getAttribute("action") || "", method: (form.getAttribute("method") || "get").toLowerCase(),
  fields: [...form.querySelectorAll("input[type=text], input[type=email], input[type=tel], textarea")]
          .filter(e => e.offsetParent).length}))"""
SUBMIT_BADLY = """(index) => {
  const form = document.querySelectorAll("form")[index];
  form.noValidate = true;
  for (const e of form.querySelectorAll("input[type=text], input[type=email], input[type=tel], textarea")) {
    e.value = e.type === "email" ? "x" : "x1";
  }
  form.requestSubmit();
}"""
FOCUS_RING = """() => {
  const e = document.activeElement;
  const shown = e.classList.contains("visually-hidden") ? e.closest("label") : e;  // the label shows it
  const s = getComputedStyle(shown);
  return {tag: e.tagName.toLowerCase(), name: e.getAttribute("name") || e.textContent.trim().slice(0, 40),
          outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2 ? s.outlineWidth : "",
          visible: e.matches(":focus-visible")};
}"""


def _business(ui, email: str) -> str:
    """A salon with contacts, a conversation, a campaign, services, an appointment, an API key and
    its sandbox WhatsApp linked; its account id."""
    m = ui.managers
    account = m.accounts.register_customer({"name": "Salão Bela", "email": email, "password": PASSWORD},
                                           with_api_key=False)["account"]["id"]
    m.contacts.create_contact(account, {"phone": "11987654320", "name": "Maria", "tags": ["vip"]})
    m.contacts.create_contact(account, {"phone": "11987654321", "name": "João"})
    m.conversations.record_message(account, "11987654320", "in", "Oi! Tem horário amanhã?", "received")
    m.conversations.record_message(account, "11987654320", "out", "Temos às 10h.", "sent")
    m.campaigns.create_campaign(account, {"name": "Promoção de verão", "message": "Oi {nome}!"})
    service = m.catalog.create_service(account, {"name": "Corte", "duration_minutes": 30,
                                                 "price_cents": 4500})
    m.catalog.create_service(account, {"name": "Escova", "duration_minutes": 45})
    tomorrow = datetime.now(ZoneInfo("America/Sao_Paulo")).date() + timedelta(days=1)
    m.appointments.create_appointment(account, {"phone": "11987654320", "service_id": str(service["id"]),
                                                "notify": False, "starts_at": f"{tomorrow}T10:00:00"})
    m.identity.issue_api_key(account, "n8n")
    m.webhooks.configure(account, {"url": "https://exemplo.com.br/ganchos"})
    instance = m.instances.connect(account)["instance"]
    code = m.instances.find(account)["qr_code"]
    m.instances.follow_qr_link(str(instance["id"]), code.rsplit("/sandbox/scan/", 1)[1])
    return str(account)


def _bad_submissions(page: Page, path: str, found: dict[str, list[Violation]]) -> None:
    """Each form of the page with text fields, submitted with nonsense: the page with its error."""
    forms = [f for f in page.evaluate(FORMS) if f["method"] == "post" and f["fields"]
             and not any(word in f["action"] for word in RISKY)]
    for form in forms:
        page.goto(path)
        try:
            with page.expect_navigation(wait_until="load", timeout=5000):
                page.evaluate(SUBMIT_BADLY, form["index"])
        except PlaywrightTimeout:  # a form the page sends itself: its answer shows in place
            pass
        found[f"{path} after a bad {form['action'] or 'form'}"] = severe_violations(page)
    page.goto(path)  # the walk reads the links of the page it showed


def _walk(page: Page, start: str, at_least: int, forms: bool = False) -> dict[str, list[Violation]]:
    """axe's serious and critical findings on each page reachable from start."""
    found: dict[str, list[Violation]] = {}
    for path in walk_pages(page, start):
        found[path] = severe_violations(page)
        if forms:
            _bad_submissions(page, path, found)
    assert len(found) >= at_least, list(found)
    return found


def _signed_in(ui, email: str, lang: str | None, width: int = 1280) -> Page:
    page = ui.page(lang=lang, width=width)
    page.goto("/login")
    page.locator("#f-email").fill(email)
    page.locator("#f-password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    return page


def _agent(ui, account: str, lang: str | None, width: int) -> dict[str, list[Violation]]:
    """An agent invited to the account: the invitation page (also with an error), then every page
    the agent reaches."""
    links: list[str] = []
    ui.managers.members.invite(account, {"email": f"bia-{width}@example.com", "role": "agent"}, None,
                               lambda token: links.append(f"/invite/{token}") or links[-1])
    page = ui.page(lang=lang, width=width)
    page.goto(links[0])
    found = {"/invite/{token}": severe_violations(page)}
    page.locator("main form").evaluate("f => f.noValidate = true")
    page.locator("#f-name").fill("Bia")
    page.locator("#f-password").fill("curta")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("[role=alert], .field-error").first).to_be_visible()
    found["/invite/{token} with errors"] = severe_violations(page)
    page.locator("#f-password").fill(PASSWORD + "-agente")
    with page.expect_navigation(wait_until="load"):
        page.locator("main form button[type=submit]").click()
    found.update({f"agent {p}": v for p, v in _walk(page, urlsplit(page.url).path, 3).items()})
    return found


def test_the_checker_reports_an_unlabelled_field_faint_text_and_a_nameless_button(browser):
    page = browser.new_page()
    page.set_content("""<html lang="pt-BR"><head><title>t</title></head><body><main><h1>Teste</h1>
      <input type="text"><p style="color:#bbb;background:#fff">Texto claro demais</p>
      <button></button></main></body></html>""")
    rules = {v.rule: v for v in severe_violations(page)}
    assert {"label", "color-contrast", "button-name"} <= set(rules)
    message = report({"/teste": list(rules.values())})
    assert "/teste:" in message and "button-name" in message and "input" in message
    page.set_content("""<html lang="pt-BR"><head><title>t</title></head><body><main><h1>Teste</h1>
      <label>Nome <input type="text"></label><button>Salvar</button></main></body></html>""")
    assert severe_violations(page) == []
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUS_RING)["outline"] == ""  # the browser's own thin ring is not enough
    page.add_style_tag(path=str(APP_CSS))
    assert page.evaluate(FOCUS_RING)["outline"] == "3px"
    page.close()


@pytest.mark.parametrize(("lang", "width"), [(None, 1280), ("en", 390)])
def test_no_serious_violation_on_any_page_for_a_business_or_the_platform_admin(ui, lang, width):
    account = _business(ui, f"bela-a11y-{width}@example.com")
    business = _signed_in(ui, f"bela-a11y-{width}@example.com", lang, width)
    found = _walk(business, f"/a/{account}/", 15, forms=lang is None)
    for path, status in (("/nada-aqui", 404), (f"/a/{account}/nada", 404),
                         (f"/a/{account}/inbox/search?q=Maria", 200)):
        assert business.goto(path).status == status, path
        found[path] = severe_violations(business)
    ui.managers.evolution_servers.create({"name": "evo-1", "url": "https://evo1.example.com",
                                          "api_key": "k" * 32, "capacity": 20})
    found.update(_agent(ui, account, lang, width))
    admin = _signed_in(ui, ui.admin(), lang, width)
    found.update({f"admin {p}": v for p, v in _walk(admin, "/", 4, forms=lang is None).items()})
    problems = report(found)
    assert not problems, "\n" + problems


@pytest.mark.parametrize("lang", [None, "en"])
def test_no_serious_violation_on_the_signed_out_pages_and_their_errors(ui, lang):
    account = ui.managers.accounts.register_customer(
        {"name": "Clínica Sorriso", "email": "sorriso@example.com", "password": PASSWORD},
        with_api_key=False)["account"]["id"]
    ui.managers.instances.connect(account)
    scan = "/sandbox/scan/" + ui.managers.instances.find(account)["qr_code"].rsplit("/sandbox/scan/", 1)[1]
    page = ui.page(lang=lang)
    found = _walk(page, "/login", 2)
    for path, status in (("/nada-aqui", 404), ("/api/docs", 200), (scan, 200)):  # API docs, sandbox phone
        assert page.goto(path).status == status, path
        found[path] = severe_violations(page)
    page.goto("/login")
    page.locator("#f-email").fill("sorriso@example.com")
    page.locator("#f-password").fill("não é esta")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("[role=alert], .field-error").first).to_be_visible()
    found["/login with a wrong password"] = severe_violations(page)
    page.goto("/signup")
    page.locator("#f-name").fill("Academia")
    page.locator("#f-phone").fill("12")
    page.locator("#f-email").fill("academia@example.com")
    page.locator("#f-password").fill("curta")
    page.locator("main form").evaluate("f => f.noValidate = true")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("[role=alert], .field-error").first).to_be_visible()
    found["/signup with errors"] = severe_violations(page)
    signed_in = _signed_in(ui, "sorriso@example.com", lang)
    signed_in.goto("/password")
    signed_in.locator("#f-old_password").fill("não é esta")
    signed_in.locator("#f-new_password").fill("x")
    signed_in.locator("main form").evaluate("f => f.noValidate = true")
    signed_in.locator("main form button[type=submit]").click()
    expect(signed_in.locator("[role=alert], .field-error").first).to_be_visible()
    found["/password with errors"] = severe_violations(signed_in)
    problems = report(found)
    assert not problems, "\n" + problems


def _tab_to(page: Page, selector: str, limit: int = 60) -> list[dict]:
    """Press Tab until the element matching selector has the focus; each stop's focus style."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUS_RING))
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return stops
    raise AssertionError(f"Tab never reached {selector}: {stops}")


def test_the_keyboard_reaches_the_sign_in_form_and_the_inbox_with_a_visible_outline(ui):
    email = "bela-keys@example.com"
    account = _business(ui, email)
    page = ui.page()
    page.goto("/login")
    stops = _tab_to(page, "#f-email")
    page.keyboard.type(email)
    stops += _tab_to(page, "#f-password")
    page.keyboard.type(PASSWORD)
    stops += _tab_to(page, "main form button[type=submit]")
    assert all(stop["outline"] and stop["visible"] for stop in stops), stops
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/a/{account}/")

    page.goto(f"/a/{account}/inbox")
    stops = _tab_to(page, "#inbox-q")
    stops += _tab_to(page, "nav.inbox-filters a")
    stops += _tab_to(page, "#conversations a")
    assert all(stop["outline"] and stop["visible"] for stop in stops), stops
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    stops = _tab_to(page, "#team-form select")
    stops += _tab_to(page, "#reply-form input[type=file]")
    stops += _tab_to(page, "#f-message")
    stops += _tab_to(page, "#reply-form button[type=submit]")
    assert all(stop["outline"] and stop["visible"] for stop in stops), stops
