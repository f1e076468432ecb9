"""No English on a page shown to a Portuguese-speaking browser: every page a business, the platform
admin and a visitor reach, each form's error flow and a 404, checked against the catalogue's
English texts and a few English giveaway words."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.messages.pofile import read_po
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.support.clients import PASSWORD
from tests.support.crawl import walk_pages

CATALOGUE = Path(__file__).resolve().parents[2] / "web" / "translations" / "pt_BR" / "LC_MESSAGES"
GIVEAWAYS = re.compile(r"\bthe\b|\bmust be\b|\bnot found\b|\binvalid\b|\bError\b|\bis not\b|"
                       r"\bplease\b|\bcannot\b|\bshould\b|\brequired\b", re.IGNORECASE)
ALLOWED = re.compile(r"zapfleet|WhatsApp|Evolution API|QR code|[\w.+-]+@[\w.-]+|\+?\d[\d ()-]{7,}\d")
"""Brand names, e-mail addresses and phone numbers: never translated."""
VISIBLE_TEXT = """() => {
  const hidden = [...document.querySelectorAll("pre, code")].filter(e => e.style.display !== "none");
  hidden.forEach(e => e.style.display = "none");  // commands and the platform's raw log: machine text
  const text = [document.title, document.body.innerText];
  hidden.forEach(e => e.style.display = "");
  for (const e of document.querySelectorAll("select option, input[type=submit]")) {
    text.push(e.tagName === "OPTION" ? e.textContent : e.value);  // a list's choices, too
  }
  for (const e of document.querySelectorAll("[placeholder], [title], [aria-label]")) {
    if (e.closest("pre, code")) continue;
    for (const name of ["placeholder", "title", "aria-label"]) {
      if (e.getAttribute(name)) text.push(e.getAttribute(name));
    }
  }
  return text.join("\\n");
}"""
RISKY = re.compile(r"logout|language|delete|remove|revoke|cancel|suspend|stop|disconnect|unlink|drain|"
                   r"pause|resume|start|restart|engine|status|plan|bot$|read$|assign", re.I)
"""Forms whose bad submission would end the session or change what the other checks need."""
FORMS = """() => [...document.querySelectorAll("form")].map((form, index) => ({index,
  action: form.getAttribute("action") || "", method: (form.getAttribute("method") || "get").toLowerCase(),
  fields: [...form.querySelectorAll("input:not([type=hidden]):not([type=checkbox]):not([type=radio])"
          + ":not([type=submit]):not([type=file]), textarea")].filter(e => e.offsetParent).length}))"""
SUBMIT_BADLY = """(index) => {
  const form = document.querySelectorAll("form")[index];
  form.noValidate = true;
  for (const e of form.querySelectorAll("input:not([type=hidden]):not([type=checkbox]):not([type=radio])"
                                        + ":not([type=submit]):not([type=file]), textarea")) {
    e.value = e.type === "email" ? "x" : "x1";
  }
  form.requestSubmit();
}"""


def _english_texts() -> tuple[set[str], list[re.Pattern]]:
    """The catalogue's English texts whose Portuguese differs: plain ones, and ones with
    placeholders as patterns (only those with enough words of their own to be recognised)."""
    with open(CATALOGUE / "messages.po", encoding="utf-8") as handle:
        catalogue = read_po(handle)
    plain, patterns = set(), []
    for message in catalogue:
        if not message.id or not isinstance(message.id, str) or message.string == message.id:
            continue
        if "%(" not in message.id:
            plain.add(message.id)
            continue
        words = re.sub(r"%\(\w+\)s", " ", message.id)
        if len(re.findall(r"[A-Za-z]{3,}", words)) >= 2:
            parts = re.split(r"%\(\w+\)s", message.id)
            patterns.append(re.compile(".+?".join(re.escape(part) for part in parts)))
    return plain, patterns


PLAIN, PATTERNS = _english_texts()


def english_in(text: str) -> list[str]:
    """The lines of a page's text that are English: a catalogue text or a giveaway word."""
    found = []
    for line in (line.strip() for line in text.splitlines()):
        bare = ALLOWED.sub("", line)
        if not re.search(r"[A-Za-z]{2,}", bare):
            continue
        if line in PLAIN or line.rstrip(".:") in PLAIN or GIVEAWAYS.search(bare) \
                or any(pattern.fullmatch(line) for pattern in PATTERNS) \
                or any(len(t) > 24 and " " in t and t in line for t in PLAIN):
            found.append(line)
    return found


