"""Nodes: placement by seed 001's rule, no overfilling, failover of dead nodes, pins and the
agent's pass (heartbeat, fences, rejoin, hand-over), on the real database with fake workers."""
from __future__ import annotations

import os
import socket
from concurrent.futures import ThreadPoolExecutor

import pytest

from zapfleet.core.errors import Unavailable
from zapfleet.db import nodes as sql
from zapfleet.fleet.node_agent import NodeAgent


@pytest.fixture
def fakes(fake_instances):
    return fake_instances


def add_node(db, name: str, port_base: int, capacity: int = 20, priority: int = 0) -> dict:
    """A registered node (as its agent registers it), beating now."""
    with db.system() as conn:
        return sql.register_node(conn, name, "127.0.0.1", port_base, 100, capacity, priority, 1)


def kill_node(db, node: dict, seconds_ago: int = 60) -> None:
    """Make a node's last heartbeat old: it counts as dead."""
    with db.system() as conn, conn.cursor() as cur:
        cur.execute("UPDATE nodes SET heartbeat_at = now() - make_interval(secs => %s) WHERE id = %s",
                    (seconds_ago, node["id"]))


def place_new(fakes, make_account) -> dict:
    """Place a new instance row the way connect() does (without waiting for a worker)."""
    account = make_account()
    return fakes.manager._insert(account["id"], "sandbox")


def where(fakes, instance: dict) -> str | None:
    return fakes.manager.find(instance["account_id"])["node_name"]


def test_placement_follows_priority_then_least_used_and_never_overfills(fakes, clean_db, make_account):
    add_node(clean_db, "low", 7000, capacity=5, priority=0)
    add_node(clean_db, "b", 7100, capacity=2, priority=10)
    add_node(clean_db, "c", 7200, capacity=2, priority=10)
    placed = [where(fakes, place_new(fakes, make_account)) for _ in range(6)]
    assert placed == ["b", "c", "b", "c", "low", "low"]
    ports = sorted(row["port"] for row in fakes.manager.list() if row["node_name"] == "b")
    assert ports == [7100, 7101]


def test_inactive_draining_and_dead_nodes_get_nothing_and_full_means_503(fakes, clean_db, make_account):
    inactive = add_node(clean_db, "inactive", 7000, priority=30)
    draining = add_node(clean_db, "draining", 7100, priority=20)
    dead = add_node(clean_db, "dead", 7200, priority=10)
    add_node(clean_db, "only", 7300, capacity=1)
    with clean_db.system() as conn:
        sql.update_node(conn, inactive["id"], {"active": False})
        sql.update_node(conn, draining["id"], {"drain": True})
    kill_node(clean_db, dead)
    assert where(fakes, place_new(fakes, make_account)) == "only"
    with pytest.raises(Unavailable, match="every node is full"):
        place_new(fakes, make_account)


def test_concurrent_connects_never_overfill_a_node(fakes, clean_db, make_account):
    add_node(clean_db, "local", fakes.manager.config.worker_port_base, capacity=3)
    accounts = [make_account() for _ in range(8)]

    def connect(account):
        try:
            return fakes.manager.connect(account["id"])["instance"]["node_name"]
        except Unavailable:
            return None
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(connect, accounts))
    assert results.count("local") == 3 and results.count(None) == 5
    assert [n["instances"] for n in fakes.manager.nodes.list()["items"]] == [3]


def test_a_dead_nodes_instances_move_to_live_nodes_but_pinned_ones_stay(fakes, clean_db, make_account):
    a = add_node(clean_db, "a", 7000, priority=10)
    first, second = place_new(fakes, make_account), place_new(fakes, make_account)
    add_node(clean_db, "b", 7100)
    with clean_db.system() as conn:
        sql.set_pinned(conn, second["id"], True)
    assert fakes.manager.nodes.take_over() == []  # a is alive: nothing moves
    kill_node(clean_db, a)
    actions = fakes.manager.nodes.take_over()
    assert actions == [f"moved {first['instance_name']} on b: node a stopped answering"]
    assert where(fakes, first) == "b" and where(fakes, second) == "a"
    history = fakes.manager.nodes.history(first["id"])
    assert [(h["event"], h["from_node"], h["to_node"]) for h in history] == [
        ("moved", "a", "b"), ("placed", None, "a")]


def test_a_heartbeat_after_death_fails_until_the_node_rejoins(clean_db):
    node = add_node(clean_db, "a", 7000)
    with clean_db.system() as conn:
        assert sql.beat(conn, node["id"], 15)
    kill_node(clean_db, node, seconds_ago=16)
    with clean_db.system() as conn:
        assert not sql.beat(conn, node["id"], 15)
        sql.rejoin(conn, node["id"])
        assert sql.beat(conn, node["id"], 15)


