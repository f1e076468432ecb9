"""SQL for an account's services (what customers can book)."""
from __future__ import annotations

from typing import Any
from uuid import UUID

SERVICE_COLUMNS = ("id, account_id, name, duration_minutes, price_cents, active, position,"
                   " created_at, updated_at")
UPDATABLE = ("name", "duration_minutes", "price_cents", "active", "position")


def insert_service(conn, account_id: UUID, fields: dict[str, Any]) -> dict:
    """Insert a service (raises UniqueViolation for a name the account uses) and return it."""
    names = [name for name in UPDATABLE if name in fields]
    with conn.cursor() as cur:
        cur.execute(f"INSERT INTO services (account_id, {', '.join(names)})"
                    f" VALUES (%s{', %s' * len(names)}) RETURNING {SERVICE_COLUMNS}",
                    (account_id, *[fields[n] for n in names]))
        return cur.fetchone()


def get_service(conn, account_id: UUID, service_id: UUID) -> dict | None:
    """One of the account's services, or None."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {SERVICE_COLUMNS} FROM services WHERE account_id = %s AND id = %s",
                    (account_id, service_id))
        return cur.fetchone()


def list_services(conn, account_id: UUID, active_only: bool = False) -> list[dict]:
    """The account's services in their display order."""
    active = " AND active" if active_only else ""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {SERVICE_COLUMNS} FROM services WHERE account_id = %s{active}"
                    " ORDER BY position, name, id", (account_id,))
        return cur.fetchall()


def update_service(conn, account_id: UUID, service_id: UUID, changes: dict[str, Any]) -> dict | None:
    """Apply column changes to one service; return it or None."""
    names = [name for name in UPDATABLE if name in changes]
    assignments = "".join(f"{name} = %s, " for name in names)
    with conn.cursor() as cur:
        cur.execute(f"UPDATE services SET {assignments}updated_at = now()"
                    f" WHERE account_id = %s AND id = %s RETURNING {SERVICE_COLUMNS}",
                    (*[changes[n] for n in names], account_id, service_id))
        return cur.fetchone()


def delete_service(conn, account_id: UUID, service_id: UUID) -> bool:
    """Delete one service (its appointments keep the service's name); True when it existed."""
    with conn.cursor() as cur:
        cur.execute("DELETE FROM services WHERE account_id = %s AND id = %s", (account_id, service_id))
        return cur.rowcount == 1


def next_position(conn, account_id: UUID) -> int:
    """The position after the account's last service (a new one goes at the end)."""
    with conn.cursor() as cur:
        cur.execute("SELECT coalesce(max(position), 0) + 1 AS n FROM services WHERE account_id = %s",
                    (account_id,))
        return cur.fetchone()["n"]


def set_positions(conn, account_id: UUID, service_ids: list[UUID]) -> None:
    """Number the account's services 1, 2, 3… in the order of service_ids."""
    with conn.cursor() as cur:
        cur.execute("UPDATE services AS s SET position = o.n, updated_at = now()"
                    " FROM unnest(%s::uuid[]) WITH ORDINALITY AS o(id, n)"
                    " WHERE s.account_id = %s AND s.id = o.id AND s.position <> o.n",
                    (service_ids, account_id))
