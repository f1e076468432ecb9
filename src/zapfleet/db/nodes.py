"""SQL for nodes (the machines that run workers), placement and an instance's history."""
from __future__ import annotations

from typing import Any
from uuid import UUID

NODE_COLUMNS = ("id, name, address, port_base, port_count, capacity, priority, active, drain,"
                " agent_pid, started_at, heartbeat_at, created_at, busy_ports")
FLEET_LOCK_CLASS = 0x7A6603  # advisory-lock class ("zf" 3): failover and drain, one at a time
_HEALTHY = "n.heartbeat_at > now() - make_interval(secs => %(limit)s)"
EDITABLE = ("active", "capacity", "priority", "drain")


def register_node(conn, name: str, address: str, port_base: int, port_count: int, capacity: int,
                  priority: int, agent_pid: int) -> dict:
    """Insert or update this node's row as its agent starts (its heartbeat starts with it)."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO nodes (name, address, port_base, port_count, capacity, priority, agent_pid,"
            " started_at, heartbeat_at) VALUES (%s, %s, %s, %s, %s, %s, %s, now(), now())"
            " ON CONFLICT (name) DO UPDATE SET address = excluded.address,"
            " port_base = excluded.port_base, port_count = excluded.port_count,"
            " capacity = excluded.capacity, priority = excluded.priority,"
            " agent_pid = excluded.agent_pid, started_at = now(), heartbeat_at = now()"
            f" RETURNING {NODE_COLUMNS}",
            (name, address, port_base, port_count, capacity, priority, agent_pid))
        return cur.fetchone()


def beat(conn, node_id: UUID, limit: float) -> bool:
    """Record a heartbeat, only while the node still counts as alive; False when its last one
    is older than the limit (its instances may have been taken over: it must rejoin)."""
    with conn.cursor() as cur:
        cur.execute("UPDATE nodes n SET heartbeat_at = now() WHERE id = %(id)s AND " + _HEALTHY,
                    {"id": node_id, "limit": limit})
        return cur.rowcount == 1


def set_busy_ports(conn, node_id: UUID, ports: list[int]) -> None:
    """Record the ports of a node's range that another program holds."""
    with conn.cursor() as cur:
        cur.execute("UPDATE nodes SET busy_ports = %s WHERE id = %s", (ports, node_id))


def set_port(conn, instance_id: UUID, port: int) -> None:
    """Give an instance another port on its node."""
    with conn.cursor() as cur:
        cur.execute("UPDATE instances SET port = %s, updated_at = now() WHERE id = %s",
                    (port, instance_id))


def rejoin(conn, node_id: UUID) -> None:
    """Count a node that had stopped beating as alive again (after it stopped what it lost)."""
    with conn.cursor() as cur:
        cur.execute("UPDATE nodes SET heartbeat_at = now() WHERE id = %s", (node_id,))


def list_nodes(conn, limit: float) -> list[dict]:
    """Every node with its usage (instances placed on it, running, connected) and health."""
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT {', '.join('n.' + c.strip() for c in NODE_COLUMNS.split(','))},"
            f" ({_HEALTHY}) AS healthy, count(i.id)::int AS used,"
            " count(i.id) FILTER (WHERE i.desired_state = 'running')::int AS running,"
            " count(i.id) FILTER (WHERE i.status = 'connected')::int AS connected,"
            " count(i.id) FILTER (WHERE i.pinned)::int AS pinned"
            " FROM nodes n LEFT JOIN instances i ON i.node_id = n.id"
            " GROUP BY n.id ORDER BY n.priority DESC, n.name", {"limit": limit})
        return cur.fetchall()


def get_node(conn, node_id: UUID) -> dict | None:
    """One node by id, or None."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {NODE_COLUMNS} FROM nodes WHERE id = %s", (node_id,))
        return cur.fetchone()


def get_node_by_name(conn, name: str) -> dict | None:
    """One node by name, or None."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {NODE_COLUMNS} FROM nodes WHERE name = %s", (name,))
        return cur.fetchone()


