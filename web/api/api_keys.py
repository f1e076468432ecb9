"""An account's API keys: list, create (the key is shown once), revoke."""
from flask import Blueprint

from web.auth import account_scoped, current_principal
from web.jsonio import optional_json_body
from web.managers import managers
from web.openapi.declare import shapes
from zapfleet.tenancy.shapes import ApiKey, ApiKeyIn, ApiKeyList, NewApiKey

bp = Blueprint("api_keys", __name__, url_prefix="/api/accounts/<uuid:account_id>/api-keys")


@bp.get("")
@shapes(tag="API keys", summary="List API keys", access="account", responses={200: ApiKeyList},
        description="Every key of the account, revoked ones included, without the secrets.")
@account_scoped
def list_api_keys(account_id):
    """The account's keys, without the secrets."""
    return {"items": managers().identity.list_api_keys(account_id)}


@bp.post("")
@shapes(tag="API keys", summary="Create an API key", access="account", body=ApiKeyIn,
        body_required=False, responses={201: NewApiKey},
        description="Issues a new key. The secret is in this answer only; the body is optional.")
@account_scoped
def create_api_key(account_id):
    """A new key; the answer is the only time it is shown."""
    label = optional_json_body().get("label", "")
    row, key = managers().identity.issue_api_key(account_id, label, current_principal().user_id)
    return {**row, "key": key}, 201


@bp.delete("/<uuid:key_id>")
@shapes(tag="API keys", summary="Revoke an API key", access="account", responses={200: ApiKey},
        description="Revokes the key; it stops working within 5 seconds (web processes remember a "
                    "verified key that long). Revoking it again changes nothing.")
@account_scoped
def revoke_api_key(account_id, key_id):
    """Revoke a key; it stops working within seconds (zapfleet.tenancy.keycache)."""
    return managers().identity.revoke_api_key(account_id, key_id)
