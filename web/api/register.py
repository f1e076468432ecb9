"""Public sign-up."""
from flask import Blueprint

from web.auth import accounts
from web.jsonio import json_body

bp = Blueprint("register", __name__, url_prefix="/api")


@bp.post("/register")
def register():
    """Create an account, its first user and an API key (shown only in this answer)."""
    return accounts().register_customer(json_body()), 201
