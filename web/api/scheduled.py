"""Messages scheduled for later (POST …/send with send_at): list and cancel."""
from flask import Blueprint, request

from web.auth import account_scoped
from web.managers import managers
from web.openapi.declare import shapes
from zapfleet.messaging.shapes import MessagePage, OutboxMessage, PageQuery

bp = Blueprint("scheduled", __name__,
               url_prefix="/api/accounts/<uuid:account_id>/scheduled-messages")


@bp.get("")
@shapes(tag="Scheduled messages", summary="List scheduled messages", access="account", query=PageQuery,
        description="Messages sent with send_at that still wait for it, soonest first.",
        responses={200: MessagePage})
@account_scoped
def list_scheduled(account_id):
    """A page of messages waiting for their send_at, soonest first."""
    return managers().outbox.list_scheduled(account_id, request.args.get("limit"), request.args.get("cursor"))


@bp.delete("/<uuid:message_id>")
@shapes(tag="Scheduled messages", summary="Cancel a scheduled message", access="account",
        description="Cancels it before it leaves; 409 once it has left.",
        responses={200: (OutboxMessage, "The cancelled message.")}, errors=(409,))
@account_scoped
def cancel_scheduled(account_id, message_id):
    """Cancel a scheduled message before it leaves."""
    return managers().outbox.cancel_scheduled(account_id, message_id)
