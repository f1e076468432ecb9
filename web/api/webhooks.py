"""An account's webhook and its delivery log."""
from flask import Blueprint, request

from web.auth import account_scoped
from web.jsonio import json_body
from web.managers import managers

bp = Blueprint("webhooks", __name__, url_prefix="/api/accounts/<uuid:account_id>/webhook")


@bp.get("")
@account_scoped
def get_webhook(account_id):
    """The webhook, without its secret."""
    return managers().webhooks.get(account_id)


@bp.put("")
@account_scoped
def put_webhook(account_id):
    """Create or change the webhook {url, events?, enabled?, rotate_secret?}."""
    return managers().webhooks.configure(account_id, json_body())


@bp.delete("")
@account_scoped
def delete_webhook(account_id):
    """Remove the webhook."""
    managers().webhooks.remove(account_id)
    return "", 204


@bp.get("/deliveries")
@account_scoped
def list_deliveries(account_id):
    """The delivery log, newest first."""
    return managers().webhooks.list_deliveries(account_id, request.args.get("limit"),
                                      request.args.get("cursor"))
