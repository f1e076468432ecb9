"""Accounts: the admin lists and creates; an account reads, changes and deletes itself."""
from flask import Blueprint

from web.auth import account_scoped, admin_only, current_principal
from web.jsonio import json_body
from web.managers import managers
from web.openapi.declare import shapes
from zapfleet.core.errors import Forbidden
from zapfleet.tenancy.shapes import Account, AccountIn, AccountList, AccountPatch

bp = Blueprint("accounts", __name__, url_prefix="/api/accounts")
ADMIN_FIELDS = ("plan", "status")


@bp.get("")
@shapes(tag="Accounts", summary="List accounts", access="admin",
        description="Every account, oldest first.", responses={200: AccountList})
@admin_only
def list_accounts():
    """Every account."""
    return {"items": managers().accounts.list_accounts()}


@bp.post("")
@shapes(tag="Accounts", summary="Create an account", access="admin", body=AccountIn,
        description="Creates an account without users; the slug is made from the name unless given.",
        responses={201: Account}, errors=(409,))
@admin_only
def create_account():
    """Create an account."""
    return managers().accounts.create_account(json_body()), 201


@bp.get("/<uuid:account_id>")
@shapes(tag="Accounts", summary="Get an account", access="account", description="One account.",
        responses={200: Account})
@account_scoped
def get_account(account_id):
    """One account."""
    return managers().accounts.get_account(account_id)


@bp.patch("/<uuid:account_id>")
@shapes(tag="Accounts", summary="Change an account", access="account", body=AccountPatch,
        description="Changes the fields sent; only the platform admin may change plan and status. "
                    "A suspended account's keys and users get 403 account_suspended everywhere "
                    "but here (reading the account), its worker stops and its campaigns and "
                    "queued messages wait; reactivation resumes them. A cancelled account's "
                    "phone is unlinked and its instance removed; its data is deleted "
                    "CANCELLED_RETENTION_DAYS later.",
        responses={200: Account}, errors=(403, 409))
@account_scoped
def update_account(account_id):
    """Change an account; plan and status are the admin's to change."""
    data = json_body()
    blocked = [f for f in ADMIN_FIELDS if f in data and not current_principal().is_admin]
    if blocked:
        raise Forbidden("only the platform admin may change %(fields)s", fields=", ".join(blocked))
    return managers().change_account(account_id, data)


@bp.delete("/<uuid:account_id>")
@shapes(tag="Accounts", summary="Delete an account", access="account",
        description="Unlinks the account's WhatsApp, removes its instance, and deletes the account "
                    "and everything stored under it. This cannot be undone.",
        responses={204: "The account is gone."})
@account_scoped
def delete_account(account_id):
    """Delete an account and all its data."""
    managers().delete_account(account_id)
    return "", 204