def _check(page: Page, where: str, problems: dict[str, list[str]]) -> None:
    page.wait_for_load_state("load")
    english = english_in(page.evaluate(VISIBLE_TEXT))
    if english:
        problems[where] = sorted(set(english))


def _bad_submissions(page: Page, path: str, problems: dict[str, list[str]]) -> None:
    """Each form of the page with fillable fields, submitted with nonsense: its error, checked."""
    forms = [f for f in page.evaluate(FORMS)
             if f["method"] == "post" and f["fields"] and not RISKY.search(f["action"])]
    for form in forms:
        page.goto(path)
        try:
            with page.expect_navigation(wait_until="load", timeout=5000):
                page.evaluate(SUBMIT_BADLY, form["index"])
        except PlaywrightTimeout:  # a form the page sends itself (JSON): its answer shows in place
            pass
        _check(page, f"{path} bad form {form['action']}", problems)
    page.goto(path)  # the walk reads the links of the page it showed


def _walk(page: Page, start: str, at_least: int) -> dict[str, list[str]]:
    """What is English on each page reachable from start (at least this many pages)."""
    problems: dict[str, list[str]] = {}
    visited = []
    for path in walk_pages(page, start):
        visited.append(path)
        _check(page, path, problems)
        _bad_submissions(page, path, problems)
    assert len(visited) >= at_least, visited
    return problems


def _sign_in(page: Page, email: str) -> None:
    """Sign in through the Portuguese form."""
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Senha", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_load_state()


def _business(ui) -> tuple[str, str]:
    """A salon with contacts, a conversation, a campaign, a service, an appointment, an API key
    and its sandbox WhatsApp linked; (account id, its user's e-mail)."""
    m, email = ui.managers, "bela-pt@example.com"
    account = m.accounts.register_customer({"name": "Salão Bela", "email": email, "password": PASSWORD},
                                           with_api_key=False)["account"]["id"]
    m.contacts.create_contact(account, {"phone": "11987654320", "name": "Maria", "tags": ["vip"]})
    m.conversations.record_message(account, "11987654320", "in", "Oi! Tem horário amanhã?", "received")
    m.campaigns.create_campaign(account, {"name": "Promoção de verão", "message": "Oi {nome}!"})
    service = m.catalog.create_service(account, {"name": "Corte", "duration_minutes": 30,
                                                 "price_cents": 4500})
    tomorrow = datetime.now(ZoneInfo("America/Sao_Paulo")).date() + timedelta(days=1)
    m.appointments.create_appointment(account, {"phone": "11987654320", "service_id": str(service["id"]),
                                                "notify": False, "starts_at": f"{tomorrow}T10:00:00"})
    m.identity.issue_api_key(account, "n8n")
    instance = m.instances.connect(account)["instance"]
    code = m.instances.find(account)["qr_code"]
    m.instances.follow_qr_link(str(instance["id"]), code.rsplit("/sandbox/scan/", 1)[1])
    return str(account), email


def test_the_checker_finds_english_and_lets_portuguese_brands_and_user_data_pass():
    assert english_in("Page not found\nSettings") == ["Page not found", "Settings"]
    assert english_in("phone: '123' must be a phone number") != []
    counts = "2 new contacts, 0 updated, 1 rows with errors."  # a text with placeholders
    assert english_in(counts) == [counts]
    assert english_in("Página não encontrada\nzapfleet\nWhatsApp\nbela@example.com\n+55 11 98765-4321") == []


def test_no_english_on_any_page_for_a_business_the_platform_admin_or_a_visitor(ui):
    account, email = _business(ui)
    problems: dict[str, list[str]] = {}
    visitor = ui.page(lang=None)
    problems.update(_walk(visitor, "/login", 2))
    business = ui.page(lang=None)
    _sign_in(business, email)
    problems.update(_walk(business, f"/a/{account}/", 10))
    for missing in ("/nada-aqui", f"/a/{account}/nada"):
        business.goto(missing)
        _check(business, missing, problems)
    admin = ui.page(lang=None)
    _sign_in(admin, ui.admin())
    problems.update({f"admin {path}": lines for path, lines in _walk(admin, "/", 4).items()})
    assert problems == {}, "\n".join(f"{path}: {lines}" for path, lines in problems.items())
