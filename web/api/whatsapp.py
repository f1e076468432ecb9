"""An account's WhatsApp connection: create-or-reconnect, status, QR, log, and sending."""
from flask import Blueprint, Response, current_app, request

from web.auth import account_scoped
from web.jsonio import json_body, optional_json_body
from web.managers import managers
from web.openapi.common import LIFECYCLE_ERRORS, LOG_TEXT, QR_DESCRIPTION, QR_IMAGES, SEND_FORM
from web.openapi.declare import shapes
from web.uploads import send_request
from zapfleet.core.errors import InvalidInput
from zapfleet.fleet.engines import chosen_engine
from zapfleet.fleet.node_shapes import PlacementHistory
from zapfleet.fleet.shapes import (
    Connection,
    EngineIn,
    Instance,
    LogQuery,
    PairIn,
    PairingCode,
    QrCode,
    QrQuery,
)
from zapfleet.messaging.media_shapes import SendIn
from zapfleet.messaging.shapes import SendResult

bp = Blueprint("whatsapp", __name__, url_prefix="/api/accounts/<uuid:account_id>")


def qr_response(account_id, fmt: str) -> Response:
    """The instance's current QR as JSON, PNG or SVG."""
    content_type, body = managers().instances.qr(account_id, fmt)
    return Response(body, content_type=content_type, headers={"Cache-Control": "no-store"})


@bp.post("/whatsapp/connect")
@shapes(tag="WhatsApp", summary="Connect WhatsApp", access="account", body=EngineIn, body_required=False,
        description="Creates the account's instance (201) or reconnects the one it has (200), starts "
                    "its worker and waits briefly for it; answers with the QR to scan unless already "
                    "connected. An optional body {\"engine\"} picks the engine (default WHATSAPP_ENGINE); "
                    "an existing instance on another engine is switched first (its old session is "
                    "unlinked). An evolution instance is placed on an Evolution server: 400 when there "
                    "is none, 503 when all are full.",
        responses={201: (Connection, "A new instance and its QR."),
                   200: (Connection, "The existing instance, reconnected, and its QR.")}, errors=LIFECYCLE_ERRORS)
@account_scoped
def connect(account_id):
    """Create the account's instance or reconnect the one it has ({"engine"?}); answers with
    the QR."""
    engine = chosen_engine(optional_json_body(), current_app.config["ZAPFLEET"])
    result = managers().instances.connect(account_id, engine)
    return result, 200 if result["is_reconnect"] else 201


@bp.get("/whatsapp")
@shapes(tag="WhatsApp", summary="Get the WhatsApp instance", access="account", responses={200: Instance},
        description="The instance: desired state, observed status, phone and port; 404 when there is none.")
@account_scoped
def status(account_id):
    """The account's instance: desired and observed state, phone, port."""
    return managers().instances.get(account_id)


@bp.get("/whatsapp/history")
@shapes(tag="WhatsApp", summary="Where the instance ran", access="account", responses={200: PlacementHistory},
        description="The instance's placements on the platform's machines and its moves (a machine that "
                    "stopped answering, an upgrade, the platform admin's choice), newest first; 404 when "
                    "there is no instance.")
@account_scoped
def history(account_id):
    """The instance's placements and moves, newest first."""
    instance = managers().instances.get(account_id)
    return {"items": managers().nodes.history(instance["id"])}


@bp.patch("/whatsapp")
@shapes(tag="WhatsApp", summary="Switch the engine", access="account", body=EngineIn,
        description="Moves the instance to another engine: the old session is unlinked and wiped (an "
                    "Evolution instance is deleted there), and the worker restarts on the new engine; "
                    "link the phone again.", responses={200: Instance}, errors=LIFECYCLE_ERRORS)
@account_scoped
def change(account_id):
    """Switch the instance to another engine {"engine"}: the old session is unlinked."""
    engine = chosen_engine(json_body(), current_app.config["ZAPFLEET"])
    if engine is None:
        raise InvalidInput("engine", "is required")
    return managers().instances.set_engine(account_id, engine)


@bp.post("/whatsapp/pair")
@shapes(tag="WhatsApp", summary="Get a pairing code", access="account", body=PairIn,
        description="Instead of scanning the QR, type this code on the phone (neonize and evolution "
                    "engines, while the QR is shown); 409 when the engine has none or the instance is "
                    "linked.", responses={200: PairingCode}, errors=(409, 503))
@account_scoped
def pair(account_id):
    """A pairing code {"phone"} to type on the phone instead of scanning the QR."""
    return managers().instances.pairing_code(account_id, json_body().get("phone"))


@bp.get("/whatsapp/qr")
@shapes(tag="WhatsApp", summary="Get the QR code", access="account", query=QrQuery,
        description=QR_DESCRIPTION, responses={200: QR_IMAGES}, models=(QrCode,), errors=(503,))
@account_scoped
def qr(account_id):
    """The current QR (?format=json|png|svg)."""
    return qr_response(account_id, request.args.get("format", "json"))


@bp.get("/whatsapp/logs")
@shapes(tag="WhatsApp", summary="Read the worker log", access="account", query=LogQuery,
        description="The tail of the account's own worker log; empty when there is none yet.",
        responses={200: LOG_TEXT})
@account_scoped
def logs(account_id):
    """The tail of the account's own worker log (?lines=200)."""
    lines = request.args.get("lines", "200")
    if not lines.isdigit():
        raise InvalidInput("lines", "must be a whole number")
    return Response(managers().instances.log_tail(account_id, int(lines)), content_type="text/plain")


@bp.post("/send")
@shapes(tag="WhatsApp", summary="Send a message", access="account", body=SendIn, form=SEND_FORM,
        description="Stores the message in the outbox, then hands it to the worker: 201 when sent, 202 "
                    "when queued for a retry (the worker is stopped, down or not linked; the error field "
                    "says why), 200 with duplicate true when the idempotency key was used before. A file "
                    "comes as media (JSON: base64 data or a public url) or as the multipart part file, "
                    "with message as its caption; its type is checked against its bytes (400) and its "
                    "size against its kind's limit (413).", errors=(413,),
        responses={201: (SendResult, "Sent: the worker took the message."),
                   202: (SendResult, "Queued: it will be retried until its deadline."),
                   200: (SendResult, "A duplicate: the message first sent with this key.")})
@account_scoped
def send(account_id):
    """Queue a message and hand it to the worker: 201 sent, 202 queued, 200 a repeated key."""
    message, created = managers().outbox.send(account_id, *send_request())
    if not created:
        return {"message": message, "duplicate": True}, 200
    return {"message": message, "duplicate": False}, 201 if message["status"] != "queued" else 202
