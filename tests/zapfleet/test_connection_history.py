"""A customer's connection history: placements, connection events and the instance's own state,
newest first, in plain kinds, without machines' names."""
from __future__ import annotations

import uuid

from zapfleet.db import instances as instances_sql
from zapfleet.db import nodes as nodes_sql
from zapfleet.fleet.connection_history import connection_history
from zapfleet.messaging.webhooks import WebhookManager


def _instance(clean_db, account_id):
    with clean_db.system() as conn:
        return instances_sql.insert_instance(conn, account_id, "bela_whatsapp", 5998, "sandbox")


def _place(clean_db, instance, event, reason):
    with clean_db.system() as conn:
        nodes_sql.add_history(conn, instance["id"], instance["account_id"], event, "node-a", "node-b", reason)


def _event(clean_db, account_id, event, data):
    with clean_db.tenant(account_id) as conn:
        WebhookManager.enqueue(conn, account_id, event, data, uuid.uuid4())


def test_no_instance_has_no_history(clean_db):
    assert connection_history(clean_db, None) == []


def test_placements_and_connection_events_read_as_plain_kinds_newest_first(clean_db, make_account, managers):
    account = make_account()
    managers.webhooks.configure(account["id"], {"url": "https://crm.example.com/hook",
                                                "events": ["connection", "qr"]})
    instance = _instance(clean_db, account["id"])
    _place(clean_db, instance, "placed", "created")
    _event(clean_db, account["id"], "qr", {"code": "abc"})
    _event(clean_db, account["id"], "connection", {"state": "connected", "phone": "5511987654321"})
    _place(clean_db, instance, "moved", "node-a stopped answering")
    _place(clean_db, instance, "placed", "restarted")
    _event(clean_db, account["id"], "connection", {"state": "disconnected", "reason": "stream error"})
    _event(clean_db, account["id"], "connection", {"state": "connecting"})  # not worth telling
    row = managers.instances.find(account["id"])
    history = connection_history(clean_db, row)
    kinds = [entry["kind"] for entry in sorted(history, key=lambda e: e["at"])]
    assert kinds == ["started", "qr", "connected", "moved", "restarted", "disconnected"]
    assert [entry["at"] for entry in history] == sorted((entry["at"] for entry in history), reverse=True)
    assert next(e for e in history if e["kind"] == "connected")["phone"] == "5511987654321"
    assert "node-a" not in repr(history) and "5998" not in repr(history)


def test_without_events_the_instance_row_tells_the_last_connection_and_the_state_now(clean_db, make_account,
                                                                                     managers):
    account = make_account()
    instance = _instance(clean_db, account["id"])
    with clean_db.system() as conn:
        instances_sql.update_observed(conn, instance["id"], status="connected", phone="5511987654321",
                                      last_connected=instance["created_at"])
        instances_sql.update_observed(conn, instance["id"], status="logged_out")
    history = connection_history(clean_db, managers.instances.find(account["id"]))
    assert [entry["kind"] for entry in history] == ["logged_out", "connected"]
    assert history[1]["phone"] == "5511987654321"
