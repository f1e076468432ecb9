"""The InstanceManager's logic, on the real database with a fake supervisord and fake workers."""
from __future__ import annotations

import socket
import stat
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.http import Recorder
from tests.support.waiting import wait_until
from zapfleet.db import instances as sql
from zapfleet.core.errors import Conflict, InvalidInput, NotFound, Unavailable
from zapfleet.fleet.instances import LOCK_CONFLICT
from zapfleet.fleet.programs import tail_lines
from zapfleet.core.security import worker_token
from zapfleet.fleet.worker_client import WorkerClient


@pytest.fixture
def account(make_account):
    return make_account


@pytest.fixture
def fakes(fake_instances):
    return fake_instances


def base(fakes) -> int:
    return fakes.manager.config.worker_port_base


def test_connect_creates_the_instance_and_answers_a_qr(fakes, account):
    acme = account("Salão Bela")
    result = fakes.manager.connect(acme["id"])
    instance = result["instance"]
    assert instance["instance_name"] == "salao-bela_whatsapp"
    assert instance["port"] == base(fakes) and instance["engine"] == "sandbox"
    assert instance["desired_state"] == "running" and instance["status"] == "waiting_qr"
    assert result["qr"] == {"code": f"qr-{base(fakes)}"} and instance["qr_code"] == result["qr"]["code"]
    assert result["is_reconnect"] is False and result["already_connected"] is False
    conf = fakes.manager.program_for(instance).conf_file
    assert stat.S_IMODE(conf.stat().st_mode) == 0o600
    assert fakes.supervisor.states == {"salao-bela_whatsapp": "RUNNING"}


def test_a_second_connect_reconnects_and_never_creates_another(fakes, account):
    acme = account()
    first = fakes.manager.connect(acme["id"])["instance"]
    again = fakes.manager.connect(acme["id"])
    assert again["is_reconnect"] is True and again["qr"] == {"code": f"qr-{first['port']}"}
    assert (again["instance"]["id"], again["instance"]["port"]) == (first["id"], first["port"])
    assert len(fakes.manager.list(acme["id"])) == 1


def test_connect_when_connected_answers_no_qr(fakes, account):
    acme = account()
    port = fakes.manager.connect(acme["id"])["instance"]["port"]
    fakes.workers.states[port] = "connected"
    result = fakes.manager.connect(acme["id"])
    assert result["already_connected"] is True and result["qr"] is None
    assert result["instance"]["status"] == "connected" and result["instance"]["qr_code"] is None


def test_connect_starts_a_stopped_worker(fakes, account):
    acme = account()
    fakes.manager.connect(acme["id"])
    fakes.manager.stop(acme["id"])
    result = fakes.manager.connect(acme["id"])
    assert result["instance"]["desired_state"] == "running" and result["qr"] is not None
    assert fakes.supervisor.states["salao-bela_whatsapp"] == "RUNNING"


def test_connect_gives_up_when_the_worker_never_answers(fakes, account):
    acme = account()
    fakes.supervisor.start = lambda name, wait=False: fakes.supervisor.states.update({name: "FATAL"})
    fakes.supervisor.add_group = lambda name: fakes.supervisor.active.update(
        {name: fakes.supervisor.read[name]}) or fakes.supervisor.states.update({name: "FATAL"})
    started = fakes.clock()
    with pytest.raises(Unavailable, match="did not start in time"):
        fakes.manager.connect(acme["id"])
    assert fakes.clock() - started >= 15
    assert fakes.manager.get(acme["id"])["desired_state"] == "running"


def test_connect_for_an_unknown_account_is_not_found(fakes):
    with pytest.raises(NotFound):
        fakes.manager.connect(uuid.uuid4())


def test_ports_are_the_lowest_free_and_are_reused(fakes, account):
    a, b, c = account("Alpha"), account("Bravo"), account("Charlie")
    assert fakes.manager.connect(a["id"])["instance"]["port"] == base(fakes)
    assert fakes.manager.connect(b["id"])["instance"]["port"] == base(fakes) + 1
    fakes.manager.delete(a["id"])
    assert fakes.manager.connect(c["id"])["instance"]["port"] == base(fakes)


