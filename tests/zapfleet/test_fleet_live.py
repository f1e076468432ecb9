"""Three real nodes on this machine (separate var folders, port ranges and supervisords; one
PostgreSQL) behind the app on real HTTP: placement, a node killed with -9 while messages are
sent, a node paused past its heartbeat limit, drain and pins."""
from __future__ import annotations

import json
import threading
import time
from collections import Counter
from datetime import UTC, datetime

import pytest
import requests

from tests.support.live import Live, Server, link_phone
from tests.support.nodes import Node, wait_for_nodes
from tests.support.supervisord import free_port_base
from tests.support.waiting import wait_until

LIMIT, LEASE = 6, 2
"""A shorter heartbeat limit and fence lease than production's 15 s and 5 s."""


@pytest.fixture
def fleet(clean_db, identity, worker_config, database_url):
    """The control plane on real HTTP (it runs no worker itself) and a factory of nodes."""
    config = worker_config.with_overrides(webhook_allow_private=True, node_name="control",
                                          node_heartbeat_limit=LIMIT)
    server = Server(config, db=clean_db, identity=identity)
    live = Live(server.app, config.control_url)
    nodes: list[Node] = []

    def start(name: str, **settings: str) -> Node:
        defaults = {"NODE_HEARTBEAT_LIMIT": str(LIMIT), "FENCE_LEASE": str(LEASE),
                    "NODE_CAPACITY": "3", "SANDBOX_PRESENCE_SECONDS": "0.2", "WORKER_PORT_COUNT": "40"}
        node = Node(name, free_port_base(), database_url, config, **{**defaults, **settings})
        nodes.append(node.start())
        return node
    live.start_node = start
    live.nodes = nodes
    try:
        yield live
    finally:
        for instance in live.instances.list(None):
            live.instances.delete(instance["account_id"])
        for node in nodes:
            node.stop()
        server.shutdown()


def start_nodes(live: Live, *specs: tuple[str, dict]) -> dict[str, Node]:
    """Start nodes (name, settings) and wait until all beat."""
    started = {name: live.start_node(name, **settings) for name, settings in specs}
    try:
        wait_for_nodes(live.instances.nodes, list(started))
    except AssertionError:
        raise AssertionError("\n".join(n.log() + n.output() for n in started.values())) from None
    return started


def linked_account(live: Live, name: str) -> tuple[str, str]:
    account, key = live.register(name)
    link_phone(live, account, key)
    return account, key


def instance_of(live: Live, account: str) -> dict:
    return live.instances.get(account)


def phone_lines(live: Live, instance_id) -> list[dict]:
    """The sandbox phone's records of an instance, kept in PostgreSQL (worker_files)."""
    with live.instances.db.system() as conn, conn.cursor() as cur:
        cur.execute("SELECT line FROM worker_files WHERE instance_id = %s AND name LIKE 'phone%%'"
                    " ORDER BY seq", (instance_id,))
        return [json.loads(row["line"]) for row in cur.fetchall()]


def test_instances_go_by_priority_and_room_and_run_on_their_node(fleet):
    nodes = start_nodes(fleet, ("first", {"NODE_PRIORITY": "10", "NODE_CAPACITY": "2"}),
                        ("second", {}), ("third", {}))
    accounts = [linked_account(fleet, f"Loja {n}") for n in range(4)]
    placed = [instance_of(fleet, account) for account, _ in accounts]
    assert [i["node_name"] for i in placed] == ["first", "first", "second", "third"]
    for instance in placed:
        node = nodes[instance["node_name"]]
        assert node.port_base <= instance["port"] < node.port_base + 40
    assert len(nodes["first"].worker_pids()) == 2 and len(nodes["third"].worker_pids()) == 1
    listed = {n["name"]: n for n in fleet.instances.nodes.list()["items"]}
    assert listed["first"]["instances"] == 2 and listed["first"]["connected"] == 2


def test_a_node_killed_while_sending_comes_back_linked_elsewhere_and_sends_each_message_once(fleet):
    nodes = start_nodes(fleet, ("doomed", {"NODE_PRIORITY": "10"}), ("b", {}), ("c", {}))
    accounts = [linked_account(fleet, f"Clínica {n}") for n in range(3)]
    assert {instance_of(fleet, a)["node_name"] for a, _ in accounts} == {"doomed"}
    accepted, stop = [], threading.Event()

    def send_all():
        number = 0
        while not stop.is_set():
            for account, key in accounts:
                text = f"{account[:8]} message {number}"
                if send_until_answered(fleet, account, key, text) in (201, 202):
                    accepted.append((account, text))
            number += 1
    sender = threading.Thread(target=send_all)
    sender.start()
    wait_until(lambda: len(accepted) >= 9, 30, "some sends before the kill")
    killed_at = time.monotonic()
    nodes["doomed"].kill()
    try:
        wait_until(lambda: all(instance_of(fleet, a)["node_name"] in ("b", "c")
                               and instance_of(fleet, a)["status"] == "connected"
                               for a, _ in accounts), 40, "the instances linked on other nodes")
        relinked_after = time.monotonic() - killed_at
        wait_until(lambda: len(accepted) >= 60, 30, "sends after the move")
    finally:
        stop.set()
        sender.join()
    assert relinked_after <= 30
    deliver_queued(fleet)
    for account, _ in accounts:
        instance = instance_of(fleet, account)
        got = Counter(line["text"] for line in phone_lines(fleet, instance["id"]) if "text" in line)
        mine = [text for owner, text in accepted if owner == account]
        assert all(got[text] == 1 for text in mine), {t: got[t] for t in mine if got[t] != 1}
        assert set(got) == set(mine)
        assert instance["qr_code"] is None  # linked again without a new QR


