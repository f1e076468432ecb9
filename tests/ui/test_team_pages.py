"""The team page in a browser: the admin invites an agent, the link is shown (no SMTP here), the
agent accepts it in another browser, lands on the inbox and sees only what an agent may use."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.support.clients import PASSWORD


def _account_id(page) -> str:
    return re.search(r"/a/([0-9a-f-]{36})/", page.url).group(1)


def test_an_invited_agent_signs_in_and_sees_only_the_inbox_contacts_and_appointments(ui):
    admin = ui.page()
    ui.sign_up(admin, "Clínica Sorriso")
    account_id = _account_id(admin)
    admin.get_by_role("navigation", name="Main menu").get_by_role("link", name="Team").click()
    admin.get_by_label("E-mail").fill("bia@example.com")
    admin.get_by_label("Role", exact=True).select_option("agent")
    admin.get_by_role("button", name="Invite", exact=True).click()
    link = admin.get_by_role("textbox", name="Invitation link").input_value()
    assert f"{ui.base}/invite/" in link
    expect(admin.locator("tr[data-invitation='bia@example.com']")).to_contain_text("agent")

    agent = ui.page()
    agent.goto(link)
    expect(agent.get_by_role("heading", name="Join the team")).to_be_visible()
    expect(agent.get_by_text("Clínica Sorriso")).to_be_visible()
    agent.get_by_label("Your name").fill("Bia")
    agent.get_by_label("Choose a password").fill(PASSWORD)
    agent.get_by_role("button", name="Join").click()
    agent.wait_for_url(f"**/a/{account_id}/inbox")
    menu = agent.get_by_role("navigation", name="Main menu").get_by_role("link")
    expect(menu).to_have_text([re.compile(r"^Inbox"), "Contacts", "Appointments"])

    agent.get_by_role("button", name="Sign out").click()
    ui.sign_in(agent, "bia@example.com")
    agent.wait_for_url(f"**/a/{account_id}/inbox")
    for path in ("settings", "team", "campaigns", "messaging", "services", ""):
        response = agent.goto(f"/a/{account_id}/{path}")
        assert response.status == 404, path
    assert agent.goto(f"/a/{account_id}/contacts").status == 200
    assert agent.goto(f"/a/{account_id}/appointments").status == 200

    admin.goto(f"/a/{account_id}/team")
    expect(admin.locator("tr[data-member='bia@example.com']")).to_contain_text("Bia")
    expect(admin.get_by_text("No pending invitations.")).to_be_visible()
    ui.shot(admin, "team")


def test_the_admin_changes_a_role_and_the_last_admin_stays(ui):
    admin = ui.page()
    email = ui.sign_up(admin, "Academia Forte")
    account_id = _account_id(admin)
    admin.goto(f"/a/{account_id}/team")
    own_row = admin.locator(f"tr[data-member='{email}']")
    own_row.get_by_label(f"Role of {email}").select_option("agent")
    own_row.get_by_role("button", name="Change role").click()
    expect(admin.get_by_role("alert")).to_contain_text("at least one admin")
    assert admin.goto(f"/a/{account_id}/settings").status == 200  # still an admin


def test_the_team_page_and_the_invitation_page_are_in_portuguese(ui):
    admin = ui.page()
    ui.sign_up(admin, "Barbearia")
    account_id = _account_id(admin)
    admin.context.add_cookies([{"name": "lang", "value": "pt_BR", "url": ui.base}])
    admin.goto(f"/a/{account_id}/team")
    expect(admin.get_by_role("heading", name="Equipe", exact=True)).to_be_visible()
    admin.get_by_label("E-mail").fill("caio@example.com")
    admin.get_by_role("button", name="Convidar", exact=True).click()
    link = admin.get_by_role("textbox", name="Link de convite").input_value()
    visitor = ui.page(lang=None)
    visitor.goto(link)
    expect(visitor.get_by_role("heading", name="Entrar na equipe")).to_be_visible()
    expect(visitor.get_by_text("como atendente")).to_be_visible()
