"""Public sign-up."""
from flask import Blueprint

from web.jsonio import json_body
from web.links import confirm_link, login_link
from web.managers import managers
from web.openapi.declare import shapes
from zapfleet.tenancy.shapes import Registration, RegistrationIn, SignUpSent

bp = Blueprint("register", __name__, url_prefix="/api")


SENT = "We sent a message to this address: open its link within 24 hours to create the account."


@bp.post("/register")
@shapes(tag="Registration", summary="Sign up", access="public", body=RegistrationIn,
        description="Creates an account, its first user and an API key; the key is shown only in this "
                    "answer (201). When sign-ups are confirmed by e-mail (SMTP_URL set) it answers 202 "
                    "whether or not the address has an account, and the e-mail carries the link that "
                    "creates it (API keys are then made on the account's pages).",
        responses={201: Registration, 202: SignUpSent}, errors=(409, 503))
def register():
    """Sign up: the account at once (201), or the e-mail that confirms it (202)."""
    signups = managers().signups
    if not signups.by_email:
        return managers().accounts.register_customer(json_body()), 201
    signups.request(json_body(), confirm_link, login_link())
    return {"status": "check_your_email", "message": SENT}, 202
