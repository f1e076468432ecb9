"""Liveness: /healthz answers 200 when the database does."""
from flask import Blueprint, current_app

from zapfleet.core.errors import Unavailable

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the database answers, else 503."""
    if not current_app.extensions["zapfleet.db"].ping():
        raise Unavailable("database unreachable")
    return {"status": "ok"}

