"""Pages in Brazilian Portuguese by default and English on request; the catalogue is complete."""
from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "web" / "translations" / "pt_BR" / "LC_MESSAGES"
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
ERRORS = ("NotFound", "Conflict", "Unavailable", "Forbidden", "Unauthorized", "TooManyRequests",
          "PlanLimit", "AccountSuspended", "message_id")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "InvalidInput": (2,), **{name: None for name in ERRORS}}


def _texts_in_the_code() -> set[str]:
    """Every text the pages mark for translation, and every literal error message the code
    raises (as the README's `pybabel extract` finds them)."""
    found = set()
    for folder in ("web", "src"):
        for _file, _line, message, _comments, _context in extract_from_dir(
                str(ROOT / folder), METHODS, keywords=KEYWORDS):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_pages_are_in_portuguese_unless_english_is_chosen(app):
    client = app.test_client()  # no language chosen yet
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="pt-BR"' in page and ">Entrar<" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/language", data={"lang": "en", "next": "/login", "csrf_token": token})
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in page and ">Sign in<" in page


def test_every_text_of_the_pages_has_its_portuguese_translation():
    with open(CATALOGUE / "messages.po", encoding="utf-8") as handle:
        catalogue = read_po(handle)
    translated = {m.id for m in catalogue if m.id and m.string and not m.fuzzy}
    missing = sorted(_texts_in_the_code() - translated)
    assert not missing, f"untranslated (run pybabel update, then translate): {missing[:20]}"


def test_the_compiled_catalogue_matches_its_source():
    with open(CATALOGUE / "messages.po", encoding="utf-8") as handle:
        source = {m.id: m.string for m in read_po(handle) if m.id and not m.fuzzy}
    with open(CATALOGUE / "messages.mo", "rb") as handle:
        compiled = {m.id: m.string for m in read_mo(handle) if m.id}
    assert compiled == source, "run `pybabel compile -d web/translations`"


def test_in_the_browser_a_new_visitor_reads_portuguese(ui):
    page = ui.page(lang=None)
    page.goto("/login")
    expect(page.get_by_role("button", name="Entrar")).to_be_visible()
    ui.shot(page, "login-pt")
    page.get_by_role("link", name="Crie uma conta para a sua empresa").click()
    page.get_by_label("Nome da empresa").fill("Barbearia do Zé")
    page.get_by_label("E-mail").fill("ze@example.com")
    page.get_by_label("Senha", exact=True).fill("correct horse battery")
    page.get_by_role("button", name="Criar conta").click()
    expect(page.get_by_text("Boas-vindas! Sua conta está pronta")).to_be_visible()
    expect(page.locator("#wa-status")).to_have_text("não conectado")
    ui.shot(page, "workspace-pt")
