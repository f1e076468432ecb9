"""The live stream in a real browser: what happens on one page shows on another open page
through the events process, with the polling shut out (any poll is refused and counted)."""
from __future__ import annotations

from playwright.sync_api import Page, Route, expect

from tests.support.pages import link_sandbox_phone

CONNECTED = "() => window.ZapfleetLive && window.ZapfleetLive.connected"


def shut_out_polling(page: Page, pattern: str) -> dict[str, list[str]]:
    """Refuse the page's polls of a .json route (its fetches on live events pass); the URLs of
    both, to count them."""
    seen: dict[str, list[str]] = {"polls": [], "on_events": []}

    def handle(route: Route) -> None:
        if "cause=event" in route.request.url:
            seen["on_events"].append(route.request.url)
            route.continue_()
        else:
            seen["polls"].append(route.request.url)
            route.abort()
    page.route(pattern, handle)
    return seen


def write_as_customer(page: Page, text: str, phone: str = "11 98765-4321") -> None:
    page.get_by_label("Customer’s phone number").fill(phone)
    page.get_by_label("Customer’s message").fill(text)
    page.get_by_role("button", name="Send", exact=True).click()


def test_a_customers_message_shows_on_another_open_page_without_polling(ui):
    writer = ui.page()
    ui.sign_up(writer, "Salão Bela")
    link_sandbox_phone(writer)
    write_as_customer(writer, "Oi! Vocês abrem sábado?")
    expect(writer.locator("#thread .bubble.inbound .text")).to_have_text(["Oi! Vocês abrem sábado?"])

    watcher = writer.context.new_page()  # the same chat, open in a second tab
    watcher.goto(writer.url)
    watcher.wait_for_function(CONNECTED)
    requests = shut_out_polling(watcher, "**/sandbox-phone/thread.json*")

    write_as_customer(writer, "E domingo?")
    expect(watcher.locator("#thread .bubble.inbound .text")).to_have_text(
        ["Oi! Vocês abrem sábado?", "E domingo?"])
    assert watcher.evaluate(CONNECTED)
    assert requests["polls"] == [] and requests["on_events"]


def test_the_owners_dashboard_shows_a_new_account_and_its_status_live(ui):
    owner = ui.page()
    ui.sign_in(owner, ui.admin())
    owner.goto("/admin")
    owner.wait_for_function(CONNECTED)
    requests = shut_out_polling(owner, "**/admin/status.json*")

    customer = ui.page()
    ui.sign_up(customer, "Clínica Sorriso")
    row = owner.locator("tbody[data-account]", has_text="Clínica Sorriso")
    expect(row).to_be_visible()
    customer.get_by_role("button", name="Connect WhatsApp").click()
    expect(row.locator('[data-field="badge"]')).to_have_text("Waiting for QR scan")
    expect(row.locator('[data-field="qr_img"]')).to_be_visible()
    assert owner.evaluate(CONNECTED)
    assert requests["polls"] == [] and requests["on_events"]


def test_pages_poll_again_while_the_stream_is_away(ui):
    page = ui.page()
    ui.sign_up(page, "Pet Feliz")
    page.wait_for_function(CONNECTED)
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if "/whatsapp.json" in r.url else None)
    page.evaluate("window.ZapfleetLive.renew = () => {};"  # the stream stays away
                  "window.ZapfleetLive.source.close(); window.ZapfleetLive.mark(false);")
    with page.expect_request(lambda r: "/whatsapp.json" in r.url and "cause=" not in r.url):
        pass
    assert not page.evaluate(CONNECTED)
    assert all("cause=event" in url for url in polls[:-1])