def test_the_agent_fences_its_workers_from_before_its_heartbeat(fakes, clean_db, make_account):
    agent = NodeAgent(fakes.manager, clock=lambda: 1_000_000.0)
    agent.register()
    instance = fakes.manager.connect(make_account()["id"])["instance"]
    assert instance["node_name"] == "local"
    agent.tick()
    fence = fakes.manager.fence_file(instance)
    assert fence.stat().st_mtime == 1_000_000.0  # the time taken before the heartbeat
    environment = dict(fakes.manager.program_for(instance).environment)
    assert environment["ZAPFLEET_FENCE_FILE"] == str(fence)
    assert environment["ZAPFLEET_SESSION_DATABASE_URL"].startswith("postgresql://zapfleet_platform@")


def test_a_node_back_from_the_dead_stops_what_it_lost_before_beating(fakes, clean_db, make_account):
    agent = NodeAgent(fakes.manager)
    node = agent.register()
    instance = fakes.manager.connect(make_account()["id"])["instance"]
    agent.tick()
    assert fakes.supervisor.states == {instance["instance_name"]: "RUNNING"}
    add_node(clean_db, "b", 7100)
    kill_node(clean_db, node)
    fakes.manager.nodes.take_over()  # as another node's agent does
    assert where(fakes, instance) == "b"
    agent.tick()
    assert fakes.supervisor.states == {}  # its program is gone
    assert not os.path.exists(fakes.manager.program_for(instance).conf_file)
    assert any(n["name"] == "local" and n["healthy"] for n in fakes.manager.nodes.list()["items"])


def test_a_draining_node_hands_its_instances_over_one_at_a_time(fakes, clean_db, make_account):
    agent = NodeAgent(fakes.manager)
    node = agent.register()
    first = fakes.manager.connect(make_account()["id"])["instance"]
    second = fakes.manager.connect(make_account()["id"])["instance"]
    add_node(clean_db, "b", 7100)
    fakes.manager.nodes.update(node["id"], {"drain": True})
    agent.tick()
    assert [where(fakes, first), where(fakes, second)] == ["b", "local"]
    assert first["instance_name"] not in fakes.supervisor.states  # stopped before it moved
    agent.tick()
    assert where(fakes, second) == "local"  # waits until the first is linked again
    fakes.manager.observe(first["id"], status="connected")
    agent.tick()
    assert where(fakes, second) == "b"
    assert fakes.manager.nodes.history(second["id"])[0]["reason"] == "node local drains"


def test_a_pin_elsewhere_is_handed_over_by_the_live_node_and_then_stays(fakes, clean_db, make_account):
    agent = NodeAgent(fakes.manager)
    agent.register()
    instance = fakes.manager.connect(make_account()["id"])["instance"]
    b = add_node(clean_db, "b", 7100)
    fakes.manager.nodes.pin(fakes.manager.find(instance["account_id"]), str(b["id"]))
    assert fakes.manager.nodes.take_over() == []  # a live node hands over itself
    agent.tick()
    moved = fakes.manager.find(instance["account_id"])
    assert moved["node_name"] == "b" and moved["pinned"] and moved["moving_to"] is None
    kill_node(clean_db, b)
    fakes.manager.nodes.take_over()
    assert where(fakes, instance) == "b"  # pinned: it waits for its node


@pytest.fixture
def squatter(fakes):
    """Another program listening on the node's first worker port (as PostgreSQL's 5432 sits
    inside the default 5001-6000)."""
    with socket.socket() as listener:
        listener.bind((fakes.manager.config.worker_host, fakes.manager.config.worker_port_base))
        listener.listen()
        yield listener.getsockname()[1]


def test_a_node_notes_ports_another_program_holds_and_placement_skips_them(fakes, make_account, squatter):
    NodeAgent(fakes.manager).register()
    node = fakes.manager.nodes.list()["items"][0]
    assert squatter in node["busy_ports"]
    assert place_new(fakes, make_account)["port"] == squatter + 1


def test_a_worker_whose_port_was_taken_moves_to_a_free_one(fakes, clean_db, make_account, squatter):
    agent = NodeAgent(fakes.manager)
    with clean_db.system() as conn:  # registered before the other program took the port
        agent.node = sql.register_node(conn, "local", "127.0.0.1", squatter, 100, 20, 0, 1)
    instance = fakes.manager.connect(make_account()["id"])["instance"]
    assert instance["port"] == squatter
    fakes.supervisor.states[instance["instance_name"]] = "BACKOFF"  # it exits: address in use
    actions = agent.tick()
    assert f"moved {instance['instance_name']} to port {squatter + 1}: another program holds its port" in actions
    moved = fakes.manager.find(instance["account_id"])
    assert moved["port"] == squatter + 1
    assert f"--port {squatter + 1}" in fakes.manager.program_for(moved).conf_file.read_text()
