"""An account's WhatsApp connection: create-or-reconnect, status, QR, log, and sending."""
from flask import Blueprint, Response, current_app, request

from web.auth import account_scoped
from web.jsonio import json_body, optional_json_body
from web.managers import managers
from zapfleet.core.errors import InvalidInput
from zapfleet.fleet.engines import chosen_engine

bp = Blueprint("whatsapp", __name__, url_prefix="/api/accounts/<uuid:account_id>")


def qr_response(account_id, fmt: str) -> Response:
    """The instance's current QR as JSON, PNG or SVG."""
    content_type, body = managers().instances.qr(account_id, fmt)
    return Response(body, content_type=content_type, headers={"Cache-Control": "no-store"})


@bp.post("/whatsapp/connect")
@account_scoped
def connect(account_id):
    """Create the account's instance or reconnect the one it has ({"engine"?}); answers with
    the QR."""
    engine = chosen_engine(optional_json_body(), current_app.config["ZAPFLEET"])
    result = managers().instances.connect(account_id, engine)
    return result, 200 if result["is_reconnect"] else 201


@bp.get("/whatsapp")
@account_scoped
def status(account_id):
    """The account's instance: desired and observed state, phone, port."""
    return managers().instances.get(account_id)


@bp.patch("/whatsapp")
@account_scoped
def change(account_id):
    """Switch the instance to another engine {"engine"}: the old session is unlinked."""
    engine = chosen_engine(json_body(), current_app.config["ZAPFLEET"])
    if engine is None:
        raise InvalidInput("engine", "is required")
    return managers().instances.set_engine(account_id, engine)


@bp.post("/whatsapp/pair")
@account_scoped
def pair(account_id):
    """A pairing code {"phone"} to type on the phone instead of scanning the QR."""
    return managers().instances.pairing_code(account_id, json_body().get("phone"))


@bp.get("/whatsapp/qr")
@account_scoped
def qr(account_id):
    """The current QR (?format=json|png|svg)."""
    return qr_response(account_id, request.args.get("format", "json"))


@bp.get("/whatsapp/logs")
@account_scoped
def logs(account_id):
    """The tail of the account's own worker log (?lines=200)."""
    lines = request.args.get("lines", "200")
    if not lines.isdigit():
        raise InvalidInput("lines", "must be a whole number")
    return Response(managers().instances.log_tail(account_id, int(lines)), content_type="text/plain")


@bp.post("/send")
@account_scoped
def send(account_id):
    """Queue a message and hand it to the worker: 201 sent, 202 queued, 200 a repeated key."""
    message, created = managers().outbox.send(account_id, json_body())
    if not created:
        return {"message": message, "duplicate": True}, 200
    return {"message": message, "duplicate": False}, 201 if message["status"] != "queued" else 202
