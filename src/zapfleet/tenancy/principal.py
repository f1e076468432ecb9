"""Who is calling: the platform admin or one account's user or key."""
from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class Principal:
    """Who is calling: the platform admin (account_id None) or one account."""

    is_admin: bool
    account_id: UUID | None = None
    user_id: UUID | None = None
    account_status: str = "active"
    """The account's status (ACCOUNT_STATUSES) when the key was verified."""
    role: str = "admin"
    """What the caller may do in the account (ACCOUNT_ROLES): 'admin' or 'agent' for an account's
    people; the platform admin and API keys act as 'admin' (only admins make keys; a key whose
    maker was later made agent acts as agent). web/roles.py lists an agent's share."""

    def can_reach(self, account_id: UUID) -> bool:
        """True when this principal may act on the given account."""
        return self.is_admin or self.account_id == account_id
