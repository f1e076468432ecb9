"""Steps the browser tests share."""
from __future__ import annotations

from playwright.sync_api import Page, expect


def link_sandbox_phone(page: Page) -> str:
    """Connect the account's WhatsApp and link the sandbox phone; the account id."""
    account = page.url.rstrip("/").rsplit("/", 1)[1]
    page.get_by_role("button", name="Connect WhatsApp").click()
    expect(page.locator("#wa-status")).to_have_text("waiting for the QR scan")
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Sandbox phone").click()
    page.get_by_role("button", name="Link the sandbox phone").click()
    expect(page.get_by_text("The sandbox phone is linked.")).to_be_visible()
    return account


def open_more_actions(scope, button: str) -> None:
    """Assert `button` is hidden until the scope's "More actions" menu opens, then open it."""
    expect(scope.get_by_role("button", name=button, exact=True)).to_be_hidden()
    scope.get_by_text("More actions").click()
    expect(scope.get_by_role("button", name=button, exact=True)).to_be_visible()
