"""The platform admin's node routes (list with usage, health and totals; one node; changes with
400s naming the field; 404s; 403 for account keys), pinning an instance through the API, and an
account's own placement history."""
from __future__ import annotations

import select
import uuid

import psycopg2
import pytest

from zapfleet.db import instances as instances_sql
from zapfleet.db import nodes as nodes_sql

BASE = "/api/nodes"


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()["error"]


def make_node(db, name: str, *, capacity: int = 20, priority: int = 0, port_base: int = 7000,
              beating: bool = True) -> dict:
    """A registered node; one that stopped beating an hour ago unless beating."""
    with db.system() as conn:
        node = nodes_sql.register_node(conn, name, f"10.0.0.{port_base % 250}", port_base, 100,
                                       capacity, priority, 4242)
        if not beating:
            with conn.cursor() as cur:
                cur.execute("UPDATE nodes SET heartbeat_at = now() - interval '1 hour' WHERE id = %s",
                            (node["id"],))
    return node


def place(db, account_id, node: dict | None, port: int, status: str = "starting") -> dict:
    """An instance row of the account on a node (no worker runs: the rows are what is tested)."""
    with db.system() as conn:
        row = instances_sql.insert_instance(conn, account_id, f"n{port}_whatsapp", port, "sandbox",
                                            status=status, node_id=node["id"] if node else None)
        return row


@pytest.fixture
def fleet(clean_db):
    """Two healthy nodes and a dead one."""
    return {"big": make_node(clean_db, "big-1", capacity=10, priority=5, port_base=7000),
            "small": make_node(clean_db, "small-1", capacity=4, port_base=7100),
            "dead": make_node(clean_db, "dead-1", capacity=6, port_base=7200, beating=False)}


def test_the_list_shows_usage_health_and_totals(client, admin_headers, register, clean_db, fleet):
    a, b, c = register("Loja A"), register("Loja B"), register("Loja C")
    place(clean_db, a.id, fleet["big"], 7000, status="connected")
    place(clean_db, b.id, fleet["big"], 7001)
    place(clean_db, c.id, fleet["dead"], 7200, status="connected")
    listed = client.get(BASE, headers=admin_headers)
    assert listed.status_code == 200
    body = listed.get_json()
    assert [n["name"] for n in body["items"]] == ["big-1", "dead-1", "small-1"]  # priority, then name
    big, dead, small = body["items"]
    assert {k: big[k] for k in ("healthy", "active", "drain", "capacity", "priority", "instances",
                                "running", "connected", "pinned", "available", "usage_percent")} == {
        "healthy": True, "active": True, "drain": False, "capacity": 10, "priority": 5, "instances": 2,
        "running": 2, "connected": 1, "pinned": 0, "available": 8, "usage_percent": 20}
    assert big["address"] == "10.0.0.0" and big["heartbeat_at"] and big["port_base"] == 7000
    assert (dead["healthy"], dead["instances"], small["healthy"], small["instances"]) == (False, 1, True, 0)
    # only the active, healthy nodes that do not drain count for capacity and places left
    assert body["totals"] == {"nodes": 3, "active": 3, "healthy": 2, "capacity": 14, "available": 12,
                              "instances": 3, "connected": 2}


def test_one_node_and_404s(client, admin_headers, fleet):
    one = client.get(f"{BASE}/{fleet['small']['id']}", headers=admin_headers)
    assert one.status_code == 200 and one.get_json()["name"] == "small-1"
    unknown = f"{BASE}/{uuid.uuid4()}"
    assert error_of(client.get(unknown, headers=admin_headers), 404) == {"code": "not_found",
                                                                         "message": "no such node"}
    assert error_of(client.patch(unknown, json={"capacity": 3}, headers=admin_headers), 404)["code"] == "not_found"
    assert client.get(f"{BASE}/not-a-uuid", headers=admin_headers).status_code == 404