def test_ports_bound_by_another_program_are_skipped(fakes, account):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", base(fakes)))
        squatter.listen()
        port = fakes.manager.connect(account()["id"])["instance"]["port"]
    assert port == base(fakes) + 1


def test_lowest_free_port_sql(clean_db, account):
    acme = account()
    with clean_db.system() as conn:
        sql.insert_instance(conn, acme["id"], "x_whatsapp", 7001, "sandbox")
        assert sql.lowest_free_port(conn, 7000) == 7000
        assert sql.lowest_free_port(conn, 7001) == 7002
        assert sql.lowest_free_port(conn, 7000, [7000, 7002]) == 7003
        assert sql.lowest_free_port(conn, 65535, [65535]) is None


def test_concurrent_connects_of_two_accounts_get_different_ports(fakes, account):
    accounts = [account(f"Loja {i}") for i in range(6)]
    barrier = threading.Barrier(2)

    def connect(acc):
        barrier.wait(timeout=10)
        return fakes.manager.connect(acc["id"])["instance"]["port"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        ports = [p for i in range(0, 6, 2) for p in pool.map(connect, accounts[i:i + 2])]
    assert sorted(ports) == list(range(base(fakes), base(fakes) + 6))


def test_port_allocation_waits_for_the_global_port_lock(fakes, account, clean_db):
    first, second = account("First"), account("Second")
    with ThreadPoolExecutor(max_workers=1) as pool:
        with clean_db.system() as conn:
            sql.lock_ports(conn)
            future = pool.submit(fakes.manager.connect, second["id"])
            wait_until(lambda: _waiting_for_advisory_lock(clean_db), what="connect to wait for the lock")
            sql.insert_instance(conn, first["id"], "first_whatsapp", base(fakes), "sandbox")
        assert future.result(timeout=30)["instance"]["port"] == base(fakes) + 1


def _waiting_for_advisory_lock(db) -> bool:
    with db.system() as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                    " AND classid = %s", (sql.PORT_LOCK_CLASS,))
        return cur.fetchone()["n"] == 1


@pytest.mark.parametrize("operation", ["connect", "start", "stop", "restart", "logout", "delete"])
def test_a_change_in_progress_is_a_conflict(fakes, account, clean_db, operation):
    acme = account()
    fakes.manager.connect(acme["id"])
    with clean_db.system() as conn:
        assert sql.try_lock_account(conn, acme["id"]) is True
        with pytest.raises(Conflict, match=LOCK_CONFLICT):
            getattr(fakes.manager, operation)(acme["id"])
        assert fakes.manager.reconcile() == []
    getattr(fakes.manager, operation)(acme["id"])


def test_stop_start_restart_drive_the_process(fakes, account):
    acme = account()
    fakes.manager.connect(acme["id"])
    name = "salao-bela_whatsapp"
    stopped = fakes.manager.stop(acme["id"])
    assert (stopped["desired_state"], stopped["status"], fakes.supervisor.states[name]) == (
        "stopped", "stopped", "STOPPED")
    assert fakes.manager.stop(acme["id"])["status"] == "stopped"
    started = fakes.manager.start(acme["id"])
    assert (started["desired_state"], started["status"], fakes.supervisor.states[name]) == (
        "running", "starting", "RUNNING")
    restarted = fakes.manager.restart(acme["id"])
    assert restarted["status"] == "starting" and fakes.supervisor.states[name] == "RUNNING"


def test_lifecycle_without_an_instance_is_not_found(fakes, account):
    acme = account()
    for operation in ("start", "stop", "restart", "logout", "delete", "get"):
        with pytest.raises(NotFound):
            getattr(fakes.manager, operation)(acme["id"])


def test_logout_marks_logged_out(fakes, account):
    acme = account()
    fakes.manager.connect(acme["id"])
    instance = fakes.manager.logout(acme["id"])
    assert instance["status"] == "logged_out" and instance["qr_code"] is None


