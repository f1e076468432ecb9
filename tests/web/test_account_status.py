"""Account status: a suspended or cancelled account's keys and users are refused everywhere but
reading the account; its queued messages wait; a cancelled account is deleted after retention."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.support.clients import signed_in
from zapfleet.db import outbox as outbox_sql
from web.errors import CODE_BY_STATUS


def _set_status(client, admin_headers, tenant, status):
    answer = client.patch(f"/api/accounts/{tenant.id}", headers=admin_headers, json={"status": status})
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_a_suspended_accounts_key_may_only_read_its_account(client, register, admin_headers):
    tenant = register("Clínica Sorriso")
    _set_status(client, admin_headers, tenant, "suspended")
    base = f"/api/accounts/{tenant.id}"
    refused = [client.post(f"{base}/send", headers=tenant.headers,
                           json={"phone": "5511988887777", "message": "Oi"}),
               client.get(f"{base}/contacts", headers=tenant.headers),
               client.post(f"{base}/api-keys", headers=tenant.headers, json={"label": "x"}),
               client.post(f"{base}/whatsapp/connect", headers=tenant.headers),
               client.get("/api/instances", headers=tenant.headers)]
    assert [(r.status_code, r.get_json()["error"]["code"]) for r in refused] == \
        [(403, "account_suspended")] * 5
    account = client.get(base, headers=tenant.headers)
    assert account.status_code == 200 and account.get_json()["status"] == "suspended"
    _set_status(client, admin_headers, tenant, "active")
    assert client.get(f"{base}/contacts", headers=tenant.headers).status_code == 200


def test_a_cancelled_account_is_refused_and_stamped(client, register, admin_headers):
    tenant = register("Academia Força")
    cancelled = _set_status(client, admin_headers, tenant, "cancelled")
    assert cancelled["cancelled_at"] is not None
    sent = client.post(f"/api/accounts/{tenant.id}/send", headers=tenant.headers,
                       json={"phone": "5511988887777", "message": "Oi"})
    assert sent.status_code == 403 and sent.get_json()["error"]["code"] == "account_suspended"
    assert _set_status(client, admin_headers, tenant, "active")["cancelled_at"] is None


def test_a_suspended_accounts_pages_say_so(app, client, register, admin_headers):
    tenant = register("Barbearia Central")
    browser = signed_in(app, tenant.email)
    assert browser.get(f"/a/{tenant.id}/").status_code == 200
    _set_status(client, admin_headers, tenant, "suspended")
    page = browser.get(f"/a/{tenant.id}/")
    assert page.status_code == 403 and "suspended" in page.get_data(as_text=True)


def _due(db):
    later = datetime.now(timezone.utc) + timedelta(hours=1)  # past any retry backoff
    with db.system() as conn:
        return [m["body"] for m in outbox_sql.lease_due(conn, later, later, 10, [])]


def test_queued_messages_wait_while_the_account_is_suspended(client, register, admin_headers,
                                                            clean_db):
    tenant = register("Loja da Ana")
    queued = client.post(f"/api/accounts/{tenant.id}/send", headers=tenant.headers,
                         json={"phone": "5511988887777", "message": "Oi"})
    assert queued.status_code == 202
    _set_status(client, admin_headers, tenant, "suspended")
    assert _due(clean_db) == []
    _set_status(client, admin_headers, tenant, "active")
    assert _due(clean_db) == ["Oi"]


def test_cancelled_accounts_are_deleted_after_the_retention_period(client, register, admin_headers,
                                                                   managers, clean_db):
    kept, expired = register("Salão Novo"), register("Salão Antigo")
    for tenant in (kept, expired):
        _set_status(client, admin_headers, tenant, "cancelled")
    with clean_db.system() as conn, conn.cursor() as cur:  # cancelled 31 days ago
        cur.execute("UPDATE accounts SET cancelled_at = now() - interval '31 days' WHERE id = %s",
                    (expired.id,))
    assert [str(a) for a in managers.purge_cancelled()] == [expired.id]
    assert client.get(f"/api/accounts/{expired.id}", headers=admin_headers).status_code == 404
    assert client.get(f"/api/accounts/{kept.id}", headers=admin_headers).status_code == 200


def test_403_without_a_specific_code_is_forbidden():
    assert CODE_BY_STATUS[403] == "forbidden"
