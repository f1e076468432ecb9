"""The team inbox in a real browser: assignment, status and labels, private notes, quick replies
in the composer, a reply sent with Enter without reloading the page, the notice that messages
wait while WhatsApp is not connected, search, the unread total and desktop notifications."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def _salon(ui, page: Page) -> str:
    """A salon signed up in the page, with a message from Ana and one from Bruno; its account id."""
    ui.sign_up(page, "Salão Bela")
    account = page.url.rstrip("/").rsplit("/", 1)[1]
    managers = ui.managers
    managers.contacts.create_contact(account, {"phone": "11 98888-0001", "name": "Ana Souza"})
    managers.conversations.record_message(account, "11 98888-0001", "in", "Vocês têm horário amanhã?", "received")
    managers.conversations.record_message(account, "11 97777-0002", "in", "Quanto custa a escova?", "received")
    return account


def _open_inbox(page: Page, account: str, query: str = "") -> None:
    page.goto(f"/a/{account}/inbox{query}")


def test_a_conversation_is_assigned_labelled_and_given_a_private_note(ui):
    page = ui.page()
    account = _salon(ui, page)
    _open_inbox(page, account)
    ana = page.locator("#conversations li", has_text="Ana Souza")
    expect(ana.locator(".preview")).to_have_text("Vocês têm horário amanhã?")
    expect(ana.locator(".status")).to_have_text("Open")
    expect(page.locator("#unread-total")).to_have_text("2")
    ana.locator("a").click()
    expect(page.locator("#unread-total")).to_have_text("1")

    form = page.locator("#team-form")
    form.get_by_label("Status").select_option("pending")
    form.get_by_label("Assigned to").select_option(label=ui.managers.inbox.members(account)[0]["email"])
    form.get_by_label("Labels").fill("vip, cabelo")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Conversation updated.")).to_be_visible()
    ana = page.locator("#conversations li", has_text="Ana Souza")
    expect(ana.locator(".status")).to_have_text("Pending")
    expect(ana.locator(".label-chip")).to_have_text(["vip", "cabelo"])

    page.get_by_text("Add a private note").click()
    page.get_by_label("Private note (only your team sees it)").fill("Prefere horários à tarde.")
    page.get_by_role("button", name="Save note").click()
    note = page.locator("#thread .note-bubble")
    expect(note.locator(".text")).to_have_text("Prefere horários à tarde.")
    expect(note).to_contain_text("Private note (the customer does not see it)")
    conversation = ui.managers.conversations.find_conversation(account, "11 98888-0001")
    history = ui.managers.conversations.list_messages(account, conversation["id"])["items"]
    assert [m["body"] for m in history] == ["Vocês têm horário amanhã?"]  # never sent
    ui.shot(page, "inbox-team")
    note.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Note deleted.")).to_be_visible()
    expect(page.locator("#thread .note-bubble")).to_have_count(0)

    page.get_by_role("navigation", name="Filter conversations").get_by_role("link", name="Mine").click()
    expect(page.locator("#conversations li .who")).to_have_text(["Ana Souza"])
    page.get_by_role("navigation", name="Filter conversations").get_by_role("link", name="Unassigned").click()
    expect(page.locator("#conversations li .who")).to_have_text(["+55 11 97777-0002"])
    page.get_by_role("navigation", name="Filter conversations").get_by_role("link", name="All").click()
    page.locator("#status-filter").select_option("pending")
    expect(page.locator("#conversations li .who")).to_have_text(["Ana Souza"])


def test_a_quick_reply_fills_the_composer_and_enter_sends_without_a_reload(ui):
    page = ui.page()
    account = _salon(ui, page)
    _open_inbox(page, account)
    page.get_by_role("link", name="Quick replies").click()
    page.get_by_label("Shortcut").fill("precos")
    page.get_by_label("Text").fill("Olá, {primeiro_nome}! A escova custa R$ 80.")
    page.get_by_role("button", name="Save quick reply").click()
    expect(page.locator("#quick-replies")).to_contain_text("/precos")

    _open_inbox(page, account)
    page.locator("#conversations li", has_text="Ana Souza").locator("a").click()
    page.evaluate("window.notReloaded = true")
    # WhatsApp is not connected: the inbox says the messages wait
    expect(page.locator("#queued-notice")).to_be_visible()
    composer = page.get_by_label("Reply")
    composer.press_sequentially("/pre")
    options = page.locator("#quick-list [role=option]")
    expect(options).to_have_count(1)
    expect(options).to_contain_text("/precos")
    composer.press("Enter")  # picks the quick reply, sends nothing yet
    expect(composer).to_have_value("Olá, Ana! A escova custa R$ 80.")
    expect(page.locator("#quick-list")).to_be_hidden()
    composer.press("Shift+Enter")
    composer.press_sequentially("Posso agendar?")
    expect(composer).to_have_value("Olá, Ana! A escova custa R$ 80.\nPosso agendar?")
    assert page.locator("#thread .bubble.outbound").count() == 0
    composer.press("Enter")
    sent = page.locator("#thread .bubble.outbound")
    expect(sent.locator(".text")).to_have_text("Olá, Ana! A escova custa R$ 80.\nPosso agendar?")
    expect(composer).to_have_value("")
    expect(sent.locator(".waiting")).to_be_visible()
    expect(sent.locator(".waiting")).to_have_text("waits for WhatsApp to connect")
    assert page.evaluate("window.notReloaded") is True
    ui.shot(page, "inbox-composer-queued")


def test_search_finds_messages_without_accents_and_contacts_by_name(ui):
    page = ui.page()
    account = _salon(ui, page)
    _open_inbox(page, account)
    page.get_by_role("search").get_by_label("Search messages and contacts").fill("horario")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    expect(page.locator("#message-results li")).to_have_count(1)
    expect(page.locator("#message-results")).to_contain_text("Vocês têm horário amanhã?")
    expect(page.locator("#contact-results")).to_contain_text("No contact matches.")
    page.get_by_label("Search messages and contacts").fill("ana")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#contact-results li")).to_have_text([re.compile("Ana Souza")])
    page.locator("#contact-results a").click()
    expect(page.locator("#thread-title")).to_contain_text("Ana Souza")


def test_a_new_message_notifies_the_desktop_while_the_tab_is_hidden(ui):
    page = ui.page()
    account = _salon(ui, page)
    page.context.grant_permissions(["notifications"])
    page.add_init_script("""
        window.shown = [];
        window.Notification = class { constructor(title, options) { window.shown.push(title); }
          static get permission() { return "granted"; }
          static requestPermission() { return Promise.resolve("granted"); } };
    """)
    _open_inbox(page, account)
    toggle = page.locator("#notify-toggle")
    expect(toggle).to_have_text("Notify me of new messages")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(toggle).to_have_text("Turn off notifications")
    event = "document.dispatchEvent(new CustomEvent('zapfleet:message', {detail: {account_id: %r," \
            " conversation_id: 'c1', message_id: %r, direction: 'in', status: 'received'}}))"
    page.evaluate(event % (account, "m1"))  # the tab is visible: no notification
    assert page.evaluate("window.shown") == []
    page.evaluate("Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true})")
    page.evaluate(event % (account, "m2"))
    page.evaluate(event % (account, "m2"))  # the same message again (a receipt): once
    assert page.evaluate("window.shown") == ["New message on WhatsApp"]
    # with the live stream closed, the list's poll notices the unread total growing
    ui.managers.conversations.record_message(account, "11 96666-0003", "in", "Oi!", "received")
    page.wait_for_function("window.shown.length === 2")
    expect(page.locator("#unread-total")).to_have_text("3")
