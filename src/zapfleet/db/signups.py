"""SQL for the sign-ups waiting for their e-mail link (a platform table)."""
from __future__ import annotations

from datetime import datetime

COLUMNS = "id, email, name, phone, password_hash, created_at, expires_at, used_at"


def insert_request(conn, token_hash: str, email: str, name: str, phone: str | None,
                   password_hash: str, expires_at: datetime) -> dict:
    """A sign-up waiting for its link."""
    with conn.cursor() as cur:
        cur.execute("INSERT INTO signup_requests (token_hash, email, name, phone, password_hash,"
                    f" expires_at) VALUES (%s, %s, %s, %s, %s, %s) RETURNING {COLUMNS}",
                    (token_hash, email, name, phone, password_hash, expires_at))
        return cur.fetchone()


def pending_request(conn, token_hash: str, now: datetime) -> dict | None:
    """The unused, unexpired request of this token, locked; None when there is none."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {COLUMNS} FROM signup_requests WHERE token_hash = %s"
                    " AND used_at IS NULL AND expires_at > %s FOR UPDATE", (token_hash, now))
        return cur.fetchone()


def mark_used(conn, request_id, now: datetime) -> None:
    """The request's link has been used."""
    with conn.cursor() as cur:
        cur.execute("UPDATE signup_requests SET used_at = %s WHERE id = %s", (now, request_id))


def forget_old(conn, before: datetime) -> int:
    """Delete the requests that expired before this time; how many."""
    with conn.cursor() as cur:
        cur.execute("DELETE FROM signup_requests WHERE expires_at < %s", (before,))
        return cur.rowcount