def test_delete_removes_everything(fakes, account):
    acme = account()
    instance = fakes.manager.connect(acme["id"])["instance"]
    program = fakes.manager.program_for(instance)
    (program.session_dir / "session.json").write_text("{}")
    fakes.manager.delete(acme["id"])
    assert not program.conf_file.exists() and not program.session_dir.exists()
    assert fakes.supervisor.active == {} and fakes.manager.list() == []
    with pytest.raises(NotFound):
        fakes.manager.delete(acme["id"])


def test_send_hands_the_message_to_the_worker(fakes, account):
    acme = account()
    with pytest.raises(NotFound):
        fakes.manager.send(acme["id"], "m1", "5511999990000", "oi")
    port = fakes.manager.connect(acme["id"])["instance"]["port"]
    with pytest.raises(Conflict, match="^not connected$"):
        fakes.manager.send(acme["id"], "m1", "5511999990000", "oi")
    fakes.workers.states[port] = "connected"
    assert fakes.manager.send(acme["id"], "m1", "5511999990000", "oi")["provider_message_id"] == "p-m1"
    fakes.manager.stop(acme["id"])
    with pytest.raises(Unavailable):
        fakes.manager.send(acme["id"], "m2", "5511999990000", "oi")


def test_qr_formats_and_absence(fakes, account):
    acme = account()
    port = fakes.manager.connect(acme["id"])["instance"]["port"]
    assert fakes.manager.qr(acme["id"], "json")[0] == "application/json"
    with pytest.raises(InvalidInput, match="format"):
        fakes.manager.qr(acme["id"], "gif")
    fakes.workers.states[port] = "connected"
    with pytest.raises(NotFound, match="no QR code"):
        fakes.manager.qr(acme["id"], "png")


def test_account_b_never_reaches_account_a(fakes, account):
    a, b = account("Alpha"), account("Bravo")
    ia = fakes.manager.connect(a["id"])["instance"]
    ib = fakes.manager.connect(b["id"])["instance"]
    fakes.workers.states[ib["port"]] = "connected"
    fakes.workers.calls.clear()
    fakes.manager.send(b["id"], "m1", "5511999990000", "oi")
    fakes.manager.engine_action(b["id"], "inject", {"phone": "5511999990000", "text": "oi"})
    fakes.manager.qr(a["id"], "json")
    fakes.manager.log_tail(b["id"])
    token_b = worker_token(fakes.manager.config.secret_key, str(ib["id"]))
    assert {(port, token) for port, token, *_ in fakes.workers.calls} == {
        (ib["port"], token_b), (ia["port"], worker_token(fakes.manager.config.secret_key, str(ia["id"])))}
    assert [c[2] for c in fakes.workers.calls if c[0] == ia["port"]] == ["qr"]
    fakes.manager.stop(b["id"])
    fakes.manager.delete(b["id"])
    assert fakes.supervisor.states == {ia["instance_name"]: "RUNNING"}
    assert [i["id"] for i in fakes.manager.list(a["id"])] == [ia["id"]] == [
        i["id"] for i in fakes.manager.list()]


def test_list_joins_the_account_for_the_admin(fakes, account):
    a, b = account("Alpha"), account("Bravo")
    fakes.manager.connect(a["id"])
    fakes.manager.connect(b["id"])
    rows = fakes.manager.list()
    assert [(r["account_name"], r["account_slug"]) for r in rows] == [("Alpha", "alpha"), ("Bravo", "bravo")]
    assert [r["account_id"] for r in fakes.manager.list(b["id"])] == [b["id"]]


def test_follow_qr_link_passes_the_token_to_that_worker(fakes, account):
    instance = fakes.manager.connect(account()["id"])["instance"]
    token = f"{instance['id']}.secret"
    assert fakes.manager.follow_qr_link(str(instance["id"]), token)["id"] == instance["id"]
    assert fakes.workers.calls[-1][2:] == ("action", ("link", {"token": token}))
    for bad in ("not-a-uuid", str(uuid.uuid4())):
        with pytest.raises(NotFound):
            fakes.manager.follow_qr_link(bad, "x.y")


