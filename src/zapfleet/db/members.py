"""SQL for an account's members (its users and their account roles) and their invitations."""
from __future__ import annotations

from datetime import datetime
from uuid import UUID

MEMBER_COLUMNS = "id, account_id, email, name, account_role AS role, created_at"
INVITATION_COLUMNS = ("id, account_id, email, role, invited_by, created_at, expires_at,"
                      " accepted_at")


def list_members(conn, account_id: UUID) -> list[dict]:
    """The account's users, oldest first."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {MEMBER_COLUMNS} FROM users WHERE account_id = %s"
                    " ORDER BY created_at, id", (account_id,))
        return cur.fetchall()


def lock_admins(conn, account_id: UUID) -> list[UUID]:
    """The ids of the account's admins, locked until the transaction ends (so that two changes at
    once cannot both remove the last admin)."""
    with conn.cursor() as cur:
        cur.execute("SELECT id FROM users WHERE account_id = %s AND account_role = 'admin'"
                    " ORDER BY id FOR UPDATE", (account_id,))
        return [row["id"] for row in cur.fetchall()]


def get_member(conn, account_id: UUID, user_id: UUID) -> dict | None:
    """One of the account's users, or None."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {MEMBER_COLUMNS} FROM users WHERE account_id = %s AND id = %s",
                    (account_id, user_id))
        return cur.fetchone()


def set_role(conn, account_id: UUID, user_id: UUID, role: str) -> dict | None:
    """Change a member's account role; the member, or None when there is no such member."""
    with conn.cursor() as cur:
        cur.execute("UPDATE users SET account_role = %s, updated_at = now()"
                    f" WHERE account_id = %s AND id = %s RETURNING {MEMBER_COLUMNS}",
                    (role, account_id, user_id))
        return cur.fetchone()


def delete_member(conn, account_id: UUID, user_id: UUID) -> bool:
    """Delete a member (their API keys go with them); whether there was one."""
    with conn.cursor() as cur:
        cur.execute("DELETE FROM users WHERE account_id = %s AND id = %s", (account_id, user_id))
        return cur.rowcount == 1


def insert_member(conn, account_id: UUID, email: str, name: str, password_hash: str,
                  role: str) -> dict:
    """A new user of the account with this account role."""
    with conn.cursor() as cur:
        cur.execute("INSERT INTO users (account_id, email, name, password_hash, role, account_role)"
                    f" VALUES (%s, %s, %s, %s, 'member', %s) RETURNING {MEMBER_COLUMNS}",
                    (account_id, email, name, password_hash, role))
        return cur.fetchone()


def drop_pending(conn, account_id: UUID, email: str) -> None:
    """Forget the account's open invitation of this address, if any."""
    with conn.cursor() as cur:
        cur.execute("DELETE FROM invitations WHERE account_id = %s AND lower(email) = lower(%s)"
                    " AND accepted_at IS NULL", (account_id, email))


def insert_invitation(conn, account_id: UUID, email: str, role: str, token_hash: str,
                      invited_by: UUID | None, expires_at: datetime) -> dict:
    """A new invitation (only its token's hash is stored)."""
    with conn.cursor() as cur:
        cur.execute("INSERT INTO invitations (account_id, email, role, token_hash, invited_by,"
                    f" expires_at) VALUES (%s, %s, %s, %s, %s, %s) RETURNING {INVITATION_COLUMNS}",
                    (account_id, email, role, token_hash, invited_by, expires_at))
        return cur.fetchone()


def list_pending(conn, account_id: UUID) -> list[dict]:
    """The account's invitations not accepted yet (expired ones included), newest first."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {INVITATION_COLUMNS} FROM invitations WHERE account_id = %s"
                    " AND accepted_at IS NULL ORDER BY created_at DESC, id", (account_id,))
        return cur.fetchall()


def delete_invitation(conn, account_id: UUID, invitation_id: UUID) -> bool:
    """Revoke an open invitation; whether there was one."""
    with conn.cursor() as cur:
        cur.execute("DELETE FROM invitations WHERE account_id = %s AND id = %s"
                    " AND accepted_at IS NULL", (account_id, invitation_id))
        return cur.rowcount == 1


def open_invitation(conn, token_hash: str, now: datetime) -> dict | None:
    """The unaccepted, unexpired invitation of this token with its account's name, locked; None
    when there is none."""
    with conn.cursor() as cur:
        cur.execute("SELECT i.id, i.account_id, i.email, i.role, i.expires_at,"
                    " a.name AS account_name FROM invitations i"
                    " JOIN accounts a ON a.id = i.account_id"
                    " WHERE i.token_hash = %s AND i.accepted_at IS NULL AND i.expires_at > %s"
                    " FOR UPDATE OF i", (token_hash, now))
        return cur.fetchone()


def mark_accepted(conn, invitation_id: UUID, now: datetime) -> None:
    """The invitation's link has been used."""
    with conn.cursor() as cur:
        cur.execute("UPDATE invitations SET accepted_at = %s WHERE id = %s", (now, invitation_id))
