"""The AccountManager: accounts (tenants), their sign-up and deletion."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from zapfleet.core.errors import Conflict, NotFound, message_id
from zapfleet.core.shapes import parse
from zapfleet.core.unique import unique_violation
from zapfleet.core.vocabulary import ACCOUNT_PLANS, ACCOUNT_STATUSES
from zapfleet.db import Database
from zapfleet.db import accounts as sql
from zapfleet.tenancy.identity import Identity
from zapfleet.tenancy.shapes import AccountIn, AccountPatch, RegistrationIn

PLANS = ACCOUNT_PLANS
STATUSES = ACCOUNT_STATUSES


def slugify(name: str) -> str:
    """A URL- and process-name-safe slug made from a display name."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")
    return slug or "account"


class AccountManager:
    """The accounts: each operation names one account and never sees another account's rows."""

    def __init__(self, db: Database, identity: Identity, region: str = "BR",
                 retention_days: int = 30):
        self.db, self.identity, self.region = db, identity, region
        self.retention_days = retention_days

    def create_account(self, data: Mapping[str, Any]) -> dict:
        """Create an account from name, and optional slug, phone, plan and settings."""
        fields = parse(AccountIn, data, region=self.region)
        with unique_violation(Conflict, message_id("an account with this slug or phone already exists")):
            with self.db.system() as conn:
                slug = fields.slug or self._free_slug(conn, fields.name)
                return sql.insert_account(conn, fields.name, slug, fields.phone, fields.plan,
                                          fields.settings)

    def register_customer(self, data: Mapping[str, Any], with_api_key: bool = True) -> dict:
        """Sign-up: a new account, its first user and (unless refused) an API key, shown once."""
        sign_up = parse(RegistrationIn, data, region=self.region)
        account = self.create_account(sign_up.model_dump(include={"name", "phone"}))
        try:
            user = self.identity.create_user(sign_up.email, sign_up.password, account["id"])
        except Conflict:
            self.delete_account(account["id"])
            raise
        if not with_api_key:
            return {"account": account, "user": user}
        key_row, key = self.identity.issue_api_key(account["id"], "sign-up", user["id"])
        return {"account": account, "user": user, "api_key": {**key_row, "key": key}}

    def get_account(self, account_id: UUID) -> dict:
        """One account."""
        with self.db.tenant(account_id) as conn:
            account = sql.get_account(conn, account_id)
        if account is None:
            raise NotFound("no such account")
        return account

    def list_accounts(self) -> list[dict]:
        """Every account (platform admin only)."""
        with self.db.system() as conn:
            return sql.list_accounts(conn)

    def update_account(self, account_id: UUID, data: Mapping[str, Any]) -> dict:
        """Change an account's name, phone, plan, status or settings."""
        changes = parse(AccountPatch, data, region=self.region).model_dump(exclude_unset=True)
        with unique_violation(Conflict, message_id("another account already uses this phone")):
            with self.db.tenant(account_id) as conn:
                account = sql.update_account(conn, account_id, changes)
        if account is None:
            raise NotFound("no such account")
        if "status" in changes:
            self.identity.verified_keys.forget_account(account_id)  # keys carry the status
        return account

    def delete_account(self, account_id: UUID) -> None:
        """Delete an account and all its data."""
        with self.db.system() as conn:
            if not sql.delete_account(conn, account_id):
                raise NotFound("no such account")
        self.identity.verified_keys.forget_account(account_id)

    def expired_cancellations(self) -> list[UUID]:
        """The accounts cancelled more than the retention period ago."""
        with self.db.system() as conn:
            return sql.cancelled_before(conn, self.retention_days)

    @staticmethod
    def _free_slug(conn, name: str) -> str:
        base = slugify(name)
        slug, n = base, 1
        while sql.slug_taken(conn, slug):
            n += 1
            slug = f"{base}-{n}"
        return slug