def send_until_answered(live: Live, account: str, key: str, text: str) -> int:
    """Send a message as a careful client does: one idempotency key, repeated until answered."""
    for _ in range(20):
        try:
            return live.call("POST", f"/api/accounts/{account}/send", key, json={
                "phone": "5511987654321", "message": text, "idempotency_key": text}).status_code
        except requests.ConnectionError:
            continue
    raise AssertionError(f"{text!r} was never answered")


def deliver_queued(live: Live) -> None:
    """Run the dispatcher until no accepted message waits (retries made due now, as 15 s
    later)."""
    def drained():
        with live.instances.db.system() as conn, conn.cursor() as cur:
            cur.execute("UPDATE messages SET lease_until = NULL WHERE status = 'queued'")
            cur.execute("SELECT count(*) AS n FROM messages WHERE status = 'queued'")
            waiting = cur.fetchone()["n"]
        if waiting:
            live.dispatch()
        return waiting == 0
    wait_until(drained, 60, "the queued messages to be sent")


def active_spans(lines: list[dict]) -> dict[int, tuple[float, float]]:
    """Each worker process's first and last record of being online, by pid."""
    spans: dict[int, tuple[float, float]] = {}
    for line in lines:
        if line.get("event") == "online":
            first, _ = spans.get(line["pid"], (line["at"], line["at"]))
            spans[line["pid"]] = (first, line["at"])
    return spans


def test_a_paused_node_never_runs_an_instance_beside_the_node_that_took_it(fleet):
    nodes = start_nodes(fleet, ("sleepy", {"NODE_PRIORITY": "10"}), ("b", {}), ("c", {}))
    account, key = linked_account(fleet, "Academia")
    instance = instance_of(fleet, account)
    assert instance["node_name"] == "sleepy"
    first_pid = nodes["sleepy"].worker_pids()
    nodes["sleepy"].pause()
    wait_until(lambda: instance_of(fleet, account)["node_name"] != "sleepy"
               and instance_of(fleet, account)["status"] == "connected", 40, "the take-over")
    taker = instance_of(fleet, account)["node_name"]
    wait_until(lambda: len(active_spans(phone_lines(fleet, instance["id"]))) == 2, 10,
               "the new worker online")
    nodes["sleepy"].resume()
    wait_until(lambda: not nodes["sleepy"].worker_pids(), 30, "the paused node to stop its worker")
    response = fleet.call("POST", f"/api/accounts/{account}/send", key,
                          json={"phone": "5511987654321", "message": "after the pause"})
    assert response.status_code == 201
    spans = active_spans(phone_lines(fleet, instance["id"]))
    (old_pid,) = first_pid
    assert old_pid in spans and len(spans) == 2
    new_pid = next(pid for pid in spans if pid != old_pid)
    assert spans[old_pid][1] < spans[new_pid][0], spans  # the old one was never online after
    assert new_pid in nodes[taker].worker_pids()


def test_drain_moves_instances_away_one_at_a_time_and_a_pinned_one_stays(fleet):
    nodes = start_nodes(fleet, ("old", {"NODE_PRIORITY": "10"}), ("new", {}))
    accounts = [linked_account(fleet, f"Salão {n}") for n in range(3)]
    pinned = instance_of(fleet, accounts[2][0])
    fleet.instances.nodes.pin(pinned, str(pinned["node_id"]))
    old = next(n for n in fleet.instances.nodes.list()["items"] if n["name"] == "old")
    fleet.instances.nodes.update(old["id"], {"drain": True})
    for account, _ in accounts[:2]:
        wait_until(lambda: instance_of(fleet, account)["node_name"] == "new"
                   and instance_of(fleet, account)["status"] == "connected", 30, "the move")
        linked_again = datetime.now(UTC)
        history = fleet.instances.nodes.history(instance_of(fleet, account)["id"])
        assert history[0]["reason"] == "node old drains"
        assert (linked_again - history[0]["at"]).total_seconds() <= 5  # stopped, then moved
    assert instance_of(fleet, accounts[2][0])["node_name"] == "old"
    assert len(nodes["old"].worker_pids()) == 1 and len(nodes["new"].worker_pids()) == 2
