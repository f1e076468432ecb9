"""An account's webhook and its delivery log."""
from flask import Blueprint, request

from web.auth import account_scoped
from web.jsonio import json_body
from web.managers import managers
from web.openapi.declare import shapes
from zapfleet.messaging.shapes import NewWebhook, PageQuery, Webhook, WebhookDeliveryPage, WebhookIn

bp = Blueprint("webhooks", __name__, url_prefix="/api/accounts/<uuid:account_id>/webhook")


@bp.get("")
@shapes(tag="Webhooks", summary="Get the webhook", access="account", description="The webhook without its "
        "secret.", responses={200: Webhook})
@account_scoped
def get_webhook(account_id):
    """The webhook, without its secret."""
    return managers().webhooks.get(account_id)


@bp.put("")
@shapes(tag="Webhooks", summary="Create or change the webhook", access="account", body=WebhookIn,
        description="Sets the URL, events and enabled flag. The signing secret is returned only when the "
                    "webhook is new or rotate_secret is true.",
        responses={200: {"description": "The webhook; with its secret when new or rotated, else a hint.",
                         "content": {"application/json": {"schema": {"oneOf": [
                             {"$ref": "#/components/schemas/NewWebhook"},
                             {"$ref": "#/components/schemas/Webhook"}]}}}}},
        models=(NewWebhook, Webhook))
@account_scoped
def put_webhook(account_id):
    """Create or change the webhook {url, events?, enabled?, rotate_secret?}."""
    return managers().webhooks.configure(account_id, json_body())


@bp.delete("")
@shapes(tag="Webhooks", summary="Remove the webhook", access="account",
        description="Removes the webhook; its delivery log stays.", responses={204: "The webhook is gone."})
@account_scoped
def delete_webhook(account_id):
    """Remove the webhook."""
    managers().webhooks.remove(account_id)
    return "", 204


@bp.get("/deliveries")
@shapes(tag="Webhooks", summary="List deliveries", access="account", query=PageQuery,
        description="A page of the delivery log, newest first.", responses={200: WebhookDeliveryPage})
@account_scoped
def list_deliveries(account_id):
    """The delivery log, newest first."""
    return managers().webhooks.list_deliveries(account_id, request.args.get("limit"),
                                      request.args.get("cursor"))