def test_the_admin_changes_capacity_priority_active_and_drain(client, admin_headers, fleet):
    url = f"{BASE}/{fleet['small']['id']}"
    changed = client.patch(url, json={"capacity": 0, "priority": -3, "active": False, "drain": True},
                           headers=admin_headers)
    assert changed.status_code == 200, changed.get_json()
    node = changed.get_json()
    assert (node["capacity"], node["priority"], node["active"], node["drain"]) == (0, -3, False, True)
    assert client.get(url, headers=admin_headers).get_json() == node
    totals = client.get(BASE, headers=admin_headers).get_json()["totals"]
    assert (totals["active"], totals["capacity"]) == (2, 10)
    assert client.patch(url, json={"drain": False}, headers=admin_headers).get_json()["drain"] is False


@pytest.mark.parametrize("change, field, words", [
    ({"capacity": -1}, "capacity", "from 0 to 10000"),
    ({"capacity": 10001}, "capacity", "from 0 to 10000"),
    ({"capacity": "20"}, "capacity", "whole number"),
    ({"capacity": 2.5}, "capacity", "whole number"),
    ({"capacity": None}, "capacity", "must not be null"),
    ({"priority": 1001}, "priority", "from -1000 to 1000"),
    ({"priority": True}, "priority", "whole number"),
    ({"drain": "yes"}, "drain", "true or false"),
    ({"drain": 1}, "drain", "true or false"),
    ({"active": None}, "active", "true or false"),
])
def test_bad_changes_are_a_400_naming_the_field(client, admin_headers, fleet, change, field, words):
    url = f"{BASE}/{fleet['big']['id']}"
    error = error_of(client.patch(url, json=change, headers=admin_headers), 400)
    assert error["code"] == "invalid_input"
    assert error["message"].startswith(f"{field}:") and words in error["message"], error
    node = client.get(url, headers=admin_headers).get_json()
    assert (node["capacity"], node["priority"], node["active"], node["drain"]) == (10, 5, True, False)


def test_a_body_that_is_not_an_object_is_a_400(client, admin_headers, fleet):
    url = f"{BASE}/{fleet['big']['id']}"
    assert error_of(client.patch(url, json=["x"], headers=admin_headers), 400)["message"].startswith("body:")


def test_account_keys_get_what_they_get_for_the_evolution_servers(client, admin_headers, register, clean_db,
                                                                  fleet):
    tenant = register()
    instance = place(clean_db, tenant.id, fleet["big"], 7000)
    refused = error_of(client.get("/api/evolution-servers", headers=tenant.headers), 403)
    one = f"{BASE}/{fleet['big']['id']}"
    calls = (("GET", BASE, None), ("GET", one, None), ("PATCH", one, {"capacity": 1}),
             ("PUT", f"/api/instances/{instance['id']}/node", {"node_id": None}))
    for method, url, body in calls:
        assert error_of(client.open(url, method=method, json=body, headers=tenant.headers), 403) == refused
        assert error_of(client.open(url, method=method, json=body), 401)["code"] == "unauthorized"
    assert client.get(one, headers=admin_headers).get_json()["capacity"] == 10
    assert client.get(f"/api/accounts/{tenant.id}/whatsapp", headers=tenant.headers).get_json()["pinned"] is False


# -- pins --------------------------------------------------------------------------------------

def _pin(client, admin_headers, instance, node_id):
    return client.put(f"/api/instances/{instance['id']}/node",
                      json={"node_id": str(node_id) if node_id else None}, headers=admin_headers)


def _woken(listener, timeout: float = 2.0) -> list[str]:
    """The payloads notified on the nodes' channel within the timeout."""
    if select.select([listener], [], [], timeout)[0]:
        listener.poll()
    payloads = [note.payload for note in listener.notifies]
    listener.notifies.clear()
    return payloads


@pytest.fixture
def listener(database_url):
    """A connection that listens on the channel the node agents are poked on."""
    conn = psycopg2.connect(database_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"LISTEN {nodes_sql.NODE_CHANNEL}")
    yield conn
    conn.close()


