"""Scheduled messages: POST …/send with send_at waits for its time, and can be cancelled."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from zapfleet.messaging.outbox import Outbox


@pytest.fixture
def salon(register):
    tenant = register("Salão Bela")
    return tenant, f"/api/accounts/{tenant.id}"


def _schedule(client, salon, when: datetime, **extra):
    tenant, base = salon
    return client.post(f"{base}/send", headers=tenant.headers, json={
        "phone": "11 98765-4321", "message": "Feliz aniversário!", "send_at": when.isoformat(), **extra})


def test_a_scheduled_message_waits_for_its_time(app, client, salon, clean_db):
    later = datetime.now(timezone.utc) + timedelta(hours=3)
    answer = _schedule(client, salon, later)
    assert answer.status_code == 202, answer.get_json()
    message = answer.get_json()["message"]
    assert message["status"] == "queued" and message["send_at"] == later.isoformat()
    assert message["attempts"] == 0 and message["lease_until"] is None
    instances = app.extensions["zapfleet"].instances
    assert Outbox(clean_db, instances).lease_due(10, []) == []
    due = Outbox(clean_db, instances, clock=lambda: later + timedelta(seconds=1)).lease_due(10, [])
    assert [str(row["id"]) for row in due] == [message["id"]]
    assert message["deadline_at"] == (later + timedelta(days=1)).isoformat()


def test_scheduled_messages_are_listed_soonest_first_and_cancelled(client, salon):
    tenant, base = salon
    now = datetime.now(timezone.utc)
    late = _schedule(client, salon, now + timedelta(days=2)).get_json()["message"]
    soon = _schedule(client, salon, now + timedelta(hours=1)).get_json()["message"]
    listed = client.get(f"{base}/scheduled-messages", headers=tenant.headers).get_json()
    assert [m["id"] for m in listed["items"]] == [soon["id"], late["id"]]
    assert listed["items"][0]["phone"] == "5511987654321"
    cancelled = client.delete(f"{base}/scheduled-messages/{soon['id']}", headers=tenant.headers)
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    listed = client.get(f"{base}/scheduled-messages", headers=tenant.headers).get_json()
    assert [m["id"] for m in listed["items"]] == [late["id"]]


def test_a_message_that_left_cannot_be_cancelled(client, salon, clean_db):
    tenant, base = salon
    message = _schedule(client, salon, datetime.now(timezone.utc) + timedelta(hours=1)).get_json()["message"]
    with clean_db.system() as conn, conn.cursor() as cur:
        cur.execute("UPDATE messages SET status = 'sent' WHERE id = %s", (message["id"],))
    answer = client.delete(f"{base}/scheduled-messages/{message['id']}", headers=tenant.headers)
    assert answer.status_code == 409


@pytest.mark.parametrize("send_at, reason", [
    ("amanhã", "ISO 8601"), ("2026-11-20T10:00:00", "offset"), ("2001-01-01T00:00:00Z", "future"),
    ("2999-01-01T00:00:00Z", "within")])
def test_a_bad_send_at_is_a_400_naming_it(client, salon, send_at, reason):
    tenant, base = salon
    answer = client.post(f"{base}/send", headers=tenant.headers,
                         json={"phone": "11987654321", "message": "x", "send_at": send_at})
    assert answer.status_code == 400
    message = answer.get_json()["error"]["message"]
    assert message.startswith("send_at") and reason in message
