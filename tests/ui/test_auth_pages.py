"""Sign-up, sign-in, sign-out, password change, CSRF and the login rate limit."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.clients import PASSWORD, english_client, csrf_token as _csrf, sign_in as _sign_in
from web import create_app


@pytest.fixture
def member(managers):
    created = managers.accounts.register_customer({"name": "Clínica Sorriso", "email": "ana@example.com",
                                         "password": PASSWORD}, with_api_key=False)
    return created


def test_sign_up_in_the_browser_lands_in_the_new_accounts_workspace(ui):
    page = ui.page()
    ui.sign_up(page, "Academia Forte")
    expect(page.get_by_text("Welcome! Your account is ready")).to_be_visible()
    expect(page.locator(".account-name")).to_have_text("Academia Forte")
    ui.shot(page, "signup-done")


def test_a_page_needs_a_session_and_sends_back_after_sign_in(client, member):
    account_id = member["account"]["id"]
    response = client.get(f"/a/{account_id}/contacts")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]
    response = client.post("/login?next=/a/%s/contacts" % account_id, data={
        "email": "ana@example.com", "password": PASSWORD, "csrf_token": _csrf(client, "/login")})
    assert response.headers["Location"] == f"/a/{account_id}/contacts"


@pytest.mark.parametrize("target", [
    "//evil.example.com/", "/%09/evil.example", "/%0A/evil.example", "/%0D/evil.example",
    "/%5Cevil.example", "https://evil.example/", "/a%0D%0ASet-Cookie:%20x=1"])
def test_next_never_leads_off_site_nor_fails(client, member, target):
    response = client.post(f"/login?next={target}", data={
        "email": "ana@example.com", "password": PASSWORD, "csrf_token": _csrf(client, "/login")})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/a/{member['account']['id']}/"


def test_a_form_without_the_csrf_token_is_refused(client, member):
    response = client.post("/login", data={"email": "ana@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert "The form expired: go back, reload the page and send it again." in response.get_data(as_text=True)
    assert client.get("/password").status_code == 302  # not signed in


def test_wrong_password_is_refused_and_after_five_failures_even_the_right_one(client, member):
    for _ in range(5):
        assert _sign_in(client, "ana@example.com", "wrong password!").status_code == 401
    response = _sign_in(client, "ana@example.com")
    assert response.status_code == 429
    assert "too many failed sign-ins" in response.get_data(as_text=True)


def test_a_good_sign_in_clears_earlier_failures(client, member):
    for _ in range(4):
        _sign_in(client, "ana@example.com", "wrong password!")
    assert _sign_in(client, "ana@example.com").status_code == 302
    client.post("/logout", data={"csrf_token": _csrf(client, "/password")})
    assert _sign_in(client, "ana@example.com", "wrong password!").status_code == 401
    assert _sign_in(client, "ana@example.com").status_code == 302


def test_sign_out_ends_the_session(client, member):
    _sign_in(client, "ana@example.com")
    token = _csrf(client, "/password")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/password").status_code == 302


def test_changing_the_password_ends_other_sessions(app, member):
    mine, other = app.test_client(), app.test_client()
    _sign_in(mine, "ana@example.com")
    _sign_in(other, "ana@example.com")
    response = mine.post("/password", data={"old_password": PASSWORD, "new_password": "a new long secret",
                                             "csrf_token": _csrf(mine, "/password")})
    assert response.status_code == 302
    assert mine.get("/password").status_code == 200
    assert other.get("/password").status_code == 302
    assert _sign_in(app.test_client(), "ana@example.com", "a new long secret").status_code == 302


def test_a_wrong_current_password_is_reported_on_the_form(client, member):
    _sign_in(client, "ana@example.com")
    response = client.post("/password", data={"old_password": "not it at all", "new_password": "um novo segredo forte",
                                              "csrf_token": _csrf(client, "/password")})
    assert response.status_code == 400
    assert "Current password: is not the current password" in response.get_data(as_text=True)


def test_sign_up_errors_name_the_field(client):
    response = client.post("/signup", data={"name": "Loja", "email": "not-an-email",
                                            "password": PASSWORD, "csrf_token": _csrf(client, "/signup")})
    assert response.status_code == 400
    assert "email" in response.get_data(as_text=True)


def test_the_platform_admin_lands_on_the_dashboard(client, managers):
    managers.identity.create_user("owner@example.com", PASSWORD, None)
    response = _sign_in(client, "owner@example.com")
    assert response.headers["Location"] == "/admin"


def test_unknown_pages_are_html_and_unknown_api_paths_json(client):
    page = client.get("/nothing-here", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.mimetype == "text/html"
    api = client.get("/api/nothing-here")
    assert api.status_code == 404 and api.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(("proxies", "recorded"), [(0, "127.0.0.1"), (1, "198.51.100.7")])
def test_the_client_address_comes_from_x_forwarded_for_only_behind_a_trusted_proxy(
        config, clean_db, identity, member, proxies, recorded):
    app = create_app(config.with_overrides(trusted_proxies=proxies), db=clean_db, identity=identity)
    client = english_client(app)
    client.post("/login", headers={"X-Forwarded-For": "198.51.100.7"}, data={
        "email": "ana@example.com", "password": "wrong password!!", "csrf_token": _csrf(client, "/login")})
    with clean_db.system() as conn, conn.cursor() as cur:
        cur.execute("SELECT address FROM login_failures")
        assert [row["address"] for row in cur.fetchall()] == [recorded]