def test_pinning_elsewhere_asks_the_node_to_hand_the_instance_over(client, admin_headers, register, clean_db,
                                                                   fleet, listener):
    tenant = register()
    instance = place(clean_db, tenant.id, fleet["big"], 7000)
    answer = _pin(client, admin_headers, instance, fleet["small"]["id"])
    assert answer.status_code == 200, answer.get_json()
    pinned = answer.get_json()
    assert (pinned["id"], pinned["pinned"], pinned["moving_to"]) == (str(instance["id"]), True,
                                                                    str(fleet["small"]["id"]))
    assert (pinned["node_id"], pinned["node_name"]) == (str(fleet["big"]["id"]), "big-1")  # until handed over
    [poke] = _woken(listener)
    assert str(fleet["big"]["id"]) in poke and '"sync"' in poke
    seen = client.get(f"/api/accounts/{tenant.id}/whatsapp", headers=tenant.headers).get_json()
    assert seen["moving_to"] == str(fleet["small"]["id"])


def test_pinning_where_it_runs_and_unpinning(client, admin_headers, register, clean_db, fleet, listener):
    tenant = register()
    instance = place(clean_db, tenant.id, fleet["big"], 7000)
    here = _pin(client, admin_headers, instance, fleet["big"]["id"]).get_json()
    assert (here["pinned"], here["moving_to"], here["node_name"]) == (True, None, "big-1")
    pinned = client.get(BASE, headers=admin_headers).get_json()["items"][0]
    assert (pinned["name"], pinned["pinned"]) == ("big-1", 1)
    unpinned = _pin(client, admin_headers, instance, None)
    assert unpinned.status_code == 200
    assert (unpinned.get_json()["pinned"], unpinned.get_json()["node_name"]) == (False, "big-1")
    assert _woken(listener, 0.2) == []  # nothing to hand over: no node is poked


def test_pins_refuse_dead_or_unknown_nodes_unknown_instances_and_bad_bodies(client, admin_headers, register,
                                                                            clean_db, fleet):
    tenant = register()
    instance = place(clean_db, tenant.id, fleet["big"], 7000)
    for node_id in (fleet["dead"]["id"], uuid.uuid4()):
        error = error_of(_pin(client, admin_headers, instance, node_id), 404)
        assert error["message"] == "no such node, or it is not answering"
    missing = {"id": uuid.uuid4()}
    assert error_of(_pin(client, admin_headers, missing, fleet["small"]["id"]), 404)["message"] == "no such instance"
    url = f"/api/instances/{instance['id']}/node"
    assert error_of(client.put(url, json={}, headers=admin_headers), 400)["message"] == "node_id: is required"
    assert error_of(client.put(url, json={"node_id": "big-1"}, headers=admin_headers),
                    400)["message"] == "node_id: must be a UUID"
    row = client.get(f"/api/accounts/{tenant.id}/whatsapp", headers=tenant.headers).get_json()
    assert (row["pinned"], row["moving_to"], row["node_name"]) == (False, None, "big-1")


# -- the account's history ---------------------------------------------------------------------

def test_the_account_reads_its_instance_history_newest_first(client, admin_headers, register, clean_db, fleet):
    tenant, other = register("Loja A"), register("Loja B")
    instance = place(clean_db, tenant.id, fleet["small"], 7100)
    with clean_db.system() as conn:
        nodes_sql.add_history(conn, instance["id"], tenant.id, "placed", None, "dead-1", "first placement")
        nodes_sql.add_history(conn, instance["id"], tenant.id, "moved", "dead-1", "small-1",
                              "node dead-1 stopped answering")
    url = f"/api/accounts/{tenant.id}/whatsapp/history"
    for headers in (tenant.headers, admin_headers):
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200
        items = answer.get_json()["items"]
        assert [(i["event"], i["from_node"], i["to_node"], i["reason"]) for i in items] == [
            ("moved", "dead-1", "small-1", "node dead-1 stopped answering"),
            ("placed", None, "dead-1", "first placement")]
        assert all(i["at"] for i in items)
    assert error_of(client.get(url, headers=other.headers), 404)["code"] == "not_found"
    own = error_of(client.get(f"/api/accounts/{other.id}/whatsapp/history", headers=other.headers), 404)
    assert own["message"] == "this account has no WhatsApp instance"
