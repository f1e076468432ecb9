"""Evolution API servers: the automatic choice (active, room, priority, least used),
instances placed on them under a lock, their settings in the worker's environment only, the
API key encrypted at rest, and the environment's server beside the table."""
from __future__ import annotations

import logging
import secrets
import threading
from datetime import datetime, timedelta, timezone

import psycopg2.errors
import pytest

from tests.support.waiting import wait_until
from zapfleet.db import evolution_servers as servers_sql
from zapfleet.core.errors import Conflict, InvalidInput, NotFound, Unavailable
from zapfleet.fleet.evolution_servers import FULL, EvolutionServers, best_server
from zapfleet.fleet.instances import InstanceManager
from zapfleet.core.security import SecretBox

KEY_A, KEY_B = "evo-key-alpha-0123456789", "evo-key-bravo-9876543210"
START = datetime(2026, 1, 1, tzinfo=timezone.utc)


def row(name, priority=0, instances=0, capacity=20, active=True, minute=0) -> dict:
    return {"name": name, "priority": priority, "instances": instances, "capacity": capacity,
            "active": active, "created_at": START + timedelta(minutes=minute)}


def test_the_choice_follows_seed_001():
    # Evolution API 1: 18/20 at priority 10; Evolution API 2: 8/20 at priority 5 -> 1
    assert best_server([row("2", 5, 8), row("1", 10, 18)])["name"] == "1"
    assert best_server([row("2", 5, 8), row("1", 10, 20)])["name"] == "2"  # 1 is full
    assert best_server([row("2", 5, 8), row("1", 10, 0, active=False)])["name"] == "2"
    assert best_server([row("1", 10, 20), row("2", 5, 21)]) is None  # all full
    assert best_server([]) is None


def test_at_one_priority_the_least_used_share_wins_then_the_oldest():
    assert best_server([row("big", 0, 6, 20), row("small", 0, 4, 10)])["name"] == "big"  # 30 % < 40 %
    assert best_server([row("new", 0, 2, 10, minute=5), row("old", 0, 2, 10)])["name"] == "old"
    assert best_server([row("a", 0, 2, 10), row("b", 0, 1, 5)])["name"] == "b"  # same share, fewer


@pytest.fixture
def servers(fake_instances) -> EvolutionServers:
    return fake_instances.manager.servers


def add(servers, name, key=KEY_A, **fields) -> dict:
    return servers.create({"name": name, "url": f"https://{name.lower()}.example.com",
                           "api_key": key, **fields})


def connect(fakes, make_account, name: str) -> dict:
    return fakes.manager.connect(make_account(name)["id"], "evolution")["instance"]


def placed(servers) -> dict[str, int]:
    return {s["name"]: s["instances"] for s in servers.list()["items"]}


def test_instances_fill_the_highest_priority_then_the_next(fake_instances, servers, make_account):
    one = add(servers, "Evo1", priority=10, capacity=2)
    two = add(servers, "Evo2", priority=5, capacity=3)
    add(servers, "Evo3", priority=99, active=False)
    chosen = [connect(fake_instances, make_account, f"Loja {n}")["evolution_server_id"]
              for n in range(5)]
    assert chosen == [one["id"]] * 2 + [two["id"]] * 3
    assert placed(servers) == {"Evo3": 0, "Evo1": 2, "Evo2": 3}
    account = make_account("Loja 6")
    with pytest.raises(Unavailable, match="every Evolution API server is full"):
        fake_instances.manager.connect(account["id"], "evolution")
    assert fake_instances.manager.find(account["id"]) is None


def test_at_one_priority_instances_spread_by_share(fake_instances, servers, make_account):
    add(servers, "Large", capacity=4)
    add(servers, "Small", capacity=2)
    names = {s["id"]: s["name"] for s in servers.list()["items"]}
    chosen = [names[connect(fake_instances, make_account, f"Loja {n}")["evolution_server_id"]]
              for n in range(6)]
    assert chosen == ["Large", "Small", "Large", "Small", "Large", "Large"]  # at 2/4 and 1/2: fewer


