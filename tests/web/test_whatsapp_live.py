"""End to end over real HTTP: the app, a real supervisord, real sandbox workers, PostgreSQL."""
from __future__ import annotations

import os
import signal
import uuid
from datetime import UTC

import requests

from tests.support.http import Recorder
from tests.support.live import all_messages
from tests.support.waiting import wait_until
from zapfleet.fleet.supervisor import Supervisor


def _status(live, account, key):
    return live.call("GET", f"/api/accounts/{account}/whatsapp", key).json().get("status")


def _linked(live, name):
    account, key = live.register(name)
    connected = live.call("POST", f"/api/accounts/{account}/whatsapp/connect", key)
    assert connected.status_code == 201, connected.text
    code = connected.json()["qr"]["code"]
    assert code.startswith(live.base + "/sandbox/scan/")
    assert requests.get(code, timeout=30).status_code == 200  # "scanning" the QR
    wait_until(lambda: _status(live, account, key) == "connected", 20, "connected")
    return account, key


def test_link_send_receipts_inbound_and_webhooks(live):
    account, key = _linked(live, "Salão Bela")
    again = live.call("POST", f"/api/accounts/{account}/whatsapp/connect", key).json()
    assert again["is_reconnect"] and again["already_connected"] and again["qr"] is None
    with Recorder() as hook:
        live.call("PUT", f"/api/accounts/{account}/webhook", key, json={"url": hook.url})
        body = {"phone": "(11) 98765-4321", "message": "Seu horário é amanhã às 14h",
                "idempotency_key": "appt-1"}
        sent = live.call("POST", f"/api/accounts/{account}/send", key, json=body)
        assert sent.status_code == 201, sent.text
        message = sent.json()["message"]
        assert message["status"] in ("sent", "delivered", "read")
        repeat = live.call("POST", f"/api/accounts/{account}/send", key, json=body)
        assert repeat.status_code == 200, repeat.text
        assert repeat.json()["message"]["id"] == message["id"]
        wait_until(lambda: [m["status"] for m in all_messages(live, account, key)] == ["read"], 20,
                   "the read receipt")
        reply = live.call("POST", f"/api/accounts/{account}/sandbox/inbound", key,
                          json={"phone": "5511987654321", "message": "Confirmado!"})
        assert reply.status_code == 202, reply.text
        wait_until(lambda: len(all_messages(live, account, key)) == 2, 20, "the inbound message")
        live.dispatch()
    events = [r["json"]["event"] for r in hook.requests]
    assert "message.received" in events and events.count("message.status") == 3  # sent/delivered/read
    inbound = next(r["json"] for r in hook.requests if r["json"]["event"] == "message.received")
    assert inbound["data"]["message"]["body"] == "Confirmado!"


def test_a_message_sent_while_the_worker_is_down_is_delivered_once_it_is_back(live):
    account, key = _linked(live, "Academia Forte")
    assert live.call("POST", f"/api/instances/{account}/stop", key).status_code == 200
    queued = live.call("POST", f"/api/accounts/{account}/send", key,
                       json={"phone": "5511912345678", "message": "Promoção de novembro"})
    assert queued.status_code == 202 and queued.json()["message"]["status"] == "queued"
    live.dispatch()  # the worker is still down: nothing happens
    assert [m["status"] for m in all_messages(live, account, key)] == ["queued"]
    assert live.call("POST", f"/api/instances/{account}/start", key).status_code == 200
    wait_until(lambda: _status(live, account, key) == "connected", 20, "the session to come back")
    with live.app.extensions["zapfleet"].db.system() as conn, conn.cursor() as cur:
        cur.execute("UPDATE messages SET lease_until = NULL")  # skip the retry wait
    live.dispatch()
    wait_until(lambda: [m["status"] for m in all_messages(live, account, key)] == ["read"], 20, "read")
    [first] = all_messages(live, account, key)
    live.dispatch()  # a second pass has nothing left to send
    assert all_messages(live, account, key) == [first]


def test_kill_9_of_a_worker_brings_the_session_back_without_a_new_qr(live, supervisord):
    account, key = _linked(live, "Clínica Sorriso")
    name = live.instances.get(account)["instance_name"]
    pid = Supervisor.from_config(live.app.config["ZAPFLEET"]).process_info(name)["pid"]
    os.kill(pid, signal.SIGKILL)
    def restarted():
        info = Supervisor.from_config(live.app.config["ZAPFLEET"]).process_info(name)
        return info["pid"] not in (0, pid) and info["statename"] == "RUNNING"
    wait_until(restarted, 20, "supervisord to restart the worker")
    wait_until(lambda: live.instances.client_for(live.instances.get(account)).status()["state"]
               == "connected", 20, "the session")
    sent = live.call("POST", f"/api/accounts/{account}/send", key,
                     json={"phone": "5511912345678", "message": "Oi"})
    assert sent.status_code == 201


