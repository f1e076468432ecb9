"""SQL for users and API keys."""
from __future__ import annotations

from uuid import UUID

USER_COLUMNS = "id, account_id, email, role, account_role, created_at, updated_at"
KEY_COLUMNS = "id, account_id, user_id, prefix, label, created_at, last_used_at, revoked_at"


def insert_user(conn, account_id: UUID | None, email: str, password_hash: str, role: str,
                account_role: str = "admin") -> dict:
    """Insert a user and return it (without the hash); an account's user gets account_role."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO users (account_id, email, password_hash, role, account_role)"
            f" VALUES (%s, %s, %s, %s, %s) RETURNING {USER_COLUMNS}",
            (account_id, email, password_hash, role, None if account_id is None else account_role),
        )
        return cur.fetchone()


def get_user_by_email(conn, email: str) -> dict | None:
    """A user with its password hash, by e-mail (case-insensitive)."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {USER_COLUMNS}, password_hash FROM users WHERE lower(email) = lower(%s)",
                    (email,))
        return cur.fetchone()


def get_user(conn, user_id: UUID) -> dict | None:
    """A user with its password hash, by id."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {USER_COLUMNS}, password_hash FROM users WHERE id = %s", (user_id,))
        return cur.fetchone()


def count_platform_admins(conn) -> int:
    """How many users are platform admins (no account)."""
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) AS n FROM users WHERE role = 'admin' AND account_id IS NULL")
        return cur.fetchone()["n"]


def set_password_hash(conn, user_id: UUID, password_hash: str) -> None:
    """Replace a user's password hash."""
    with conn.cursor() as cur:
        cur.execute("UPDATE users SET password_hash = %s, updated_at = now() WHERE id = %s",
                    (password_hash, user_id))


def insert_api_key(conn, account_id: UUID | None, user_id: UUID | None, prefix: str,
                   key_hash: str, label: str) -> dict:
    """Store a new API key (hash only) and return its visible row."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO api_keys (account_id, user_id, prefix, key_hash, label)"
            f" VALUES (%s, %s, %s, %s, %s) RETURNING {KEY_COLUMNS}",
            (account_id, user_id, prefix, key_hash, label),
        )
        return cur.fetchone()


def find_active_key(conn, key_hash: str) -> dict | None:
    """The unrevoked key with this hash, with its owner's roles and account's status, or None."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT k.id, k.account_id, k.user_id, k.last_used_at, u.role AS user_role,"
            " u.account_role AS user_account_role, a.status AS account_status"
            " FROM api_keys k LEFT JOIN users u ON u.id = k.user_id"
            " LEFT JOIN accounts a ON a.id = k.account_id"
            " WHERE k.key_hash = %s AND k.revoked_at IS NULL",
            (key_hash,),
        )
        return cur.fetchone()


def touch_key(conn, key_id: UUID) -> None:
    """Record a use of a key, at most once a minute."""
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE api_keys SET last_used_at = now() WHERE id = %s"
            " AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
            (key_id,),
        )


def list_api_keys(conn, account_id: UUID) -> list[dict]:
    """An account's keys, newest first."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {KEY_COLUMNS} FROM api_keys WHERE account_id = %s"
                    " ORDER BY created_at DESC, id", (account_id,))
        return cur.fetchall()


def revoke_api_key(conn, account_id: UUID, key_id: UUID) -> dict | None:
    """Revoke one of an account's keys; return it, or None if there is no such key."""
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())"
            f" WHERE id = %s AND account_id = %s RETURNING {KEY_COLUMNS}",
            (key_id, account_id),
        )
        return cur.fetchone()
