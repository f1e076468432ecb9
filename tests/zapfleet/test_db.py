"""The pool's transactions and prepared statements, on the real database."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from zapfleet.core.errors import Unavailable
from zapfleet.db import Database
from zapfleet.db import outbox as outbox_sql

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


def _prepared_here(conn) -> set[str]:
    with conn.cursor() as cur:
        cur.execute("SELECT name FROM pg_prepared_statements")
        return {row["name"] for row in cur.fetchall()}


def _queue(db, account_id, key: str):
    with db.tenant(account_id) as conn:
        queued = outbox_sql.queue_api_message(conn, account_id, "5511987654321", "Olá", key,
                                              NOW + timedelta(days=1), None, None)
        return queued, _prepared_here(conn)


@pytest.mark.parametrize("prepare", [True, False])
def test_the_send_statement_gives_the_same_answers_prepared_or_not(database_url, managers, prepare):
    account = managers.accounts.create_account({"name": "Salão Bela"})
    db = Database(database_url, max_connections=1, prepare=prepare)
    try:
        (message, created, instance), prepared = _queue(db, account["id"], "k-1")
        (again, created_again, _), _ = _queue(db, account["id"], "k-1")
    finally:
        db.close()
    assert created and not created_again and again["id"] == message["id"]
    assert message["status"] == "queued" and message["body"] == "Olá" and instance is None
    assert ("queue_api_message" in prepared) is prepare


def test_a_failed_transaction_is_rolled_back_and_forgets_what_it_prepared(database_url, managers):
    account = managers.accounts.create_account({"name": "Oficina"})
    db = Database(database_url, max_connections=1)
    try:
        _queue(db, account["id"], "k-1")
        with pytest.raises(RuntimeError), db.tenant(account["id"]) as conn:
            outbox_sql.queue_api_message(conn, account["id"], "5511912345678", "Oi", "k-2",
                                         NOW + timedelta(days=1), None, None)
            raise RuntimeError("the block failed")
        (message, created, _), prepared = _queue(db, account["id"], "k-3")
        with db.tenant(account["id"]) as conn:
            assert outbox_sql.get_by_idempotency_key(conn, account["id"], "k-2") is None
    finally:
        db.close()
    assert created and message["idempotency_key"] == "k-3" and "queue_api_message" in prepared


def test_a_tenant_transaction_runs_as_the_application_role_for_its_account(database):
    account_id = uuid.uuid4()
    with database.tenant(account_id) as conn, conn.cursor() as cur:
        cur.execute("SELECT current_user AS role, current_setting('app.account_id') AS account")
        row = cur.fetchone()
    assert row == {"role": "zapfleet_app", "account": str(account_id)}
    with database.system() as conn, conn.cursor() as cur:
        cur.execute("SELECT current_user AS role")
        assert cur.fetchone()["role"] != "zapfleet_app"


def test_an_unreachable_database_is_unavailable_without_its_address(tmp_path, caplog):
    socket_dir = tmp_path / "no-server-here"
    db = Database(f"postgresql://zapfleet@/zapfleet?host={socket_dir}", max_connections=1)
    with pytest.raises(Unavailable) as refused:
        with db.system():
            pass
    assert refused.value.message == "the database cannot be reached right now"
    assert str(socket_dir) in caplog.text  # the detail goes to the log, for the operator
    assert db.ping() is False


def _backend_pid(db) -> int:
    with db.system() as conn, conn.cursor() as cur:
        cur.execute("SELECT pg_backend_pid() AS pid")
        return cur.fetchone()["pid"]


def _terminate(database_url: str, pid: int) -> None:
    other = Database(database_url, max_connections=1)
    try:
        with other.system() as conn, conn.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(%s)", (pid,))
    finally:
        other.close()


def test_an_idle_connection_the_server_dropped_is_replaced_not_answered(database_url):
    """After a database restart every pooled connection is dead: the next transaction must
    take a new one instead of answering 503 once per pooled connection."""
    db = Database(database_url, max_connections=1)
    try:
        first = _backend_pid(db)
        _terminate(database_url, first)
        second = _backend_pid(db)
    finally:
        db.close()
    assert second != first


def test_a_connection_lost_inside_a_transaction_is_unavailable_and_not_kept(database_url):
    db = Database(database_url, max_connections=1)
    try:
        with pytest.raises(Unavailable), db.system() as conn, conn.cursor() as cur:
            cur.execute("SELECT pg_backend_pid() AS pid")
            _terminate(database_url, cur.fetchone()["pid"])
            cur.execute("SELECT 1")
        assert db.ping() is True  # the lost connection was not handed out again
    finally:
        db.close()
