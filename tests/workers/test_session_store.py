"""The session store in PostgreSQL (worker_files), as the worker's platform role uses it."""
from __future__ import annotations

import os
import uuid

import psycopg2
import pytest

from workers.fence import Fence, FenceLost
from workers.session_store import DatabaseStore, StoreUnavailable, adopt_folder, whatsmeow_url
from workers.sentlog import SentLog
from workers.spool import Spool
from zapfleet.db import runtime_dsns

NOW = 1_800_000_000.0


class Clock:
    """A clock the test moves."""

    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def platform_url(database_url):
    return runtime_dsns(database_url)[0]


@pytest.fixture
def instance_id(database_url):
    """A fresh instance id; its rows (and whatsmeow schema) are deleted after the test."""
    instance = str(uuid.uuid4())
    yield instance
    conn = psycopg2.connect(database_url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("DELETE FROM worker_files WHERE instance_id = %s", (instance,))
            cur.execute(f"DROP SCHEMA IF EXISTS wa_{instance.replace('-', '')} CASCADE")
    finally:
        conn.close()


@pytest.fixture
def make_store(platform_url, instance_id):
    stores: list[DatabaseStore] = []

    def _make(**options) -> DatabaseStore:
        stores.append(DatabaseStore(platform_url, instance_id, **options))
        return stores[-1]
    yield _make
    for store in stores:
        store.close()


def test_lines_are_appended_read_in_order_rewritten_and_replaced(make_store):
    store = make_store()
    lines = store.lines("sent.jsonl")
    lines.append("one")
    lines.sync(lines.write("two"))
    assert store.read("sent.jsonl") == ["one", "two"] and store.read("other") == []
    lines.rewrite(lambda: ["three", "four"])
    assert store.read("sent.jsonl") == ["three", "four"]
    store.replace("sandbox.json", ['{"linked": true}'])
    store.replace("sandbox.json", ['{"linked": false}'])
    assert store.read("sandbox.json") == ['{"linked": false}']
    store.remove("sandbox.json")
    assert store.read("sandbox.json") == [] and store.read("sent.jsonl") == ["three", "four"]


def test_another_process_store_of_the_instance_sees_the_same_files(make_store, platform_url):
    first = make_store()
    SentLog(first).send_once("m-1", lambda: {"message_id": "m-1", "status": "sent"})
    spool = Spool(first)
    spool.append({"id": "e-1", "type": "qr", "data": {}})
    spool.append({"id": "e-2", "type": "qr", "data": {}})
    spool.acknowledge({"e-1"})
    second = make_store()  # another node: nothing on its disk
    assert SentLog(second).get("m-1") == {"message_id": "m-1", "status": "sent"}
    assert [event["id"] for event in Spool(second).batch()] == ["e-2"]
    assert first.instance_id == second.instance_id


def test_an_idle_connection_is_closed_and_opened_again_when_needed(make_store):
    clock = Clock()
    store = make_store(idle_seconds=30, clock=clock)
    store.append("phone.jsonl", "a")
    assert store.connections_opened == 1
    clock.now += 29
    assert not store.close_if_idle()
    store.read("phone.jsonl")  # used again: idle from now on
    clock.now += 29
    assert not store.close_if_idle()
    clock.now += 1
    assert store.close_if_idle()
    store.append("phone.jsonl", "b")
    assert store.read("phone.jsonl") == ["a", "b"] and store.connections_opened == 2


def test_a_broken_connection_is_replaced(make_store, database_url):
    store = make_store()
    store.append("phone.jsonl", "a")
    pid = store._conn.get_backend_pid()
    admin = psycopg2.connect(database_url)
    try:
        with admin, admin.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(%s)", (pid,))
    finally:
        admin.close()
    store.append("phone.jsonl", "b")
    assert store.read("phone.jsonl") == ["a", "b"] and store.connections_opened == 2


def test_a_full_server_is_waited_out_with_jittered_backoff(make_store):
    pauses: list[float] = []
    attempts = []

    def connect(dsn, **options):
        attempts.append(dsn)
        if len(attempts) <= 3:
            raise psycopg2.OperationalError("FATAL:  sorry, too many clients already")
        return psycopg2.connect(dsn, **options)
    store = make_store(connect=connect, sleep=pauses.append)
    store.append("phone.jsonl", "a")
    assert len(attempts) == 4 and len(pauses) == 3
    assert 0.1 <= pauses[0] <= 0.2 and 0.2 <= pauses[1] <= 0.4 and 0.4 <= pauses[2] <= 0.8


def test_a_server_full_for_too_long_fails_the_write(make_store):
    clock = Clock()

    def full(dsn, **options):
        raise psycopg2.OperationalError("FATAL:  remaining connection slots are reserved")

    def sleep(seconds: float) -> None:
        clock.now += seconds
    store = make_store(connect=full, sleep=sleep, clock=clock, max_wait=60)
    with pytest.raises(StoreUnavailable, match="remaining connection slots"):
        store.append("phone.jsonl", "a")
    assert 50 < clock.now - 1000 <= 60


def test_other_connection_failures_are_not_retried(make_store):
    pauses: list[float] = []

    def refused(dsn, **options):
        raise psycopg2.OperationalError('FATAL:  role "nobody" does not exist')
    with pytest.raises(StoreUnavailable, match="does not exist"):
        make_store(connect=refused, sleep=pauses.append).read("x")
    assert pauses == []


def test_writes_are_refused_once_the_lease_lapsed(make_store, tmp_path):
    lease = tmp_path / "lease"
    lease.touch()
    os.utime(lease, (NOW, NOW))
    clock = Clock(NOW)
    store = make_store(fence=Fence(str(lease), lease=5, clock=clock))
    store.append("events.jsonl", "kept")
    clock.now = NOW + 5
    for write in (lambda: store.append("events.jsonl", "late"), lambda: store.remove("events.jsonl"),
                  lambda: store.replace("events.jsonl", ["late"]),
                  lambda: store.lines("events.jsonl").rewrite(lambda: ["late"])):
        with pytest.raises(FenceLost):
            write()
    assert store.read("events.jsonl") == ["kept"]  # reads still answer


def test_the_whatsmeow_url_keeps_the_server_and_role_and_selects_the_schema():
    url = whatsmeow_url("host=db.internal port=6432 user=zapfleet_platform password=p@ss dbname=zf "
                        "sslmode=require", "wa_abc")
    assert url == ("postgres://zapfleet_platform:p%40ss@db.internal:6432/zf"
                   "?sslmode=require&search_path=wa_abc")
    assert whatsmeow_url("postgresql://u@127.0.0.1/zf", "wa_x") == \
        "postgres://u@127.0.0.1/zf?sslmode=prefer&search_path=wa_x"
    assert whatsmeow_url("host=/run/postgresql user=u dbname=zf", "wa_x") == \
        "postgres://u@localhost/zf?sslmode=prefer&search_path=wa_x&host=%2Frun%2Fpostgresql"


def test_the_whatsmeow_schema_is_the_instance_s_own(make_store, instance_id, database_url):
    store = make_store()
    url = store.whatsmeow_url()
    schema = "wa_" + instance_id.replace("-", "")
    assert url.endswith(f"search_path={schema}")
    conn = psycopg2.connect(database_url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                        (schema,))
            assert cur.fetchall() == [("whatsmeow_version",)]
    finally:
        conn.close()
    store.reset_whatsmeow()
    assert store.whatsmeow_url() == url


def test_a_folder_session_from_before_nodes_moves_into_the_database_once(make_store, tmp_path):
    (tmp_path / "sandbox.json").write_text('{"linked": true, "phone": "5511987654321"}\n')
    (tmp_path / "sent.jsonl").write_text('{"message_id": "m1"}\n{"message_id": "m2"}\n')
    store = make_store()
    store.replace("phone.jsonl", ['{"text": "kept"}'])
    (tmp_path / "phone.jsonl").write_text('{"text": "older"}\n')
    assert adopt_folder(store, str(tmp_path)) == ["sent.jsonl", "sandbox.json"]
    assert store.read("sent.jsonl") == ['{"message_id": "m1"}', '{"message_id": "m2"}']
    assert store.read("phone.jsonl") == ['{"text": "kept"}']  # the database's own is kept
    assert not (tmp_path / "sent.jsonl").exists() and (tmp_path / "sent.jsonl.moved").exists()
    store.replace("sent.jsonl", [])
    assert adopt_folder(store, str(tmp_path)) == []  # never adopted twice
    assert store.read("sent.jsonl") == []
