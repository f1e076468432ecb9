"""The live stream over real HTTP, with the real events process fed by PostgreSQL's NOTIFY:
a page's token opens its account's stream, a stored message reaches it at once (ids and status,
never the text), and no other account ever sees it."""
from __future__ import annotations

import uuid

from tests.support.clients import PASSWORD, signed_in
from tests.support.events import TEST_SECRET, first, open_stream
from zapfleet.db import instances as instances_sql
from zapfleet.live import tokens

PAGE_ORIGIN = "http://localhost"
"""The test client's pages are served from here (the origin their tokens name)."""


def token_of(client, account: str = "") -> str:
    answer = client.get(f"/live/token.json?account={account}")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()["token"]


def send(client, tenant, text: str = "Oi") -> None:
    answer = client.post(f"/api/accounts/{tenant.id}/send", headers=tenant.headers,
                         json={"phone": "5511988887777", "message": text})
    assert answer.status_code == 202, answer.get_json()


def test_a_stored_message_reaches_its_accounts_stream_only(events_process, app, client, register):
    ana, bia = register("Salão Ana"), register("Salão Bia")
    ana_page, bia_page = signed_in(app, ana.email), signed_in(app, bia.email)
    ana_stream = open_stream(events_process.url, token_of(ana_page, ana.id), PAGE_ORIGIN)
    bia_stream = open_stream(events_process.url, token_of(bia_page), PAGE_ORIGIN)
    assert ana_stream.status_code == bia_stream.status_code == 200
    assert ana_stream.headers["Content-Type"].startswith("text/event-stream")
    assert ana_stream.headers["Access-Control-Allow-Origin"] == PAGE_ORIGIN

    send(client, ana, "Segredo da Ana")
    message = first(ana_stream, "message")
    assert message["account_id"] == ana.id and message["direction"] == "out"
    assert set(message) == {"kind", "account_id", "conversation_id", "message_id", "direction",
                            "status"}
    assert "Segredo" not in str(message)
    # Bia's stream gets events in commit order: her own message is the first one it sees.
    send(client, bia)
    assert first(bia_stream, "message")["account_id"] == bia.id
    ana_stream.close()
    bia_stream.close()


def test_the_platform_admin_sees_new_accounts_and_every_accounts_events(
        events_process, app, client, register, identity):
    email = f"owner-{uuid.uuid4().hex[:6]}@example.com"
    identity.create_user(email, PASSWORD, None)
    stream = open_stream(events_process.url, token_of(signed_in(app, email)), PAGE_ORIGIN)
    assert stream.status_code == 200
    tenant = register("Academia Nova")
    assert first(stream, "account") == {"kind": "account", "account_id": tenant.id}
    send(client, tenant)
    assert first(stream, "message")["account_id"] == tenant.id
    stream.close()


def test_a_page_gets_tokens_only_for_accounts_it_reaches(app, register):
    ana, bia = register("Salão Ana"), register("Salão Bia")
    page = signed_in(app, ana.email)
    for account in (bia.id, "not-an-id", str(uuid.uuid4())):
        answer = page.get(f"/live/token.json?account={account}")
        assert answer.status_code == 404
        assert answer.get_json()["error"]["code"] == "not_found"
    assert app.test_client().get("/live/token.json").status_code == 302  # to the sign-in page
    grant = tokens.read(TEST_SECRET, token_of(page))
    assert str(grant.account_id) == ana.id and grant.origin == PAGE_ORIGIN


def test_streams_refuse_bad_stale_and_foreign_tokens(events_process, app, client, register,
                                                     admin_headers):
    ana, bia = register("Salão Ana"), register("Salão Bia")
    ana_grant = tokens.read(TEST_SECRET, token_of(signed_in(app, ana.email)))
    bia_grant = tokens.read(TEST_SECRET, token_of(signed_in(app, bia.email)))
    refused = {
        "forged": tokens.issue("another-secret", bia_grant),
        "garbage": "x",
        "another account's user": tokens.issue(TEST_SECRET, tokens.Grant(
            bia_grant.user_id, uuid.UUID(ana.id), bia_grant.stamp, PAGE_ORIGIN)),
        "an account for a non-admin": tokens.issue(TEST_SECRET, tokens.Grant(
            bia_grant.user_id, None, bia_grant.stamp, PAGE_ORIGIN)),
        "a changed password": tokens.issue(TEST_SECRET, tokens.Grant(
            ana_grant.user_id, uuid.UUID(ana.id), "old-stamp", PAGE_ORIGIN)),
    }
    assert open_stream(events_process.url, tokens.issue(TEST_SECRET, ana_grant)).status_code == 200
    for why, token in refused.items():
        answer = open_stream(events_process.url, token, PAGE_ORIGIN)
        assert answer.status_code == 401, why
        assert answer.json()["error"]["code"] == "unauthorized", why
    other_origin = open_stream(events_process.url, tokens.issue(TEST_SECRET, bia_grant),
                               "http://evil.example")
    assert other_origin.status_code == 200
    assert "Access-Control-Allow-Origin" not in other_origin.headers
    other_origin.close()
    suspended = client.patch(f"/api/accounts/{bia.id}", headers=admin_headers,
                             json={"status": "suspended"})
    assert suspended.status_code == 200
    assert open_stream(events_process.url, tokens.issue(TEST_SECRET, bia_grant)).status_code == 401


def test_the_connection_and_its_qr_code_are_announced_without_the_code(events_process, app,
                                                                        register, clean_db):
    ana = register("Salão Ana")
    stream = open_stream(events_process.url, token_of(signed_in(app, ana.email)), PAGE_ORIGIN)
    with clean_db.system() as conn:
        row = instances_sql.insert_instance(conn, ana.id, "ana_whatsapp", 5999, "sandbox")
        instances_sql.update_observed(conn, row["id"], status="waiting_qr",
                                      qr_code="http://127.0.0.1:8000/sandbox/scan/secret.code")
    assert set(first(stream, "instance")) == {"kind", "account_id", "status"}
    assert first(stream, "instance")["status"] == "waiting_qr"
    assert first(stream, "qr") == {"kind": "qr", "account_id": ana.id}
    stream.close()