def update_node(conn, node_id: UUID, fields: dict[str, Any]) -> dict | None:
    """Change a node's active, capacity, priority or drain; the row, or None."""
    names = [name for name in EDITABLE if name in fields]
    if not names:
        return get_node(conn, node_id)
    with conn.cursor() as cur:
        cur.execute(
            f"UPDATE nodes SET {', '.join(f'{n} = %({n})s' for n in names)} WHERE id = %(id)s"
            f" RETURNING {NODE_COLUMNS}", {**fields, "id": node_id})
        return cur.fetchone()


def any_node(conn) -> bool:
    """True once any node has registered (then every instance is placed on one)."""
    with conn.cursor() as cur:
        cur.execute("SELECT EXISTS (SELECT 1 FROM nodes) AS found")
        return cur.fetchone()["found"]


def choose_node(conn, limit: float, exclude: list[UUID] | None = None) -> dict | None:
    """Seed 001's choice among healthy nodes: active, not draining, has room, highest
    priority, least used (the caller holds the placement lock, so that none is overfilled)."""
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT {', '.join('n.' + c.strip() for c in NODE_COLUMNS.split(','))},"
            " count(i.id)::int AS used FROM nodes n LEFT JOIN instances i ON i.node_id = n.id"
            f" WHERE n.active AND NOT n.drain AND {_HEALTHY} AND n.id <> ALL(%(exclude)s::uuid[])"
            " GROUP BY n.id HAVING count(i.id) < n.capacity"
            " ORDER BY n.priority DESC, count(i.id), n.name LIMIT 1",
            {"limit": limit, "exclude": exclude or []})
        return cur.fetchone()


def healthy_node(conn, node_id: UUID, limit: float) -> dict | None:
    """The node when it is alive (for a pin, which ignores room and priority), else None."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {NODE_COLUMNS} FROM nodes n WHERE id = %(id)s AND {_HEALTHY}",
                    {"id": node_id, "limit": limit})
        return cur.fetchone()


_MOVABLE = ("SELECT i.id, i.account_id, i.instance_name, i.node_id, i.moving_to,"
            " n.name AS node_name FROM instances i LEFT JOIN nodes n ON n.id = i.node_id")


def lost_nodes_instances(conn, limit: float) -> list[dict]:
    """Instances on nodes whose heartbeat is older than the limit: the unpinned ones, and the
    ones asked to move elsewhere."""
    with conn.cursor() as cur:
        cur.execute(f"{_MOVABLE} WHERE (NOT i.pinned OR i.moving_to IS NOT NULL)"
                    f" AND NOT ({_HEALTHY}) ORDER BY n.name, i.created_at", {"limit": limit})
        return cur.fetchall()


def unplaced_instances(conn) -> list[dict]:
    """Instances on no node (made before any node registered)."""
    with conn.cursor() as cur:
        cur.execute(f"{_MOVABLE} WHERE i.node_id IS NULL ORDER BY i.created_at")
        return cur.fetchall()


def leaving_instances(conn, node_id: UUID, draining: bool) -> list[dict]:
    """A node's instances asked to move elsewhere, then (when it drains) its next unpinned one."""
    with conn.cursor() as cur:
        cur.execute(f"{_MOVABLE} WHERE i.node_id = %(node)s AND (i.moving_to IS NOT NULL"
                    " OR (%(draining)s AND NOT i.pinned)) ORDER BY i.moving_to IS NULL, i.created_at"
                    " LIMIT 1", {"node": node_id, "draining": draining})
        return cur.fetchall()


def lock_node_if_dead(conn, node_id: UUID | None, limit: float) -> bool:
    """Lock a node's row for this transaction; True when it is dead (or None): its instances
    may be taken over. A heartbeat waits for the lock, and then fails."""
    if node_id is None:
        return True
    with conn.cursor() as cur:
        cur.execute(f"SELECT NOT ({_HEALTHY}) AS dead FROM nodes n WHERE id = %(id)s FOR UPDATE",
                    {"id": node_id, "limit": limit})
        row = cur.fetchone()
        return row is None or row["dead"]


