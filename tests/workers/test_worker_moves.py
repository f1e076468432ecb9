"""Workers with their session in PostgreSQL (they can move between nodes) and fenced by the lease
file their node agent keeps fresh."""
from __future__ import annotations

import json
import os
import time
import uuid

import psycopg2
import pytest

from tests.support.http import free_port
from tests.support.waiting import wait_until
from tests.support.worker_calls import send_and_wait_until_read
from zapfleet.db import runtime_dsns

CUSTOMER = "5511999990000"


@pytest.fixture
def rows(database_url):
    """worker_files' lines of an instance (as the owner); every instance read is cleaned up."""
    seen: set[str] = set()
    conn = psycopg2.connect(database_url)
    conn.autocommit = True

    def _rows(instance_id: str, name: str) -> list[str]:
        seen.add(instance_id)
        with conn.cursor() as cur:
            cur.execute("SELECT line FROM worker_files WHERE instance_id = %s AND name = %s"
                        " ORDER BY seq", (instance_id, name))
            return [row[0] for row in cur.fetchall()]
    yield _rows
    with conn.cursor() as cur:
        for instance_id in seen:
            cur.execute("DELETE FROM worker_files WHERE instance_id = %s", (instance_id,))
            cur.execute(f"DROP SCHEMA IF EXISTS wa_{instance_id.replace('-', '')} CASCADE")
    conn.close()


@pytest.fixture
def db_env(database_url):
    return {"ZAPFLEET_SESSION_DATABASE_URL": runtime_dsns(database_url)[0]}


def lease_file(path, valid_until: float, lease: float):
    """A lease file whose lease runs out at valid_until."""
    path.touch()
    os.utime(path, (valid_until - lease, valid_until - lease))
    return path


def same_instance(worker, other) -> None:
    """Make `worker` the same instance as `other` (another node's process for it)."""
    worker.instance_id, worker.token = other.instance_id, other.token


def online_records(lines: list[str]) -> list[dict]:
    return [record for record in map(json.loads, lines) if record.get("event") == "online"]


def test_an_instance_moved_to_another_folder_comes_back_linked_from_the_database(
        make_worker, receiver, rows, db_env):
    first = make_worker(env=db_env, session="node-a").start()
    linked = first.link()
    sent = send_and_wait_until_read(first, receiver, "m-move")
    receiver.status = 503  # the control plane refuses events: the next one stays spooled
    answer = first.call("POST", "/engine/inject", {"phone": CUSTOMER, "text": "still there?"})
    assert answer.status_code == 200
    wait_until(lambda: receiver.answered(ok=False), what="a refused delivery")
    qr_shown = len(receiver.events("qr"))
    first.kill()

    second = make_worker(env=db_env, session="node-b")
    same_instance(second, first)
    second.start()
    status = second.call("GET", "/status").json()
    assert (status["state"], status["phone"]) == ("connected", linked["phone"])
    assert second.call("GET", "/qr").status_code == 404
    again = second.call("POST", "/send", {"message_id": "m-move", "phone": CUSTOMER, "text": "marker"})
    assert again.status_code == 200 and again.json() == sent
    receiver.status = 200
    [arrived] = wait_until(lambda: receiver.events("message.in"), what="the spooled message")
    assert arrived["data"]["provider_message_id"] == answer.json()["provider_message_id"]
    assert len(receiver.events("qr")) == qr_shown  # no new QR
    got = [json.loads(line) for line in rows(first.instance_id, "phone.jsonl")]
    assert [g["provider_message_id"] for g in got if "text" in g] == [sent["provider_message_id"]]
    assert not any((second.session_dir / name).exists()
                   for name in ("sent.jsonl", "events.jsonl", "sandbox.json", "phone.jsonl"))
    wait_until(lambda: rows(first.instance_id, "events.jsonl") == [], what="an empty spool")


