"""SQL for the worker events put aside (a platform table: system transactions only)."""
from __future__ import annotations

from uuid import UUID

COLUMNS = ("id, account_id, instance_id, event_id, kind, event, error, retries, created_at,"
           " resolved_at")


def insert_dead_letter(conn, instance: dict, event_id: str | None, kind: str | None, event: str,
                       error: str) -> None:
    """Put an event aside with the reason (once: an event id already put aside is kept)."""
    with conn.cursor() as cur:
        cur.execute("INSERT INTO dead_letters (account_id, instance_id, event_id, kind, event, error)"
                    " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    (instance["account_id"], instance["id"], event_id, kind, event, error))


def get_dead_letter(conn, dead_letter_id: UUID) -> dict | None:
    """One put-aside event, locked for its retry; None when there is none."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {COLUMNS} FROM dead_letters WHERE id = %s FOR UPDATE", (dead_letter_id,))
        return cur.fetchone()


def record_retry(conn, dead_letter_id: UUID, error: str | None) -> dict:
    """A retry: resolved when error is None, else the new reason."""
    with conn.cursor() as cur:
        cur.execute("UPDATE dead_letters SET retries = retries + 1,"
                    " resolved_at = CASE WHEN %s::text IS NULL THEN now() END,"
                    " error = coalesce(%s, error) WHERE id = %s"
                    f" RETURNING {COLUMNS}", (error, error, dead_letter_id))
        return cur.fetchone()


def list_dead_letters(conn, limit: int = 200) -> list[dict]:
    """The events still put aside (oldest first), then the latest resolved ones."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {COLUMNS} FROM dead_letters"
                    " ORDER BY resolved_at IS NOT NULL, resolved_at DESC, created_at LIMIT %s",
                    (limit,))
        return cur.fetchall()
