"""Bearer-key authentication and the account-scope checks every route uses."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import current_app, g, request

from web.managers import managers
from web.roles import role_allows
from zapfleet.core.errors import AccountSuspended, Forbidden, NotFound, Unauthorized
from zapfleet.core.security import same_secret
from zapfleet.tenancy.principal import Principal

READABLE_WHEN_SUSPENDED = ("accounts.get_account",)
"""What a suspended or cancelled account's keys may still call: reading the account itself."""


def current_principal() -> Principal:
    """The caller, from `Authorization: Bearer <key>`; 401 when missing or unknown, 403
    account_suspended when its account is not active."""
    if "principal" not in g:
        principal = _principal_from_header(request.headers.get("Authorization", ""))
        refuse_inactive(principal)
        g.principal = principal
    return g.principal


def refuse_inactive(principal: Principal) -> None:
    """403 account_suspended for a suspended or cancelled account, but for reading itself."""
    if principal.account_status == "active" or request.endpoint in READABLE_WHEN_SUSPENDED:
        return
    raise AccountSuspended("this account is %(status)s: only reading the account is allowed; "
                           "contact the platform's support", status=principal.account_status)


def _principal_from_header(header: str) -> Principal:
    scheme, _, key = header.partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        raise Unauthorized("send your API key as `Authorization: Bearer <key>`")
    admin_key = current_app.config["ZAPFLEET"].admin_api_key
    if admin_key and same_secret(key, admin_key):
        return Principal(is_admin=True)
    principal = managers().identity.verify_api_key(key)
    if principal is None:
        raise Unauthorized("unknown or revoked API key")
    return principal


def admin_only(view: Callable) -> Callable:
    """Only the platform admin may call this view."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_principal().is_admin:
            raise Forbidden("only the platform admin may do this")
        return view(*args, **kwargs)
    return wrapper


def account_scoped(view: Callable) -> Callable:
    """The view's account_id must be the caller's own (or any, for the admin); else 404. The
    caller's role must allow the view (web/roles.py); else 403 forbidden."""
    @wraps(view)
    def wrapper(*args, account_id, **kwargs):
        principal = current_principal()
        if not principal.can_reach(account_id):
            raise NotFound("no such account")
        if not role_allows(principal, request.endpoint):
            raise Forbidden("only the account's admins may do this")
        if principal.is_admin:
            managers().accounts.get_account(account_id)  # 404 for an account that does not exist
        return view(*args, account_id=account_id, **kwargs)
    return wrapper
