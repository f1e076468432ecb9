"""An account's API keys: list, create (the key is shown once), revoke."""
from flask import Blueprint, request

from web.auth import account_scoped, current_principal
from web.jsonio import json_body
from web.managers import managers

bp = Blueprint("api_keys", __name__, url_prefix="/api/accounts/<uuid:account_id>/api-keys")


@bp.get("")
@account_scoped
def list_api_keys(account_id):
    """The account's keys, without the secrets."""
    return {"items": managers().identity.list_api_keys(account_id)}


@bp.post("")
@account_scoped
def create_api_key(account_id):
    """A new key; the answer is the only time it is shown."""
    data = json_body() if request.content_length else {}
    row, key = managers().identity.issue_api_key(account_id, data.get("label", ""), current_principal().user_id)
    return {**row, "key": key}, 201


@bp.delete("/<uuid:key_id>")
@account_scoped
def revoke_api_key(account_id, key_id):
    """Revoke a key; it stops working within seconds (zapfleet.tenancy.keycache)."""
    return managers().identity.revoke_api_key(account_id, key_id)