@pytest.mark.parametrize("lines", [0, 2001, -1, "5", True, None])
def test_log_tail_bounds(fakes, account, lines):
    acme = account()
    fakes.manager.connect(acme["id"])
    with pytest.raises(InvalidInput, match="lines"):
        fakes.manager.log_tail(acme["id"], lines)


def test_log_tail_reads_the_end_of_the_log(fakes, account):
    acme = account()
    instance = fakes.manager.connect(acme["id"])["instance"]
    assert fakes.manager.log_tail(acme["id"]) == ""
    log_file = fakes.manager.program_for(instance).log_file
    log_file.write_text("".join(f"line {i} {'x' * (i % 50)}\n" for i in range(5000)))
    tail = fakes.manager.log_tail(acme["id"], 200)
    assert tail.splitlines() == log_file.read_text().splitlines()[-200:]
    assert len(fakes.manager.log_tail(acme["id"], 2000).splitlines()) == 2000
    assert fakes.manager.log_tail(acme["id"], 1) == f"line 4999 {'x' * 49}\n"


def test_tail_lines_of_short_and_unterminated_files(tmp_path):
    path = tmp_path / "w.log"
    path.write_text("a\nb\nc")
    assert tail_lines(path, 2) == "b\nc" and tail_lines(path, 10) == "a\nb\nc"
    path.write_text("y" * 20000 + "\nlast\n")
    assert tail_lines(path, 1) == "last\n" and tail_lines(path, 2).startswith("y" * 20000)
    assert tail_lines(tmp_path / "missing.log", 5) == ""


def test_reconcile_after_a_lost_supervisord_state_is_idempotent(fakes, account):
    up, down = account("Up"), account("Down")
    iu = fakes.manager.connect(up["id"])["instance"]
    fakes.manager.connect(down["id"])
    fakes.manager.stop(down["id"])
    fakes.manager.program_for(iu).conf_file.unlink()
    fakes.supervisor.read, fakes.supervisor.active, fakes.supervisor.states = {}, {}, {}
    actions = fakes.manager.reconcile()
    assert "wrote the program file of up_whatsapp" in actions
    assert "stopped down_whatsapp" not in actions  # it never ran: a stopped one does not autostart
    assert fakes.supervisor.states == {"up_whatsapp": "RUNNING", "down_whatsapp": "STOPPED"}
    assert fakes.manager.reconcile() == []


def test_reconcile_rewrites_a_stale_program(fakes, account, clean_db):
    acme = account()
    instance = fakes.manager.connect(acme["id"])["instance"]
    with clean_db.system() as conn, conn.cursor() as cur:
        cur.execute("UPDATE instances SET port = port + 10 WHERE id = %s", (instance["id"],))
    actions = fakes.manager.reconcile()
    assert actions[:2] == ["wrote the program file of salao-bela_whatsapp",
                           "unloaded the outdated program salao-bela_whatsapp"]
    assert f"--port {instance['port'] + 10}" in fakes.supervisor.active["salao-bela_whatsapp"]
    assert fakes.supervisor.states["salao-bela_whatsapp"] == "RUNNING"
    assert fakes.manager.reconcile() == []


def test_reconcile_removes_orphaned_programs(fakes, account, clean_db):
    gone = account("Gone")
    instance = fakes.manager.connect(gone["id"])["instance"]
    program = fakes.manager.program_for(instance)
    with clean_db.system() as conn, conn.cursor() as cur:
        cur.execute("DELETE FROM accounts WHERE id = %s", (gone["id"],))
    assert fakes.manager.reconcile() == ["removed the orphaned program gone_whatsapp"]
    assert not program.conf_file.exists() and not program.session_dir.exists()
    assert fakes.supervisor.active == {}
    assert fakes.manager.reconcile() == []