def test_events_with_a_forged_token_or_instance_are_rejected(live):
    account, key = _linked(live, "Loja Azul")
    instance = live.instances.get(account)
    forged = requests.post(live.base + "/internal/events", timeout=10, json={
        "instance_id": str(instance["id"]), "events": []}, headers={"Authorization": "Bearer x"})
    assert forged.status_code == 401
    other = requests.post(live.base + "/internal/events", timeout=10, json={
        "instance_id": str(uuid.uuid4()), "events": []},
        headers={"Authorization": "Bearer " + "0" * 64})
    assert other.status_code == 401


def test_another_accounts_key_cannot_reach_this_accounts_worker(live):
    account, _ = _linked(live, "Pet Shop")
    _, other_key = live.register("Concorrente")
    for method, path in [("POST", f"/api/accounts/{account}/send"),
                         ("GET", f"/api/accounts/{account}/whatsapp/qr"),
                         ("POST", f"/api/instances/{account}/logout"),
                         ("POST", f"/api/accounts/{account}/sandbox/inbound")]:
        answer = live.call(method, path, other_key, json={"phone": "5511912345678", "message": "x"})
        assert answer.status_code == 404, path


def test_four_accounts_connect_at_once_and_one_logout_touches_no_other(live):
    from concurrent.futures import ThreadPoolExecutor

    tenants = [live.register(f"Empresa {n}") for n in range(4)]
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda t: live.call(
            "POST", f"/api/accounts/{t[0]}/whatsapp/connect", t[1]), tenants))
    assert [a.status_code for a in answers] == [201] * 4
    bodies = [a.json() for a in answers]
    assert len({b["instance"]["port"] for b in bodies}) == 4
    assert len({b["qr"]["code"] for b in bodies}) == 4
    for body in bodies:
        requests.get(body["qr"]["code"], timeout=30)
    for account, key in tenants:
        wait_until(lambda: _status(live, account, key) == "connected", 20, "connected")
    first, rest = tenants[0], tenants[1:]
    assert live.call("POST", f"/api/instances/{first[0]}/logout", first[1]).status_code == 200
    wait_until(lambda: _status(live, *first) == "waiting_qr", 20, "a new QR for the first")
    assert all(_status(live, account, key) == "connected" for account, key in rest)


def test_a_dispatcher_that_dies_mid_delivery_loses_nothing_and_sends_nothing_twice(live):
    account, key = _linked(live, "Oficina Rápida")
    assert live.call("POST", f"/api/instances/{account}/stop", key).status_code == 200
    live.call("POST", f"/api/accounts/{account}/send", key,
              json={"phone": "5511912345678", "message": "Seu carro está pronto"})
    assert live.call("POST", f"/api/instances/{account}/start", key).status_code == 200
    wait_until(lambda: _status(live, account, key) == "connected", 20, "the session")
    db, outbox = live.app.extensions["zapfleet"].db, live.app.extensions["zapfleet"].outbox
    with db.system() as conn, conn.cursor() as cur:
        cur.execute("UPDATE messages SET lease_until = NULL")
    # A first dispatcher leases the message, hands it to the worker, and dies before recording it.
    [leased] = outbox.lease_due(10, [])
    handed = live.instances.send(account, str(leased["id"]), leased["phone"], leased["body"])
    with db.system() as conn, conn.cursor() as cur:  # its lease runs out, unrecorded
        cur.execute("UPDATE messages SET lease_until = now() - interval '1 second',"
                    " status = 'queued', provider_message_id = NULL")
    live.dispatch()  # the next dispatcher takes over
    [message] = all_messages(live, account, key)
    assert message["status"] in ("sent", "delivered", "read")
    assert message["provider_message_id"] == handed["provider_message_id"]  # the worker's first send


def test_restarting_the_web_app_leaves_workers_untouched(live):
    account, key = _linked(live, "Floricultura")
    name = live.instances.get(account)["instance_name"]
    supervisor = Supervisor.from_config(live.app.config["ZAPFLEET"])
    pid = supervisor.process_info(name)["pid"]
    live.server.restart()
    assert supervisor.process_info(name)["pid"] == pid
    assert _status(live, account, key) == "connected"
    sent = live.call("POST", f"/api/accounts/{account}/send", key,
                     json={"phone": "5511912345678", "message": "Bom dia"})
    assert sent.status_code == 201


def test_a_message_not_handed_over_before_its_deadline_fails_with_the_reason(live):
    from datetime import datetime, timedelta

    from zapfleet.messaging.outbox import Outbox

    account, key = _linked(live, "Estética Bela")
    assert live.call("POST", f"/api/instances/{account}/stop", key).status_code == 200
    with Recorder() as hook:
        live.call("PUT", f"/api/accounts/{account}/webhook", key, json={"url": hook.url})
        live.call("POST", f"/api/accounts/{account}/send", key,
                  json={"phone": "5511912345678", "message": "Lembrete"})
        later = datetime.now(UTC) + timedelta(days=2)
        db = live.app.extensions["zapfleet"].db
        expired = Outbox(db, live.instances, deadline_seconds=86400, clock=lambda: later)
        assert len(expired.expire_overdue()) == 1
        live.dispatch()
    [message] = all_messages(live, account, key)
    assert message["status"] == "failed" and "deadline" in message["error"]
    statuses = [r["json"]["data"]["status"] for r in hook.requests
                if r["json"]["event"] == "message.status"]
    assert statuses == ["failed"]
