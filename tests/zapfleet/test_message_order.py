"""A conversation reads in the order its messages were stored (seq), not by their timestamps: an
away message stamped with the same moment as (or a hair before) the customer's message that
triggered it still comes after it, in the API, its pages and the inbox's thread."""
from __future__ import annotations

from datetime import timedelta

import psycopg2

from tests.support.clients import bearer


def _customer_then_away(managers, database_url, account: str) -> tuple[dict, dict]:
    """A customer's message, then the away message it triggered, stamped a millisecond earlier
    and with a smaller id (the order timestamps and ids alone would get wrong)."""
    customer = managers.conversations.record_message(account, "5511987654321", "in", "Oi, tudo bem?",
                                                     "received")
    away = managers.conversations.record_message(account, "5511987654321", "out",
                                                 "Estamos fora do horário.", "sent")
    with psycopg2.connect(database_url) as conn, conn.cursor() as cur:  # the owner, for the test
        cur.execute("UPDATE messages SET created_at = %s, id = '00000000-0000-4000-8000-000000000001'"
                    " WHERE id = %s", (customer["created_at"] - timedelta(milliseconds=1), away["id"]))
    conn.close()
    return customer, away


def test_the_api_lists_messages_in_stored_order_and_pages_through_them(client, register, managers,
                                                                       database_url):
    tenant = register()
    customer, _ = _customer_then_away(managers, database_url, tenant.id)
    later = managers.conversations.record_message(tenant.id, "5511987654321", "in", "Obrigado", "received")
    url = f"/api/accounts/{tenant.id}/conversations/{customer['conversation_id']}/messages"
    whole = client.get(url, headers=bearer(tenant.key)).get_json()["items"]
    assert [m["body"] for m in whole] == ["Oi, tudo bem?", "Estamos fora do horário.", "Obrigado"]
    assert [m["seq"] for m in whole] == sorted(m["seq"] for m in whole)
    bodies, cursor = [], None
    while True:
        page = client.get(url, query_string={"limit": 1, "cursor": cursor},
                          headers=bearer(tenant.key)).get_json()
        bodies += [m["body"] for m in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert bodies == ["Oi, tudo bem?", "Estamos fora do horário.", "Obrigado"]
    assert later["seq"] > customer["seq"]


def test_a_bad_cursor_is_a_400_naming_it(client, register, managers):
    tenant = register()
    message = managers.conversations.record_message(tenant.id, "5511987654321", "in", "Oi", "received")
    url = f"/api/accounts/{tenant.id}/conversations/{message['conversation_id']}/messages"
    response = client.get(url, query_string={"cursor": "bm9wZQ"}, headers=bearer(tenant.key))
    assert response.status_code == 400
    assert response.get_json()["error"]["message"].startswith("cursor")


def test_the_thread_and_its_changes_keep_the_stored_order(register, managers, database_url):
    tenant = register()
    customer, _ = _customer_then_away(managers, database_url, tenant.id)
    conversation = customer["conversation_id"]
    opened = managers.conversations.open_conversation(tenant.id, conversation)
    assert [m["body"] for m in opened["messages"]] == ["Oi, tudo bem?", "Estamos fora do horário."]
    changes = managers.conversations.conversation_changes(tenant.id, conversation,
                                                          customer["created_at"] - timedelta(hours=1), [])
    assert [m["body"] for m in changes["messages"]] == ["Oi, tudo bem?", "Estamos fora do horário."]


def test_the_migration_numbers_existing_messages_in_created_at_then_id_order(spare_database, tmp_path):
    from zapfleet.db.migrate import migrate, migration_files

    url = spare_database()
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    for path in migration_files():
        if path.name < "0028_":
            (earlier / path.name).write_text(path.read_text())
    migrate(url, earlier)
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("INSERT INTO accounts (name, slug) VALUES ('Bela', 'bela') RETURNING id")
            account = cur.fetchone()[0]
            cur.execute("INSERT INTO contacts (account_id, phone) VALUES (%s, '5511987654321') RETURNING id",
                        (account,))
            cur.execute("INSERT INTO conversations (account_id, contact_id) VALUES (%s, %s) RETURNING id",
                        (account, cur.fetchone()[0]))
            conversation = cur.fetchone()[0]
            for body, at, message_id in (("third", "2026-12-04 10:00:02+00", "00000000-0000-4000-8000-000000000001"),
                                         ("first", "2026-12-04 10:00:00+00", "00000000-0000-4000-8000-000000000009"),
                                         ("second b", "2026-12-04 10:00:01+00", "00000000-0000-4000-8000-000000000003"),
                                         ("second a", "2026-12-04 10:00:01+00", "00000000-0000-4000-8000-000000000002")):
                cur.execute("INSERT INTO messages (id, account_id, conversation_id, direction, body, status,"
                            " created_at) VALUES (%s, %s, %s, 'in', %s, 'received', %s)",
                            (message_id, account, conversation, body, at))
        assert migrate(url) == [p.name for p in migration_files() if p.name >= "0028_"]
        with conn, conn.cursor() as cur:
            cur.execute("SELECT body FROM messages ORDER BY seq")
            assert [r[0] for r in cur.fetchall()] == ["first", "second a", "second b", "third"]
            cur.execute("INSERT INTO messages (account_id, conversation_id, direction, body, status,"
                        " created_at) VALUES (%s, %s, 'out', 'newest', 'queued', '2020-01-01+00')"
                        " RETURNING seq", (account, conversation))
            assert cur.fetchone()[0] == 5  # after every backfilled one, whatever its timestamp
    finally:
        conn.close()