def test_reconcile_records_observed_status(fakes, account):
    acme = account()
    instance = fakes.manager.connect(acme["id"])["instance"]
    fakes.workers.states[instance["port"]] = "connected"
    assert fakes.manager.reconcile() == ["salao-bela_whatsapp: status waiting_qr -> connected"]
    assert fakes.manager.get(acme["id"])["status"] == "connected"
    fakes.supervisor.states["salao-bela_whatsapp"] = "FATAL"
    fakes.supervisor.spawnerr["salao-bela_whatsapp"] = "bad command"
    assert fakes.manager.reconcile() == ["salao-bela_whatsapp: status connected -> error",
                                         "started salao-bela_whatsapp"]
    assert "bad command" in fakes.manager.get(acme["id"])["last_error"]
    fakes.manager.reconcile()
    assert fakes.manager.reconcile() == []
    assert fakes.manager.get(acme["id"])["status"] == "connected"


# -- the worker client, against a local HTTP endpoint ------------------------------------

def _client(receiver: Recorder, read_timeout: float = 10.0) -> WorkerClient:
    return WorkerClient("127.0.0.1", receiver.server.server_port, "tok-123", timeout=(2.0, read_timeout))


@pytest.mark.parametrize("status, error", [(400, InvalidInput), (404, NotFound), (409, Conflict),
                                           (401, Unavailable), (500, Unavailable)])
def test_worker_client_maps_error_answers(status, error):
    with Recorder(status=status) as receiver:
        with pytest.raises(error) as caught:
            _client(receiver).send("m1", "5511999990000", "oi")
    assert "tok-123" not in caught.value.message
    assert receiver.requests[0]["headers"]["Authorization"] == "Bearer tok-123"
    assert receiver.requests[0]["json"] == {"message_id": "m1", "phone": "5511999990000", "text": "oi"}


def test_worker_client_unreachable_and_slow_workers_are_unavailable():
    with socket.socket() as reserved:
        reserved.bind(("127.0.0.1", 0))
        port = reserved.getsockname()[1]
        with pytest.raises(Unavailable, match="not running or not reachable"):
            WorkerClient("127.0.0.1", port, "tok-123").logout()
    with Recorder() as receiver:
        receiver.release.clear()
        with pytest.raises(Unavailable, match="did not answer in time"):
            _client(receiver, read_timeout=0.2).action("inject", {"phone": "1", "text": "x"})


def test_worker_client_rejects_bad_action_names_and_formats():
    client = WorkerClient("127.0.0.1", 9, "tok-123")
    with pytest.raises(InvalidInput, match="action"):
        client.action("../logout", {})
    with pytest.raises(InvalidInput, match="format"):
        client.qr("gif")


def test_calls_on_a_stopped_instance_are_a_conflict_not_an_outage(fakes, account):
    acme = account()
    fakes.manager.connect(acme["id"])
    fakes.manager.stop(acme["id"])
    for call in (lambda: fakes.manager.qr(acme["id"], "json"),
                 lambda: fakes.manager.logout(acme["id"]),
                 lambda: fakes.manager.engine_action(acme["id"], "link", {}),
                 lambda: fakes.manager.pairing_code(acme["id"], "5511987654321")):
        with pytest.raises(Conflict, match="stopped; connect or start it first"):
            call()
    assert fakes.workers.calls[-1][2] != "logout"  # the worker was not even asked


def test_a_call_right_after_a_restart_waits_for_the_worker(fakes, account):
    acme = account()
    fakes.manager.connect(acme["id"])
    name = fakes.manager.restart(acme["id"])["instance_name"]
    fakes.supervisor.states[name] = "STARTING"  # supervisord spawned it; it does not answer yet
    asked = []

    def sleep(seconds: float) -> None:
        asked.append(seconds)
        fakes.clock.sleep(seconds)
        if len(asked) == 3:
            fakes.supervisor.states[name] = "RUNNING"
    fakes.manager.sleep = sleep
    assert fakes.manager.qr(acme["id"], "json")[0] == "application/json"
    assert len(asked) == 3
    fakes.supervisor.states[name] = "FATAL"
    with pytest.raises(Unavailable, match="did not start in time"):
        fakes.manager.qr(acme["id"], "json")
