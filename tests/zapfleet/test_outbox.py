"""Queueing a message from the send API: one contact and conversation per phone, keys used once."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from uuid import UUID


def _rows(db, sql: str, *args) -> list[dict]:
    with db.system() as conn, conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall()


def test_messages_to_one_phone_share_its_contact_and_conversation(client, register, clean_db):
    tenant = register("Salão Bela")
    for text in ("Oi!", "Seu horário é amanhã"):
        answer = client.post(f"/api/accounts/{tenant.id}/send", headers=tenant.headers,
                             json={"phone": "(11) 98765-4321", "message": text})
        assert answer.status_code == 202, answer.get_json()  # no WhatsApp instance yet: queued
    [contact] = _rows(clean_db, "SELECT id, phone, name FROM contacts WHERE account_id = %s",
                      tenant.id)
    assert contact["phone"] == "5511987654321" and contact["name"] == ""
    [conversation] = _rows(clean_db, "SELECT id, last_message_at FROM conversations"
                           " WHERE contact_id = %s", contact["id"])
    messages = _rows(clean_db, "SELECT body, conversation_id, origin, status, created_at"
                     " FROM messages WHERE account_id = %s ORDER BY created_at", tenant.id)
    assert [m["body"] for m in messages] == ["Oi!", "Seu horário é amanhã"]
    assert {m["conversation_id"] for m in messages} == {conversation["id"]}
    assert {(m["origin"], m["status"]) for m in messages} == {("api", "queued")}
    assert conversation["last_message_at"] == messages[-1]["created_at"]


def test_a_contact_with_a_name_keeps_it(client, register, clean_db):
    tenant = register("Salão Bela")
    client.post(f"/api/accounts/{tenant.id}/contacts", headers=tenant.headers,
                json={"phone": "11987654321", "name": "Ana"})
    client.post(f"/api/accounts/{tenant.id}/send", headers=tenant.headers,
                json={"phone": "11987654321", "message": "Oi, Ana"})
    [contact] = _rows(clean_db, "SELECT name FROM contacts WHERE account_id = %s", tenant.id)
    assert contact["name"] == "Ana"


def test_a_key_sent_at_once_from_many_threads_queues_one_message(app, register, clean_db):
    tenant = register("Salão Bela")
    outbox, account = app.extensions["zapfleet"].outbox, UUID(tenant.id)
    body = {"phone": "11987654321", "message": "Promoção", "idempotency_key": "promo-1"}
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: outbox.send(account, body), range(16)))
    assert sum(created for _, created in answers) == 1
    assert len({message["id"] for message, _ in answers}) == 1
    rows = _rows(clean_db, "SELECT id FROM messages WHERE account_id = %s", tenant.id)
    assert len(rows) == 1
    again = app.test_client().post(f"/api/accounts/{tenant.id}/send", headers=tenant.headers,
                                   json=body)
    assert again.status_code == 200 and again.get_json()["duplicate"] is True
