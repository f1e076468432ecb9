"""Liveness: /healthz answers 200 when the database does."""
from typing import Literal

from flask import Blueprint
from pydantic import Field

from web.managers import managers
from web.openapi.declare import shapes
from zapfleet.core.errors import Unavailable
from zapfleet.core.shapes import Shape

bp = Blueprint("health", __name__)


class Health(Shape):
    """The service is up."""

    status: Literal["ok"] = Field(description="Always ok.")


@bp.get("/healthz")
@shapes(tag="Health", summary="Check liveness", access="public", responses={200: Health},
        errors=(503,), description="Answers 200 when the service and its database work, 503 when "
                                   "the database is down.")
def healthz():
    """200 when the database answers, else 503."""
    if not managers().db.ping():
        raise Unavailable("database unreachable")
    return {"status": "ok"}

