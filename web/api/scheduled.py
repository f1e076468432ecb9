"""Messages scheduled for later (POST …/send with send_at): list and cancel."""
from flask import Blueprint, request

from web.auth import account_scoped
from web.managers import managers

bp = Blueprint("scheduled", __name__,
               url_prefix="/api/accounts/<uuid:account_id>/scheduled-messages")


@bp.get("")
@account_scoped
def list_scheduled(account_id):
    """A page of messages waiting for their send_at, soonest first."""
    return managers().outbox.list_scheduled(account_id, request.args.get("limit"), request.args.get("cursor"))


@bp.delete("/<uuid:message_id>")
@account_scoped
def cancel_scheduled(account_id, message_id):
    """Cancel a scheduled message before it leaves."""
    return managers().outbox.cancel_scheduled(account_id, message_id)
