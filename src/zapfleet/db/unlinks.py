"""SQL for the unlinks still to do (a platform table: system transactions only)."""
from __future__ import annotations

from typing import Any
from uuid import UUID

COLUMNS = ("id, account_id, instance_id, instance_name, engine, evolution_server_id, phone, reason,"
           " attempts, last_error, created_at, next_attempt_at, done_at")


def insert_unlink(conn, instance: dict[str, Any], reason: str, error: str) -> dict:
    """Record an unlink that failed just now; the row (due at once)."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO unlinks (account_id, instance_id, instance_name, engine,"
            " evolution_server_id, phone, reason, last_error) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
            f" RETURNING {COLUMNS}",
            (instance["account_id"], instance["id"], instance["instance_name"], instance["engine"],
             instance.get("evolution_server_id"), instance.get("phone"), reason, error))
        return cur.fetchone()


def claim_due(conn, lease_seconds: int, limit: int) -> list[dict]:
    """The unlinks due now, leased for lease_seconds so that another dispatcher skips them."""
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE unlinks SET next_attempt_at = now() + make_interval(secs => %s)"
            " WHERE id IN (SELECT id FROM unlinks WHERE done_at IS NULL AND next_attempt_at <= now()"
            " ORDER BY next_attempt_at LIMIT %s FOR UPDATE SKIP LOCKED)"
            f" RETURNING {COLUMNS}", (lease_seconds, limit))
        return cur.fetchall()


def finish_unlink(conn, unlink_id: UUID) -> None:
    """The unlink happened."""
    with conn.cursor() as cur:
        cur.execute("UPDATE unlinks SET attempts = attempts + 1, done_at = now(), last_error = NULL"
                    " WHERE id = %s", (unlink_id,))


def fail_unlink(conn, unlink_id: UUID, error: str, retry_in_seconds: int) -> None:
    """One more failed attempt; the next one after retry_in_seconds."""
    with conn.cursor() as cur:
        cur.execute("UPDATE unlinks SET attempts = attempts + 1, last_error = %s,"
                    " next_attempt_at = now() + make_interval(secs => %s) WHERE id = %s",
                    (error, retry_in_seconds, unlink_id))


def list_unlinks(conn, limit: int = 200) -> list[dict]:
    """The unlinks still to do first (oldest first), then the latest done ones."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {COLUMNS} FROM unlinks"
                    " ORDER BY done_at IS NOT NULL, done_at DESC, created_at LIMIT %s", (limit,))
        return cur.fetchall()
