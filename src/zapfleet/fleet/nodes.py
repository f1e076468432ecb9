"""The fleet's nodes: the admin's list and changes, placing instances by seed 001's rule, pins,
and taking over the instances of a node that stopped beating."""
from __future__ import annotations

import builtins
import json
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from zapfleet.config import Config
from zapfleet.core.errors import NotFound, Unavailable, found
from zapfleet.core.shapes import parse
from zapfleet.db import Database
from zapfleet.db import instances as instances_sql
from zapfleet.db import nodes as sql
from zapfleet.fleet.node_shapes import NodePatch, PinIn

NO_SUCH_NODE = "no such node"
FULL = "every node is full, draining or down: add a node or raise a capacity"


def with_room(node: dict) -> dict:
    """A node's row with its places left and usage percentage."""
    used = node.get("used", 0)
    return {**node, "instances": used, "available": max(node["capacity"] - used, 0),
            "usage_percent": round(100 * used / node["capacity"]) if node["capacity"] else 0}


class Nodes:
    """The nodes table: the admin's view and changes, and where each instance runs."""

    def __init__(self, db: Database, config: Config):
        self.db, self.config = db, config

    @property
    def limit(self) -> float:
        """Seconds without a heartbeat before a node counts as dead."""
        return float(self.config.node_heartbeat_limit)

    # -- the admin's API ------------------------------------------------------------------

    def list(self) -> dict:
        """Every node with its usage and health, and the totals."""
        with self.db.system() as conn:
            nodes = [with_room(n) for n in sql.list_nodes(conn, self.limit)]
        serving = [n for n in nodes if n["active"] and n["healthy"] and not n["drain"]]
        totals = {"nodes": len(nodes), "active": sum(n["active"] for n in nodes),
                  "healthy": sum(n["healthy"] for n in nodes),
                  "capacity": sum(n["capacity"] for n in serving),
                  "available": sum(n["available"] for n in serving),
                  "instances": sum(n["instances"] for n in nodes),
                  "connected": sum(n["connected"] for n in nodes)}
        return {"items": nodes, "totals": totals}

    def get(self, node_id: UUID) -> dict:
        """One node with its usage and health; NotFound when there is none."""
        for node in self.list()["items"]:
            if node["id"] == node_id:
                return node
        raise NotFound(NO_SUCH_NODE)

    def update(self, node_id: UUID, data: Mapping[str, Any]) -> dict:
        """Change active, capacity, priority or drain (a draining node's agent moves its
        instances away one at a time)."""
        fields = parse(NodePatch, data).model_dump(exclude_unset=True)
        with self.db.system() as conn:
            found(sql.update_node(conn, node_id, fields), "node")
        return self.get(node_id)

    def history(self, instance_id: UUID) -> builtins.list[dict]:
        """An instance's placements and moves, newest first."""
        with self.db.system() as conn:
            return sql.instance_history(conn, instance_id)

    def placements(self) -> dict[UUID, dict]:
        """Each account's instance's node and last move, by account id (one query)."""
        with self.db.system() as conn:
            return sql.placements(conn)

    # -- placing ----------------------------------------------------------------------------

    def place(self, conn, exclude: builtins.list[UUID] | None = None) -> tuple[dict | None, int | None]:
        """The node (None when no node ever registered) and port for an instance, inside the
        caller's transaction, which holds the placement lock; Unavailable when all are full."""
        instances_sql.lock_ports(conn)
        if not sql.any_node(conn):
            return None, None
        node = sql.choose_node(conn, self.limit, exclude)
        if node is None:
            raise Unavailable(FULL)
        return node, self.free_port(conn, node)

    @staticmethod
    def free_port(conn, node: dict) -> int:
        """The node's lowest free port; Unavailable when its range is used up."""
        port = instances_sql.lowest_free_port(conn, node["port_base"], node.get("busy_ports") or [],
                                              node_id=node["id"], count=node["port_count"])
        if port is None:
            raise Unavailable("node %(node)s has no free port left", node=node["name"])
        return port

    def move(self, instance: dict, reason: str, *, handed_over: bool = False) -> str:
        """Place an instance elsewhere: where it was asked to go (a pin) when that node is
        alive, else by the rule. Only from a dead node (or none), unless its own live node hands
        it over (handed_over: its worker is stopped). Noted in its history; '' when it stays."""
        with self.db.system() as conn:
            if not handed_over and not sql.lock_node_if_dead(conn, instance["node_id"], self.limit):
                return ""
            node, port = self._target(conn, instance)
            if node is None or not sql.place_instance(conn, instance["id"], node["id"], port,
                                                      instance["node_id"]):
                return ""
            event = "moved" if instance["node_name"] else "placed"
            sql.add_history(conn, instance["id"], instance["account_id"], event,
                            instance["node_name"], node["name"], reason)
        return f"{event} {instance['instance_name']} on {node['name']}: {reason}"

    def _target(self, conn, instance: dict) -> tuple[dict | None, int | None]:
        """The node an instance goes to (and its port): its pin's, else the rule's."""
        if instance["moving_to"] is not None:
            instances_sql.lock_ports(conn)
            node = sql.healthy_node(conn, instance["moving_to"], self.limit)
            if node is not None:
                return node, self.free_port(conn, node)
        exclude = [instance["node_id"]] if instance["node_id"] else []
        return self.place(conn, exclude)

    def move_port(self, instance: dict, taken: int) -> int:
        """Give an instance whose port another program took the lowest free one of its node
        (that port noted busy); the new port."""
        with self.db.system() as conn:
            instances_sql.lock_ports(conn)
            node = found(sql.get_node(conn, instance["node_id"]), "node")
            busy = sorted({*node["busy_ports"], taken})
            sql.set_busy_ports(conn, node["id"], busy)
            port = self.free_port(conn, {**node, "busy_ports": busy})
            sql.set_port(conn, instance["id"], port)
        return port

    def pin(self, instance: dict, node_id: Any) -> None:
        """Pin an instance to a live node (its node hands it over there), or unpin it (None)."""
        target = parse(PinIn, {"node_id": node_id}).node_id
        with self.db.system() as conn:
            if target is None or target == instance["node_id"]:
                sql.set_pinned(conn, instance["id"], target is not None)
                return
            if sql.healthy_node(conn, target, self.limit) is None:
                raise NotFound("no such node, or it is not answering")
            sql.ask_move(conn, instance["id"], target)

    def poke(self, instance: dict, action: str) -> None:
        """Tell the agent of the instance's node to act on it now: sync or restart."""
        payload = json.dumps({"node": str(instance["node_id"]), "action": action,
                              "instance": instance["instance_name"]})
        with self.db.system() as conn:
            sql.notify_node(conn, payload)

    # -- failover ---------------------------------------------------------------------------

    def take_over(self) -> builtins.list[str]:
        """Place the instances of dead nodes (and of none) on live ones; the actions taken.
        One process at a time does it (the others skip)."""
        with self.db.system() as conn:
            if not sql.try_lock_fleet(conn):
                return []
            lost = sql.lost_nodes_instances(conn, self.limit)
            unplaced = sql.unplaced_instances(conn) if sql.any_node(conn) else []
        actions = []
        for instance in lost + unplaced:
            reason = (f"node {instance['node_name']} stopped answering" if instance["node_name"]
                      else "pinned by the platform admin" if instance["moving_to"]
                      else "first placement")
            try:
                actions.append(self.move(instance, reason))
            except Unavailable as exc:
                actions.append(f"could not place {instance['instance_name']}: {exc.message}")
        return [action for action in actions if action]
