"""Every route of an account, called by each role: an agent reaches the inbox, conversations,
contacts and appointments (API and pages) and is refused everything else (API: 403 forbidden;
pages: 404); the account's admin reaches all of it. Walked over app.url_map, like tenant
isolation (tests/web/test_isolation.py), so a new route cannot skip the check."""
from __future__ import annotations

import uuid

import pytest

from tests.support.clients import PASSWORD, bearer, csrf_token, signed_in

METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")
SIGNED_LINKS = ("media.signed_media",)
AGENT_API = {"contacts", "conversations", "appointments", "media",
             "whatsapp.send", "services.list_services", "services.get_service"}
"""What an agent may call, stated here apart from web/roles.py: blueprints, or single endpoints."""
AGENT_PAGES = {"ui_inbox", "ui_contacts", "ui_appointments"}
PLATFORM_ADMIN_PAGES = {"ui_settings.log"}
"""Pages of an account that only the platform admin opens (the worker's log)."""


def agent_may(endpoint: str, allowed: set[str]) -> bool:
    return endpoint in allowed or endpoint.partition(".")[0] in allowed


def refused_page(response) -> bool:
    """account_page's refusal: a 404 that names no missing thing (a thread's "no such
    conversation" is the page's own answer to a random id)."""
    if response.status_code != 404:
        return False
    if response.is_json:
        return response.get_json()["error"]["message"] == "page not found"
    return "<p>page not found</p>" in response.get_data(as_text=True).lower()


@pytest.fixture
def team(app, register, managers):
    """An account with its admin (the registering user) and an agent who accepted an invitation,
    each with an API key and a signed-in browser."""
    owner = register("Clínica Alpha")
    invitation = managers.members.invite(owner.id, {"email": "agente@example.com"}, None, str)
    agent = managers.members.accept(invitation["link"], {"name": "Bia", "password": PASSWORD})
    _row, agent_key = managers.identity.issue_api_key(owner.id, "agent's", agent["id"])
    return {"owner": owner, "agent": agent, "agent_headers": bearer(agent_key),
            "agent_browser": signed_in(app, "agente@example.com"),
            "owner_browser": signed_in(app, owner.email)}


def _routes(app, prefix: str):
    for rule in app.url_map.iter_rules():
        if "account_id" in rule.arguments and rule.endpoint not in SIGNED_LINKS \
                and rule.rule.startswith(prefix):
            for method in sorted(rule.methods & set(METHODS)):
                yield rule, method


def _url(app, rule, account_id) -> str:
    values = {"account_id": account_id}
    for name in rule.arguments - {"account_id"}:
        choices = getattr(rule._converters[name], "items", None)
        values[name] = sorted(choices)[0] if choices else str(uuid.uuid4())
    return app.url_map.bind("localhost").build(rule.endpoint, values, method=None)


def test_the_walks_meet_both_kinds_of_route(app):
    api = {rule.endpoint for rule, _m in _routes(app, "/api/")}
    pages = {rule.endpoint for rule, _m in _routes(app, "/a/")}
    assert {"members.invite", "contacts.list_contacts", "api_keys.create_api_key"} <= api
    assert {"ui_team.team", "ui_inbox.inbox", "ui_settings.settings"} <= pages


def test_an_agents_key_is_refused_exactly_the_admin_only_api_routes(app, client, team):
    account_id = team["owner"].id
    for rule, method in _routes(app, "/api/"):
        response = client.open(_url(app, rule, account_id), method=method, json={},
                               headers=team["agent_headers"])
        what = (method, rule.rule, response.status_code, response.get_data(as_text=True)[:200])
        assert response.status_code < 500, what
        refused = response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"
        assert refused != agent_may(rule.endpoint, AGENT_API), what
    assert len(client.get(f"/api/accounts/{account_id}/members",
                          headers=team["owner"].headers).get_json()["items"]) == 2  # nothing removed


def test_the_admins_key_is_refused_no_api_route(app, client, team):
    account_id = team["owner"].id
    for rule, method in _routes(app, "/api/"):
        if method == "GET":
            response = client.get(_url(app, rule, account_id), headers=team["owner"].headers)
            assert response.status_code != 403, (rule.rule, response.get_data(as_text=True)[:200])


def test_an_agent_gets_404_on_exactly_the_admin_only_pages(app, team):
    browser, account_id = team["agent_browser"], team["owner"].id
    headers = {"X-CSRFToken": csrf_token(browser, "/password")}
    for rule, method in _routes(app, "/a/"):
        response = browser.open(_url(app, rule, account_id), method=method, data={}, headers=headers)
        what = (method, rule.rule, response.status_code)
        assert response.status_code < 500, what
        assert refused_page(response) != agent_may(rule.endpoint, AGENT_PAGES), what


def test_the_admin_opens_every_page_an_agent_cannot(app, team):
    browser, account_id = team["owner_browser"], team["owner"].id
    for rule, method in _routes(app, "/a/"):
        if method == "GET" and not agent_may(rule.endpoint, AGENT_PAGES | PLATFORM_ADMIN_PAGES):
            response = browser.get(_url(app, rule, account_id))
            assert response.status_code < 500 and not refused_page(response), rule.rule


def test_an_agent_lands_on_the_inbox_and_its_menu_shows_only_what_it_may_use(app, team):
    browser, account_id = team["agent_browser"], team["owner"].id
    landing = browser.get("/")
    assert landing.headers["Location"].endswith(f"/a/{account_id}/inbox")
    html = browser.get(f"/a/{account_id}/inbox").get_data(as_text=True)
    for path in ("inbox", "contacts", "appointments"):
        assert f'href="/a/{account_id}/{path}"' in html
    for path in ("campaigns", "messaging", "settings", "team", "services"):
        assert f'href="/a/{account_id}/{path}"' not in html
    assert f'href="/a/{account_id}/"' not in html
    owner_html = team["owner_browser"].get(f"/a/{account_id}/inbox").get_data(as_text=True)
    assert f'href="/a/{account_id}/team"' in owner_html


def test_an_admin_who_makes_themself_agent_lands_on_the_inbox(app, managers, team):
    account_id, owner_browser = team["owner"].id, team["owner_browser"]
    managers.members.change_role(account_id, team["agent"]["id"], {"role": "admin"})
    [owner] = [m for m in managers.members.list_members(account_id) if m["email"] == team["owner"].email]
    token = csrf_token(owner_browser, f"/a/{account_id}/team")
    response = owner_browser.post(f"/a/{account_id}/team/{owner['id']}/role",
                                  data={"role": "agent", "csrf_token": token})
    assert response.headers["Location"].endswith(f"/a/{account_id}/inbox")
    assert owner_browser.get(f"/a/{account_id}/team").status_code == 404
