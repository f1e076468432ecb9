"""Messages scheduled for later (POST …/send with send_at): list and cancel."""
from flask import Blueprint, current_app, request

from web.auth import account_scoped

bp = Blueprint("scheduled", __name__,
               url_prefix="/api/accounts/<uuid:account_id>/scheduled-messages")


def outbox():
    """The app's Outbox."""
    return current_app.extensions["zapfleet.outbox"]


@bp.get("")
@account_scoped
def list_scheduled(account_id):
    """A page of messages waiting for their send_at, soonest first."""
    return outbox().list_scheduled(account_id, request.args.get("limit"), request.args.get("cursor"))


@bp.delete("/<uuid:message_id>")
@account_scoped
def cancel_scheduled(account_id, message_id):
    """Cancel a scheduled message before it leaves."""
    return outbox().cancel_scheduled(account_id, message_id)