def place_instance(conn, instance_id: UUID, node_id: UUID | None, port: int | None,
                   from_node: UUID | None, pinned: bool | None = None) -> bool:
    """Put an instance that is still on from_node on a node and port (and pin or unpin it);
    its observed state starts over. False when it was not on from_node any more."""
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE instances SET node_id = %s, port = %s, pinned = coalesce(%s, pinned),"
            " moving_to = NULL,"
            " status = CASE WHEN desired_state = 'running' THEN 'starting' ELSE 'stopped' END,"
            " updated_at = now() WHERE id = %s AND node_id IS NOT DISTINCT FROM %s",
            (node_id, port, pinned, instance_id, from_node))
        return cur.rowcount == 1


def ask_move(conn, instance_id: UUID, node_id: UUID) -> None:
    """Ask an instance's live node to hand it to another (pin): stop first, then hand over."""
    with conn.cursor() as cur:
        cur.execute("UPDATE instances SET moving_to = %s, pinned = true WHERE id = %s",
                    (node_id, instance_id))


def set_pinned(conn, instance_id: UUID, pinned: bool) -> None:
    """Pin or unpin an instance where it is."""
    with conn.cursor() as cur:
        cur.execute("UPDATE instances SET pinned = %s WHERE id = %s", (pinned, instance_id))


def try_lock_fleet(conn) -> bool:
    """Take the fleet lock (failover, adoption) for this transaction; False when it is held."""
    with conn.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_xact_lock(%s, 0) AS locked", (FLEET_LOCK_CLASS,))
        return cur.fetchone()["locked"]


def add_history(conn, instance_id: UUID, account_id: UUID, event: str, from_node: str | None,
                to_node: str | None, reason: str) -> None:
    """Note a placement change in the instance's history."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO instance_history (instance_id, account_id, event, from_node, to_node,"
            " reason) VALUES (%s, %s, %s, %s, %s, %s)",
            (instance_id, account_id, event, from_node, to_node, reason))


def instance_history(conn, instance_id: UUID, limit: int = 50) -> list[dict]:
    """An instance's placement history, newest first."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT event, from_node, to_node, reason, at FROM instance_history"
            " WHERE instance_id = %s ORDER BY at DESC, id DESC LIMIT %s", (instance_id, limit))
        return cur.fetchall()


def placements(conn) -> dict[UUID, dict]:
    """Each account's instance's node name and its last move (from_node, to_node, reason, at;
    None where it never moved), by account id, in one query (the owner's dashboard)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT i.account_id, n.name AS node_name, m.from_node, m.to_node, m.reason, m.at"
            " FROM instances i LEFT JOIN nodes n ON n.id = i.node_id"
            " LEFT JOIN LATERAL (SELECT h.from_node, h.to_node, h.reason, h.at"
            "  FROM instance_history h WHERE h.instance_id = i.id AND h.event = 'moved'"
            "  ORDER BY h.at DESC, h.id DESC LIMIT 1) m ON true")
        return {row["account_id"]: row for row in cur.fetchall()}


def delete_worker_session(conn, instance_id: UUID) -> None:
    """Wipe an instance's session kept in the database: its worker files and whatsmeow store."""
    with conn.cursor() as cur:
        cur.execute("DELETE FROM worker_files WHERE instance_id = %s", (instance_id,))
        cur.execute(f"DROP SCHEMA IF EXISTS wa_{UUID(str(instance_id)).hex} CASCADE")


NODE_CHANNEL = "zapfleet_nodes"
"""Where the web app tells a node's agent to act now instead of at its next pass."""


def notify_node(conn, payload: str) -> None:
    """Wake the node agents (each acts only on a payload naming its node)."""
    with conn.cursor() as cur:
        cur.execute("SELECT pg_notify(%s, %s)", (NODE_CHANNEL, payload))


def node_instances(conn, node_id: UUID) -> list[dict]:
    """The instances placed on a node, with what its agent compares between passes."""
    with conn.cursor() as cur:
        cur.execute("SELECT id, account_id, instance_name, desired_state, engine, port,"
                    " evolution_server_id FROM instances WHERE node_id = %s", (node_id,))
        return cur.fetchall()


def instance_state(conn, instance_id: UUID) -> dict | None:
    """An instance's desired state and status, or None when it is gone."""
    with conn.cursor() as cur:
        cur.execute("SELECT desired_state, status FROM instances WHERE id = %s", (instance_id,))
        return cur.fetchone()
