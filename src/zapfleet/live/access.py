"""Who may open a stream: the token's grant checked again against the database on connect."""
from __future__ import annotations

from zapfleet.db import Database
from zapfleet.db import accounts as accounts_sql
from zapfleet.live.tokens import Grant
from zapfleet.tenancy.identity import Identity


def may_watch(db: Database, grant: Grant) -> bool:
    """True when the grant's user still exists with the same session stamp and may still see
    its account (an active account's member, or the platform admin for any or every account)."""
    user = Identity(db).session_user(grant.user_id)
    if user is None or user["stamp"] != grant.stamp:
        return False
    platform_admin = user["role"] == "admin" and user["account_id"] is None
    if platform_admin or grant.account_id is None:
        return platform_admin
    if user["account_id"] != grant.account_id:
        return False
    with db.system() as conn:
        account = accounts_sql.get_account(conn, grant.account_id)
    return account is not None and account["status"] == "active"
