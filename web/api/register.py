"""Public sign-up."""
from flask import Blueprint

from web.jsonio import json_body
from web.managers import managers
from web.openapi.declare import shapes
from zapfleet.tenancy.shapes import Registration, RegistrationIn

bp = Blueprint("register", __name__, url_prefix="/api")


@bp.post("/register")
@shapes(tag="Registration", summary="Sign up", access="public", body=RegistrationIn,
        description="Creates an account, its first user and an API key. The key is shown only in "
                    "this answer.", responses={201: Registration}, errors=(409,))
def register():
    """Create an account, its first user and an API key (shown only in this answer)."""
    return managers().accounts.register_customer(json_body()), 201
