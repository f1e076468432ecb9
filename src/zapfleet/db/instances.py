"""SQL for WhatsApp instances: one per account, desired state beside observed status."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

INSTANCE_COLUMNS = ("id, account_id, instance_name, port, engine, status, desired_state, qr_code,"
                    " phone, last_connected, last_error, banned_until, evolution_server_id,"
                    " created_at, updated_at, node_id, pinned, moving_to")
NODE_OF = (", (SELECT n.name FROM nodes n WHERE n.id = node_id) AS node_name,"
           " (SELECT n.address FROM nodes n WHERE n.id = node_id) AS node_address")
"""The instance's node's name and address, beside its columns (read only where they are used:
the instance manager's calls, not a worker event's)."""
OBSERVED = ("status", "qr_code", "phone", "last_connected", "last_error", "banned_until")
ACCOUNT_LOCK_CLASS = 0x7A6601  # advisory-lock classes ("zf" 1 and 2): per-account lifecycle
PORT_LOCK_CLASS = 0x7A6602  # and the global port allocation
MAX_PORT = 65535


def insert_instance(conn, account_id: UUID, instance_name: str, port: int, engine: str,
                    desired_state: str = "running", status: str = "starting",
                    evolution_server_id: UUID | None = None, node_id: UUID | None = None) -> dict:
    """Insert an instance row and return it."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO instances (account_id, instance_name, port, engine, desired_state, status,"
            f" evolution_server_id, node_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
            f" RETURNING {INSTANCE_COLUMNS}{NODE_OF}",
            (account_id, instance_name, port, engine, desired_state, status, evolution_server_id,
             node_id))
        return cur.fetchone()


def get_instance_for_account(conn, account_id: UUID, with_node: bool = False) -> dict | None:
    """The account's instance (with its node's name and address when asked), or None."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {INSTANCE_COLUMNS}{NODE_OF if with_node else ''} FROM instances"
                    " WHERE account_id = %s", (account_id,))
        return cur.fetchone()


def get_instance(conn, instance_id: UUID, with_node: bool = False) -> dict | None:
    """One instance by id (with its node's name and address when asked), or None."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {INSTANCE_COLUMNS}{NODE_OF if with_node else ''} FROM instances"
                    " WHERE id = %s", (instance_id,))
        return cur.fetchone()


def list_instances(conn, account_id: UUID | None = None, *, on_node: bool = False,
                   node_id: UUID | None = None) -> list[dict]:
    """Instances with their account's name, slug and status and their node: all of them, one
    account's, or (on_node) those on one node (node_id None: on no node)."""
    columns = ", ".join(f"i.{c.strip()}" for c in INSTANCE_COLUMNS.split(","))
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT {columns}, a.name AS account_name, a.slug AS account_slug,"
            " a.status AS account_status, n.name AS node_name, n.address AS node_address"
            " FROM instances i JOIN accounts a ON a.id = i.account_id"
            " LEFT JOIN nodes n ON n.id = i.node_id"
            " WHERE (%(account)s::uuid IS NULL OR i.account_id = %(account)s::uuid)"
            " AND (NOT %(on_node)s OR i.node_id IS NOT DISTINCT FROM %(node)s::uuid)"
            " ORDER BY i.created_at, i.id",
            {"account": account_id, "on_node": on_node, "node": node_id})
        return cur.fetchall()


def instance_names(conn, node_id: UUID | None = None) -> set[str]:
    """The program names of every instance, or of those on a node or on none (to tell
    orphaned programs apart)."""
    with conn.cursor() as cur:
        cur.execute("SELECT instance_name FROM instances WHERE %(node)s::uuid IS NULL"
                    " OR node_id = %(node)s::uuid OR node_id IS NULL", {"node": node_id})
        return {row["instance_name"] for row in cur.fetchall()}


def set_desired_state(conn, account_id: UUID, desired_state: str) -> dict | None:
    """Set the account's instance's desired state (running|stopped); return the row or None."""
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE instances SET desired_state = %s, updated_at = now() WHERE account_id = %s"
            f" RETURNING {INSTANCE_COLUMNS}{NODE_OF}", (desired_state, account_id))
        return cur.fetchone()


def set_engine(conn, account_id: UUID, engine: str,
               evolution_server_id: UUID | None = None) -> dict | None:
    """Switch the account's instance to another engine (and Evolution server, or none); its
    observed state starts over."""
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE instances SET engine = %s, evolution_server_id = %s, status = 'starting',"
            " qr_code = NULL, phone = NULL, last_error = NULL, banned_until = NULL,"
            f" updated_at = now() WHERE account_id = %s RETURNING {INSTANCE_COLUMNS}{NODE_OF}",
            (engine, evolution_server_id, account_id))
        return cur.fetchone()


def update_observed(conn, instance_id: UUID, with_node: bool = False, **fields: Any) -> dict | None:
    """Record observed columns (status, qr_code, phone, last_connected, last_error, banned_until);
    the row, with its node's name and address when asked."""
    unknown = set(fields) - set(OBSERVED)
    if unknown:
        raise ValueError(f"not an observed column: {', '.join(sorted(unknown))}")
    assignments = "".join(f"{name} = %s, " for name in fields)
    with conn.cursor() as cur:
        cur.execute(
            f"UPDATE instances SET {assignments}updated_at = now() WHERE id = %s"
            f" RETURNING {INSTANCE_COLUMNS}{NODE_OF if with_node else ''}",
            (*fields.values(), instance_id))
        return cur.fetchone()


def delete_instance(conn, account_id: UUID) -> bool:
    """Delete the account's instance; True when it existed."""
    with conn.cursor() as cur:
        cur.execute("DELETE FROM instances WHERE account_id = %s", (account_id,))
        return cur.rowcount == 1


def lowest_free_port(conn, base: int, exclude: Sequence[int] = (), node_id: UUID | None = None,
                     count: int = MAX_PORT) -> int | None:
    """The lowest port in base..base+count-1 that no instance on the node (or on no node) uses
    and is not in exclude; None if none is left."""
    with conn.cursor() as cur:
        cur.execute(
            "WITH used AS (SELECT port FROM instances"
            "  WHERE node_id IS NOT DISTINCT FROM %(node)s::uuid AND port >= %(base)s)"
            " SELECT min(c.port) AS port FROM ("
            "  SELECT %(base)s::int AS port"
            "  UNION ALL SELECT port + 1 FROM used"
            "  UNION ALL SELECT e + 1 FROM unnest(%(exclude)s::int[]) AS e WHERE e >= %(base)s"
            ") c WHERE c.port <= %(max)s AND c.port <> ALL(%(exclude)s::int[])"
            "  AND NOT EXISTS (SELECT 1 FROM used u WHERE u.port = c.port)",
            {"base": base, "exclude": list(exclude), "node": node_id,
             "max": min(MAX_PORT, base + count - 1)})
        return cur.fetchone()["port"]


def lock_ports(conn) -> None:
    """Hold the global port-allocation lock until the transaction ends."""
    with conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s, 0)", (PORT_LOCK_CLASS,))


def try_lock_account(conn, account_id: UUID) -> bool:
    """Take the account's instance-lifecycle lock for this transaction; False when it is held."""
    with conn.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_xact_lock(%s, hashtext(%s::text)) AS locked",
                    (ACCOUNT_LOCK_CLASS, str(account_id)))
        return cur.fetchone()["locked"]
