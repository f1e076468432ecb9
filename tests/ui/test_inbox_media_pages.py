"""Files in the inbox, in a real browser: a customer sends a photo, a voice note and a PDF from
the sandbox phone; the business sees them, plays them, and answers with a file, quoting one."""
from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.support.files import OGG, PDF, png
from tests.support.pages import link_sandbox_phone


def _send_file(page: Page, name: str, mime_type: str, data: bytes, caption: str = "",
               voice: bool = False) -> None:
    page.get_by_label("Customer’s phone number").fill("11 98765-4321")
    page.get_by_label("Customer’s message").fill(caption)
    page.get_by_label("A photo, voice note, video or document (optional)").set_input_files(
        {"name": name, "mimeType": mime_type, "buffer": data})
    if voice:
        page.get_by_label("Send an audio as a voice note").check()
    page.get_by_role("button", name="Send", exact=True).click()


def test_photos_voice_notes_and_documents_show_and_play_and_the_business_answers_with_a_file(ui):
    business = ui.page()
    ui.sign_up(business, "Clínica Sorriso")
    link_sandbox_phone(business)
    phone = business.context.new_page()
    phone.goto(business.url)
    _send_file(phone, "sorriso.png", "image/png", png(160, 100), caption="Meu sorriso")
    _send_file(phone, "audio.ogg", "audio/ogg", OGG, voice=True)
    _send_file(phone, "exame.pdf", "application/pdf", PDF, caption="Meu exame")
    expect(phone.locator("#thread .bubble.inbound")).to_have_count(3)

    business.get_by_role("navigation", name="Main menu").get_by_role("link", name="Inbox").click()
    business.locator("#conversations li a").click()
    photo = business.locator("#thread .bubble.inbound img.media.image")
    expect(photo).to_have_attribute("alt", "Meu sorriso")
    business.wait_for_function("() => document.querySelector('#thread img.media').naturalWidth === 160")
    voice = business.locator("#thread .bubble.inbound .media.audio audio")
    expect(voice).to_have_attribute("aria-label", "voice note")
    business.wait_for_function("() => document.querySelector('#thread audio').readyState >= 1"
                               " || document.querySelector('#thread audio').error !== null")
    document = business.locator("#thread .bubble.inbound a.media.document")
    expect(document).to_contain_text("exame.pdf")
    with business.expect_download() as download:
        document.click()
    assert download.value.path().read_bytes() == PDF
    ui.shot(business, "inbox-media")

    business.locator("#thread .bubble.inbound", has_text="Meu exame").get_by_role(
        "button", name="Answer quoting this message").click()
    expect(business.locator("#reply-form .replying .quote")).to_have_text("Meu exame")
    business.locator("#reply-form input[type=file]").set_input_files(
        {"name": "receita.pdf", "mimeType": "application/pdf", "buffer": PDF})
    expect(business.locator("#reply-form .attached")).to_have_text("receita.pdf")
    business.get_by_label("Reply").fill("Segue a receita")
    business.get_by_role("button", name="Send", exact=True).click()
    sent = business.locator("#thread .bubble.outbound")
    expect(sent.locator("a.media.document")).to_contain_text("receita.pdf")
    expect(sent.locator(".quoted")).to_have_text("Meu exame")
    expect(business.locator("#reply-form .replying")).to_be_hidden()
    ui.shot(business, "inbox-media-reply")
    expect(phone.locator("#thread .bubble.outbound a.media.document")).to_contain_text("receita.pdf")


def test_the_sandbox_phone_reacts_edits_and_deletes_and_the_open_inbox_shows_it_live(ui):
    business = ui.page()
    ui.sign_up(business, "Barbearia Vila")
    link_sandbox_phone(business)
    phone = business.context.new_page()
    phone.goto(business.url)
    for text in ("Tem horário hoje?", "Às 15h?"):
        phone.get_by_label("Customer’s phone number").fill("11 98765-4321")
        phone.get_by_label("Customer’s message").fill(text)
        phone.get_by_role("button", name="Send", exact=True).click()
    expect(phone.locator("#thread .bubble.inbound")).to_have_count(2)
    business.get_by_role("navigation", name="Main menu").get_by_role("link", name="Inbox").click()
    business.locator("#conversations li a").click()
    business.evaluate("window.notReloaded = true")
    phone.reload()  # the choice of messages is drawn with the page
    for target, action, value in (("Às 15h?", "react", "👍"), ("Às 15h?", "edit", "Às 16h?"),
                                  ("Tem horário hoje?", "delete", "")):
        phone.get_by_label("Message", exact=True).select_option(label=target)
        phone.get_by_label("What the customer does").select_option(action)
        phone.get_by_label("Emoji").fill(value if action == "react" else "")
        phone.get_by_label("New text").fill(value if action == "edit" else "")
        phone.get_by_role("button", name="Do it").click()
    bubbles = business.locator("#thread .bubble.inbound")  # drawn again as they change, live
    expect(bubbles.nth(0).locator(".deleted")).to_have_text("message deleted")
    expect(bubbles.nth(1).locator(".text")).to_have_text("Às 16h?")
    expect(bubbles.nth(1).locator(".edited")).to_have_text("edited")
    expect(bubbles.nth(1).locator(".reactions")).to_have_text("👍")
    assert business.evaluate("window.notReloaded") is True
    ui.shot(business, "inbox-changes")