def test_a_worker_waits_for_a_fresh_lease_before_it_starts(make_worker, receiver, rows, db_env,
                                                            tmp_path):
    lease = lease_file(tmp_path / "lease", time.time() - 60, 5)
    worker = make_worker(env={**db_env, "ZAPFLEET_FENCE_FILE": str(lease)}).start()
    health = worker.call("GET", "/health").json()
    assert health == {"ok": True, "instance": worker.instance_id, "engine": "sandbox",
                      "state": "starting"}
    assert worker.call("GET", "/status").json()["state"] == "starting"
    refused = worker.call("POST", "/send", {"message_id": "m-1", "phone": CUSTOMER, "text": "oi"})
    assert refused.status_code == 503 and refused.json()["error"]["code"] == "unavailable"
    assert worker.call("GET", "/health", token="wrong").status_code == 401
    assert receiver.events() == [] and rows(worker.instance_id, "events.jsonl") == []

    lease_file(lease, time.time() + 3600, 5)  # the node agent holds the instance now
    wait_until(lambda: worker.call("GET", "/health").json()["state"] == "waiting_qr",
               what="the engine to start")
    worker.link()
    send_and_wait_until_read(worker, receiver, "m-1")


def test_a_lapsed_lease_stops_the_worker_before_another_node_s_takes_over(
        make_worker, receiver, rows, db_env, tmp_path):
    presence = {"SANDBOX_PRESENCE_SECONDS": "0.1", "ZAPFLEET_FENCE_LEASE": "1"}
    lease_a, lease_b = tmp_path / "lease-a", tmp_path / "lease-b"
    lease_file(lease_a, time.time() + 3600, 1)
    first = make_worker(env={**db_env, **presence, "ZAPFLEET_FENCE_FILE": str(lease_a)},
                        session="node-a").start()
    first.link()
    lease_file(lease_b, time.time() - 60, 1)  # the other node does not hold it yet
    second = make_worker(env={**db_env, **presence, "ZAPFLEET_FENCE_FILE": str(lease_b)},
                         session="node-b")
    same_instance(second, first)
    second.start()

    ends = lease_file(lease_a, time.time() + 1.5, 1).stat().st_mtime + 1  # the agent stops renewing
    wait_until(lambda: first.process.poll() is not None, 20, "the first worker to exit")
    assert first.process.returncode == 3
    records = online_records(rows(first.instance_id, "phone.jsonl"))
    assert len(records) >= 5 and {r["pid"] for r in records} == {first.process.pid}
    assert max(r["at"] for r in records) < ends  # nothing written once the lease ran out
    events = [json.loads(line) for line in rows(first.instance_id, "events.jsonl")]
    assert all(e["at"] < _iso(ends) for e in events if "at" in e)
    assert second.call("GET", "/health").json()["state"] == "starting"

    lease_file(lease_b, time.time() + 3600, 1)  # the other node's agent took the instance over
    wait_until(lambda: second.call("GET", "/status").json()["state"] == "connected",
               what="the second worker to come back linked")
    wait_until(lambda: len(online_records(rows(first.instance_id, "phone.jsonl"))) > len(records) + 2,
               what="the second worker's presence")
    spans = {}
    for record in online_records(rows(first.instance_id, "phone.jsonl")):
        low, high = spans.get(record["pid"], (record["at"], record["at"]))
        spans[record["pid"]] = (min(low, record["at"]), max(high, record["at"]))
    assert set(spans) == {first.process.pid, second.process.pid}
    assert spans[first.process.pid][1] < spans[second.process.pid][0]  # never online together


def _iso(epoch: float) -> str:
    from datetime import UTC, datetime
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds")


def test_a_neonize_worker_keeps_whatsmeow_s_store_in_the_instance_schema(make_worker, rows, db_env,
                                                                         database_url):
    worker = make_worker(env={**db_env, "WHATSAPP_PROXY": f"socks5://127.0.0.1:{free_port()}"},
                         engine="neonize", name=f"t{uuid.uuid4().hex[:8]}_whatsapp").start()
    rows(worker.instance_id, "events.jsonl")  # cleaned up after the test
    schema = "wa_" + worker.instance_id.replace("-", "")

    def tables() -> set[str]:
        conn = psycopg2.connect(database_url)
        try:
            with conn, conn.cursor() as cur:
                cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                            (schema,))
                return {row[0] for row in cur.fetchall()}
        finally:
            conn.close()
    found = wait_until(lambda: {"whatsmeow_device", "whatsmeow_sessions"} <= tables() and tables(),
                       60, "whatsmeow's tables in the instance's schema")
    assert "whatsmeow_version" in found
    status = wait_until(lambda: (s := worker.call("GET", "/status").json())["state"] == "disconnected"
                        and s, 60, "the failed connection attempt")
    assert "cannot reach WhatsApp" in status["reason"]
    assert not (worker.session_dir / "whatsapp.sqlite3").exists()
