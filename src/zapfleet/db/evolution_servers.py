"""SQL for the platform's Evolution API servers and the instances placed on them."""
from __future__ import annotations

from typing import Any
from uuid import UUID

SERVER_COLUMNS = "id, name, url, webhook_base, capacity, priority, active, created_at, updated_at"
"""Every column but the encrypted API key, which only server_secret reads."""
UPDATABLE = ("name", "url", "api_key_encrypted", "webhook_base", "capacity", "priority", "active")
SERVER_LOCK_CLASS = 0x7A6604  # advisory-lock class ("zf" 4): placing instances on servers
_WITH_USAGE = (
    "SELECT " + ", ".join(f"s.{c.strip()}" for c in SERVER_COLUMNS.split(",")) + ","
    " count(i.id)::int AS instances,"
    " (count(i.id) FILTER (WHERE i.status = 'connected'))::int AS connected"
    " FROM evolution_servers s LEFT JOIN instances i ON i.evolution_server_id = s.id")
_ORDER = " GROUP BY s.id ORDER BY s.priority DESC, s.created_at, s.id"


def insert_server(conn, fields: dict[str, Any]) -> UUID:
    """Insert a server (columns from UPDATABLE); return its id."""
    names = [name for name in fields if name in UPDATABLE]
    with conn.cursor() as cur:
        cur.execute(
            f"INSERT INTO evolution_servers ({', '.join(names)})"
            f" VALUES ({', '.join(['%s'] * len(names))}) RETURNING id",
            [fields[name] for name in names])
        return cur.fetchone()["id"]


def list_servers(conn, active_only: bool = False) -> list[dict]:
    """Every server (or the active ones) with its instances and connected count, highest
    priority first."""
    where = " WHERE s.active" if active_only else ""
    with conn.cursor() as cur:
        cur.execute(_WITH_USAGE + where + _ORDER)
        return cur.fetchall()


def get_server(conn, server_id: UUID) -> dict | None:
    """One server with its usage, or None."""
    with conn.cursor() as cur:
        cur.execute(_WITH_USAGE + " WHERE s.id = %s" + _ORDER, (server_id,))
        return cur.fetchone()


def server_secret(conn, server_id: UUID) -> dict | None:
    """What a worker on the server needs: url, webhook_base and the encrypted API key."""
    with conn.cursor() as cur:
        cur.execute("SELECT name, url, webhook_base, api_key_encrypted FROM evolution_servers"
                    " WHERE id = %s", (server_id,))
        return cur.fetchone()


def update_server(conn, server_id: UUID, changes: dict[str, Any]) -> bool:
    """Apply column changes (names from UPDATABLE); True when the server exists."""
    names = [name for name in changes if name in UPDATABLE]
    assignments = "".join(f"{name} = %s, " for name in names)
    with conn.cursor() as cur:
        cur.execute(f"UPDATE evolution_servers SET {assignments}updated_at = now() WHERE id = %s",
                    [*(changes[name] for name in names), server_id])
        return cur.rowcount == 1


def delete_server(conn, server_id: UUID) -> bool:
    """Delete a server (the foreign key refuses one that serves instances); True when it existed."""
    with conn.cursor() as cur:
        cur.execute("DELETE FROM evolution_servers WHERE id = %s", (server_id,))
        return cur.rowcount == 1


def environment_usage(conn) -> dict:
    """Instances on the server set in the environment (evolution, no server row): counts."""
    with conn.cursor() as cur:
        cur.execute("SELECT count(*)::int AS instances,"
                    " (count(*) FILTER (WHERE status = 'connected'))::int AS connected"
                    " FROM instances WHERE engine = 'evolution' AND evolution_server_id IS NULL")
        return cur.fetchone()


def lock_servers(conn) -> None:
    """Hold the lock on placing instances on servers until the transaction ends."""
    with conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s, 0)", (SERVER_LOCK_CLASS,))