def test_without_any_server_the_engine_is_refused_and_nothing_is_made(fake_instances, make_account):
    account = make_account()
    with pytest.raises(InvalidInput, match="^engine: the evolution engine needs an Evolution API server"):
        fake_instances.manager.connect(account["id"], "evolution")
    assert fake_instances.manager.find(account["id"]) is None
    assert fake_instances.manager.servers.available() is False


def test_the_worker_gets_its_servers_settings_in_its_environment(fake_instances, servers, make_account):
    add(servers, "Evo1", key=KEY_A, webhook_base="http://10.0.0.5")
    instance = connect(fake_instances, make_account, "Clínica Alpha")
    text = fake_instances.manager.program_for(instance).conf_file.read_text()
    command = next(line for line in text.splitlines() if line.startswith("command = "))
    environment = next(line for line in text.splitlines() if line.startswith("environment = "))
    assert KEY_A not in command and "evo1.example.com" not in command
    assert f'EVOLUTION_API_KEY="{KEY_A}"' in environment
    assert 'EVOLUTION_URL="https://evo1.example.com"' in environment
    assert 'EVOLUTION_WEBHOOK_BASE="http://10.0.0.5"' in environment


def test_reconcile_rewrites_the_program_when_the_server_changes(fake_instances, servers, make_account):
    server = add(servers, "Evo1", key=KEY_A)
    instance = connect(fake_instances, make_account, "Clínica Alpha")
    assert fake_instances.manager.reconcile() == []  # everything is current
    servers.update(server["id"], {"url": "https://evo-new.example.com", "api_key": KEY_B})
    actions = fake_instances.manager.reconcile()
    name = instance["instance_name"]
    assert f"wrote the program file of {name}" in actions
    loaded = fake_instances.supervisor.active[name]  # what supervisord runs now
    assert f'EVOLUTION_API_KEY="{KEY_B}"' in loaded and "https://evo-new.example.com" in loaded
    assert KEY_A not in loaded


def test_the_api_key_is_encrypted_at_rest(servers, clean_db, config, caplog):
    server = add(servers, "Evo1", key=KEY_A)
    with clean_db.system() as conn:
        stored = servers_sql.server_secret(conn, server["id"])["api_key_encrypted"]
    assert KEY_A not in stored and stored.startswith("gAAAAA")  # a Fernet token
    assert SecretBox(config.secret_key).open(stored) == KEY_A
    assert "api_key" not in str(server) and "api_key_encrypted" not in servers.get(server["id"])
    assert KEY_A not in repr(servers.settings(server["id"]))
    other = EvolutionServers(clean_db, config.with_overrides(secret_key="another-secret"))
    with caplog.at_level(logging.WARNING, "zapfleet.evolution"):
        assert other.settings(server["id"]).api_key == ""  # another SECRET_KEY cannot read it
    assert "cannot be decrypted" in caplog.text and KEY_A not in caplog.text


def test_switching_places_on_a_server_and_frees_the_place(fake_instances, servers, make_account):
    server = add(servers, "Evo1", capacity=1)
    account = make_account()
    fake_instances.manager.connect(account["id"])
    switched = fake_instances.manager.set_engine(account["id"], "evolution")
    assert switched["evolution_server_id"] == server["id"]
    back = fake_instances.manager.set_engine(account["id"], "sandbox")
    assert back["evolution_server_id"] is None and placed(servers) == {"Evo1": 0}


def test_a_refused_switch_changes_nothing(fake_instances, servers, make_account):
    add(servers, "Evo1", capacity=1)
    connect(fake_instances, make_account, "Loja Cheia")
    account = make_account("Loja Nova")
    before = fake_instances.manager.connect(account["id"])["instance"]
    session = fake_instances.manager.program_for(before).session_dir
    (session / "sandbox.json").write_text("{}")
    with pytest.raises(Unavailable, match="full"):
        fake_instances.manager.set_engine(account["id"], "evolution")
    assert fake_instances.manager.get(account["id"])["engine"] == "sandbox"
    assert (session / "sandbox.json").exists()
    assert "delete" not in [call[2] for call in fake_instances.workers.calls]


