"""Public sign-up."""
from flask import Blueprint

from web.jsonio import json_body
from web.managers import managers

bp = Blueprint("register", __name__, url_prefix="/api")


@bp.post("/register")
def register():
    """Create an account, its first user and an API key (shown only in this answer)."""
    return managers().accounts.register_customer(json_body()), 201
