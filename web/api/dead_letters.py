"""Worker events put aside, for the platform admin: listed, and retried one at a time once the
cause is fixed."""
from flask import Blueprint

from web.auth import admin_only
from web.managers import managers
from web.openapi.declare import shapes
from zapfleet.fleet.shapes import DeadLetter, DeadLetterList

bp = Blueprint("dead_letters", __name__, url_prefix="/api/dead-letters")
TAG = "Instances"


@bp.get("")
@shapes(tag=TAG, summary="List worker events put aside", access="admin", responses={200: DeadLetterList},
        description="An event a worker reported that is malformed, or that the database refused, is put "
                    "aside with the reason so that the rest of its batch and everything after it still "
                    "apply. Waiting ones first.")
@admin_only
def list_dead_letters():
    """The events still put aside, then the latest resolved ones."""
    return managers().events.dead_letters.list()


@bp.post("/<uuid:dead_letter_id>/retry")
@shapes(tag=TAG, summary="Retry a worker event put aside", access="admin",
        description="Applies the event again as it came: resolved when it works, else with the new "
                    "reason. A resolved one is left as it is.",
        responses={200: (DeadLetter, "The event put aside, resolved or with the new reason.")},
        errors=(404,))
@admin_only
def retry_dead_letter(dead_letter_id):
    """Apply a put-aside event again."""
    return managers().events.dead_letters.retry(dead_letter_id)