def test_a_server_that_serves_instances_cannot_be_deleted(fake_instances, servers, make_account):
    server = add(servers, "Evo1")
    account = make_account()
    fake_instances.manager.connect(account["id"], "evolution")
    with pytest.raises(Conflict, match="still serves 1 WhatsApp instance"):
        servers.delete(server["id"])
    servers.update(server["id"], {"active": False})  # no new ones; the old one stays
    assert fake_instances.manager.get(account["id"])["evolution_server_id"] == server["id"]
    fake_instances.manager.delete(account["id"])
    servers.delete(server["id"])
    with pytest.raises(NotFound):
        servers.get(server["id"])
    with pytest.raises(NotFound):
        servers.delete(server["id"])


@pytest.fixture
def with_environment(fake_instances):
    """The manager with a server set in the environment too."""
    manager = fake_instances.manager
    config = manager.config.with_overrides(evolution_url="https://env-evo.example.com",
                                           evolution_api_key=KEY_B)
    fake_instances.manager = InstanceManager(manager.db, manager.supervisor, config,
                                             manager.worker_client, clock=manager.clock,
                                             sleep=manager.sleep)
    return fake_instances


def test_the_environments_server_serves_while_no_table_server_is_active(with_environment, make_account):
    manager = with_environment.manager
    first = connect(with_environment, make_account, "Loja Um")
    assert first["evolution_server_id"] is None
    assert 'EVOLUTION_URL="https://env-evo.example.com"' in manager.program_for(first).conf_file.read_text()
    table = add(manager.servers, "Evo1")
    second = connect(with_environment, make_account, "Loja Dois")
    assert second["evolution_server_id"] == table["id"]
    listed = manager.servers.list()
    assert listed["environment"] == {"url": "https://env-evo.example.com", "webhook_base": None,
                                     "used_for_new_instances": False, "instances": 1, "connected": 0}
    assert listed["totals"]["instances"] == 1 and listed["totals"]["available"] == 19
    manager.servers.update(table["id"], {"active": False})
    assert manager.servers.list()["environment"]["used_for_new_instances"] is True


def test_racing_switches_never_overfill_a_server(fake_instances, servers, make_account, clean_db):
    """Two instances switch to evolution at once for the last place: one gets it, one is told."""
    server = add(servers, "Evo1", capacity=1)
    accounts = [make_account(f"Loja {n}")["id"] for n in range(2)]
    for account in accounts:
        fake_instances.manager.connect(account)
    outcomes: list[object] = []

    def switch(account):
        try:
            outcomes.append(fake_instances.manager.set_engine(account, "evolution")["evolution_server_id"])
        except Unavailable as exc:
            outcomes.append(exc)
    with clean_db.system() as conn:
        servers_sql.lock_servers(conn)  # both switches must queue on this lock
        threads = [threading.Thread(target=switch, args=(a,)) for a in accounts]
        for thread in threads:
            thread.start()
        wait_until(lambda: waiting_for_the_servers_lock(clean_db) == 2, 20, "both switches to wait")
    for thread in threads:
        thread.join(30)
    refused = [o for o in outcomes if isinstance(o, Unavailable)]
    assert [o for o in outcomes if o not in refused] == [server["id"]]
    assert len(refused) == 1 and refused[0].message == FULL
    assert placed(servers) == {"Evo1": 1}


def waiting_for_the_servers_lock(db) -> int:
    with db.system() as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory'"
                    " AND classid = %s AND NOT granted", (servers_sql.SERVER_LOCK_CLASS,))
        return cur.fetchone()["n"]


def test_only_the_platform_role_reads_the_servers(servers, clean_db, database_url):
    """No grant for the application role; and a role that is granted SELECT (as Supabase's Data
    API roles are by default) still sees no row: row-level security with no policy for it."""
    add(servers, "Evo1")
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        with clean_db.unscoped() as conn, conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM evolution_servers")
    probe = f"zf_probe_{secrets.token_hex(4)}"
    owner = psycopg2.connect(database_url)
    try:
        with owner.cursor() as cur:  # rolled back below, role and all
            cur.execute(f"CREATE ROLE {probe}; GRANT SELECT ON evolution_servers TO {probe};"
                        f" SET LOCAL ROLE {probe}")
            cur.execute("SELECT count(*) FROM evolution_servers")
            seen = cur.fetchone()[0]
        owner.rollback()
    finally:
        owner.close()
    assert seen == 0
