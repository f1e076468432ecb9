"""The sandbox phone: the link its QR encodes, and a customer's reply injected by hand."""
from flask import Blueprint, render_template

from web.auth import account_scoped
from web.jsonio import json_body
from web.managers import managers
from web.openapi.declare import shapes
from web.ui.formats import phone_label
from web.uploads import MEDIA_JSON_LIMIT
from zapfleet.core.errors import NotFound
from zapfleet.fleet.shapes import SandboxCall, SandboxCalled, SandboxInbound, SandboxInjected

bp = Blueprint("sandbox", __name__)


@bp.get("/sandbox/scan/<token>")
def scan(token):
    """Opening the QR's link links the sandbox phone (the token is the capability)."""
    instance_id, _, secret = token.partition(".")
    if not secret:
        raise NotFound("this QR code is not valid any more")
    instance = managers().instances.follow_qr_link(instance_id, token)
    account = managers().accounts.get_account(instance["account_id"])
    return render_template("sandbox_linked.html", business=account["name"],
                           phone=phone_label(instance.get("phone")))


@bp.post("/api/accounts/<uuid:account_id>/sandbox/inbound")
@shapes(tag="Sandbox", summary="Simulate a customer's message", access="account", body=SandboxInbound,
        description="Only for the sandbox engine: makes a message arrive at the linked sandbox phone as "
                    "if the customer sent it; it is stored and reaches the webhook through the worker's "
                    "events.", responses={202: (SandboxInjected, "The message was handed to the worker.")},
        errors=(409, 503))
@account_scoped
def inbound(account_id):
    """Make a customer's message {phone, message, media?, type?, location?, contact?, reply_to?}
    arrive, as if sent from their phone."""
    return managers().instances.engine_action(account_id, "inject", phone_message()), 202


def phone_message() -> dict:
    """The sandbox action's payload from a request: the text as "text", the rest as given."""
    body = json_body(MEDIA_JSON_LIMIT)
    fields = ("phone", "media", "type", "location", "contact", "reply_to")
    return {"text": body.get("message"), **{name: body[name] for name in fields if name in body}}


@bp.post("/api/accounts/<uuid:account_id>/sandbox/typed")
@shapes(tag="Sandbox", summary="Simulate the business typing on its phone", access="account",
        body=SandboxInbound, description="Only for the sandbox engine: the business writes to a customer "
        "on its own (sandbox) phone, not through zapfleet; the message is recorded as sent with origin "
        "phone and pauses the bot for that contact.",
        responses={202: (SandboxInjected, "The message was handed to the worker.")}, errors=(409, 503))
@account_scoped
def typed(account_id):
    """The business types {phone, message} (or sends a file) on its own phone."""
    return managers().instances.engine_action(account_id, "type", phone_message()), 202


@bp.post("/api/accounts/<uuid:account_id>/sandbox/call")
@shapes(tag="Sandbox", summary="Simulate a customer's call", access="account", body=SandboxCall,
        description="Only for the sandbox engine: a customer calls the number. With the account's "
                    "reject_calls on, the call is declined and the caller gets the call_rejected text.",
        responses={202: (SandboxCalled, "The call rings at the worker.")}, errors=(409, 503))
@account_scoped
def call(account_id):
    """A customer {phone} calls the business's number."""
    return managers().instances.engine_action(account_id, "call", {"phone": json_body().get("phone")}), 202
