"""Users, passwords and API keys: the identity part of the AccountManager."""
from __future__ import annotations

import hashlib
import secrets
from uuid import UUID

from argon2 import PasswordHasher

from zapfleet.core import validation
from zapfleet.core.errors import Conflict, InvalidInput, NotFound, message_id
from zapfleet.core.security import hash_api_key, new_api_key, new_password_hasher, verify_password
from zapfleet.core.shapes import parse
from zapfleet.core.unique import unique_violation
from zapfleet.db import Database
from zapfleet.db import identity as sql
from zapfleet.tenancy.keycache import VerifiedKeys
from zapfleet.tenancy.principal import Principal
from zapfleet.tenancy.shapes import ApiKeyIn


class Identity:
    """Users, password checks and API keys."""

    def __init__(self, db: Database, hasher: PasswordHasher | None = None,
                 verified_keys: VerifiedKeys | None = None):
        self.db = db
        self.hasher = hasher or new_password_hasher()
        self.verified_keys = verified_keys or VerifiedKeys()

    def create_user(self, email: str, password: str, account_id: UUID | None) -> dict:
        """Create a member of an account, or a platform admin when account_id is None."""
        email = validation.email(email)
        password_hash = self.hasher.hash(validation.password(password, hints=(email,)))
        role = "admin" if account_id is None else "member"
        with unique_violation(Conflict, message_id("a user with e-mail %(email)s already exists"), email=email):
            with self.db.system() as conn:
                return sql.insert_user(conn, account_id, email, password_hash, role)

    def ensure_platform_admin(self, email: str, password: str | None) -> str | None:
        """Create the platform admin if none exists; return the password when it was generated."""
        with self.db.system() as conn:
            if sql.count_platform_admins(conn):
                return None
        if password:
            self.create_user(email, password, None)
            return None
        generated = secrets.token_urlsafe(12)
        self.create_user(email, generated, None)
        return generated

    def authenticate(self, email: str, password: str) -> dict | None:
        """The user whose e-mail and password match, or None."""
        with self.db.system() as conn:
            user = sql.get_user_by_email(conn, email.strip()) if isinstance(email, str) else None
        if user is None:
            self.hasher.hash("timing-equaliser")  # same cost whether or not the e-mail exists
            return None
        if not verify_password(self.hasher, user.pop("password_hash"), password):
            return None
        return user

    def session_user(self, user_id: UUID) -> dict | None:
        """A user with a `stamp` that changes whenever the password does, or None."""
        with self.db.system() as conn:
            user = sql.get_user(conn, user_id)
        if user is not None:
            user["stamp"] = hashlib.sha256(user.pop("password_hash").encode()).hexdigest()[:16]
        return user

    def change_password(self, user_id: UUID, old_password: str, new_password: str) -> None:
        """Replace a user's password after checking the old one."""
        new_hash = self.hasher.hash(validation.password(new_password, "new_password"))
        with self.db.system() as conn:
            user = sql.get_user(conn, user_id)
            if user is None:
                raise NotFound("no such user")
            if not verify_password(self.hasher, user["password_hash"], old_password):
                raise InvalidInput("old_password", "is not the current password")
            sql.set_password_hash(conn, user_id, new_hash)

    def issue_api_key(self, account_id: UUID | None, label: str = "",
                      user_id: UUID | None = None) -> tuple[dict, str]:
        """Create an API key; return its stored row and the key itself (shown once)."""
        key, prefix = new_api_key()
        label = parse(ApiKeyIn, {"label": label}).label
        with self.db.system() as conn:
            row = sql.insert_api_key(conn, account_id, user_id, prefix, hash_api_key(key), label)
        return row, key

    def verify_api_key(self, key: str) -> Principal | None:
        """The principal an API key stands for, or None when it is unknown or revoked (a key
        verified in the last few seconds is not looked up again: zapfleet.tenancy.keycache). A key
        acts as admin: only admins make keys; one whose maker was later made agent acts as agent."""
        key_hash = hash_api_key(key)
        known = self.verified_keys.get(key_hash)
        if known is not None:
            return known
        with self.db.system() as conn:
            row = sql.find_active_key(conn, key_hash)
            if row is None:
                return None
            sql.touch_key(conn, row["id"])
        if row["account_id"] is None:
            principal = Principal(is_admin=row["user_role"] == "admin", user_id=row["user_id"])
        else:
            principal = Principal(is_admin=False, account_id=row["account_id"], user_id=row["user_id"],
                                  account_status=row["account_status"],
                                  role=row["user_account_role"] or "admin")
        self.verified_keys.put(key_hash, row["id"], row["account_id"], principal)
        return principal

    def list_api_keys(self, account_id: UUID) -> list[dict]:
        """An account's API keys (never the keys themselves)."""
        with self.db.tenant(account_id) as conn:
            return sql.list_api_keys(conn, account_id)

    def revoke_api_key(self, account_id: UUID, key_id: UUID) -> dict:
        """Revoke one of an account's keys."""
        with self.db.tenant(account_id) as conn:
            row = sql.revoke_api_key(conn, account_id, key_id)
        if row is None:
            raise NotFound("no such API key")
        self.verified_keys.forget_key(row["id"])
        return row
