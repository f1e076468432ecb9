"""Liveness: /healthz answers 200 when the database does."""
from flask import Blueprint, current_app, redirect, url_for

from zapfleet.errors import Unavailable

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the database answers, else 503."""
    if not current_app.extensions["zapfleet.db"].ping():
        raise Unavailable("database unreachable")
    return {"status": "ok"}


@bp.get("/")
def index():
    """The home page points at the API documentation until the web UI exists."""
    return redirect(url_for("docs.docs_page"))
