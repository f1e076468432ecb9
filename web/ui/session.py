"""Signed-in users of the web pages: the session cookie, and the checks every page uses."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from uuid import UUID

from flask import g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l

from web.managers import managers
from web.roles import role_allows
from zapfleet.core.errors import AccountSuspended, NotFound, found
from zapfleet.tenancy.principal import Principal

INACTIVE = {"suspended": _l("This account is suspended. Contact support to reactivate it."),
            "cancelled": _l("This account was cancelled. Contact support to reactivate it.")}
"""What a member of an account that is not active sees instead of its pages."""


def sign_in(user: dict) -> None:
    """Start a fresh session for a user whose password was just checked."""
    lang = session.get("lang")
    session.clear()
    session.permanent = True
    stamp = found(managers().identity.session_user(user["id"]), "user")["stamp"]
    session.update(user_id=str(user["id"]), stamp=stamp)
    if lang:
        session["lang"] = lang


def sign_out() -> None:
    """End the session (the language choice stays)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def current_user() -> dict | None:
    """The signed-in user, or None."""
    if "user" not in g:
        g.user = _user_from_session()
    return g.user


def _user_from_session() -> dict | None:
    try:
        user = managers().identity.session_user(UUID(session["user_id"]))
    except (KeyError, ValueError):
        return None
    if user is None or user["stamp"] != session.get("stamp"):
        return None
    return user


def current_principal() -> Principal | None:
    """What the signed-in user may reach, or None."""
    user = current_user()
    if user is None:
        return None
    return Principal(is_admin=user["role"] == "admin" and user["account_id"] is None,
                     account_id=user["account_id"], user_id=user["id"],
                     role=user["account_role"] or "admin")


def may_open(endpoint: str) -> bool:
    """Whether the signed-in user's role lets them open this page (the menu shows only those)."""
    principal = current_principal()
    return principal is not None and role_allows(principal, endpoint)


def login_required(view: Callable) -> Callable:
    """Send visitors who are not signed in to the sign-in page, then back."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_user() is None:
            return redirect(url_for("ui_auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return wrapper


def admin_required(view: Callable) -> Callable:
    """Only the platform admin sees this page; anyone else gets a 404."""
    @login_required
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_principal().is_admin:
            raise NotFound("page not found")
        return view(*args, **kwargs)
    return wrapper


def account_page(view: Callable) -> Callable:
    """A page of one account: its members whose role allows it (web/roles.py) and the admin
    only; anyone else gets a 404."""
    @login_required
    @wraps(view)
    def wrapper(*args, account_id: UUID, **kwargs):
        principal = current_principal()
        if principal is None or not principal.can_reach(account_id) \
                or not role_allows(principal, request.endpoint):
            raise NotFound("page not found")
        g.account = managers().accounts.get_account(account_id)
        if g.account["status"] != "active" and not principal.is_admin:
            raise AccountSuspended(str(INACTIVE[g.account["status"]]))
        return view(*args, account_id=account_id, **kwargs)
    return wrapper
