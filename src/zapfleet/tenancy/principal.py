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

    def can_reach(self, account_id: UUID) -> bool:
        """True when this principal may act on the given account."""
        return self.is_admin or self.account_id == account_id
