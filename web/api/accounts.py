"""Accounts: the admin lists and creates; an account reads, changes and deletes itself."""
from flask import Blueprint

from web.auth import account_scoped, accounts, admin_only, current_principal
from web.jsonio import json_body
from zapfleet.core.errors import Forbidden

bp = Blueprint("accounts", __name__, url_prefix="/api/accounts")
ADMIN_FIELDS = ("plan", "status")


@bp.get("")
@admin_only
def list_accounts():
    """Every account."""
    return {"items": accounts().list_accounts()}


@bp.post("")
@admin_only
def create_account():
    """Create an account."""
    return accounts().create_account(json_body()), 201


@bp.get("/<uuid:account_id>")
@account_scoped
def get_account(account_id):
    """One account."""
    return accounts().get_account(account_id)


@bp.patch("/<uuid:account_id>")
@account_scoped
def update_account(account_id):
    """Change an account; plan and status are the admin's to change."""
    data = json_body()
    blocked = [f for f in ADMIN_FIELDS if f in data and not current_principal().is_admin]
    if blocked:
        raise Forbidden(f"only the platform admin may change {', '.join(blocked)}")
    return accounts().update_account(account_id, data)


@bp.delete("/<uuid:account_id>")
@account_scoped
def delete_account(account_id):
    """Delete an account and all its data."""
    accounts().delete_account(account_id)
    return "", 204
