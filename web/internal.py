"""Routes for the workers: the events they report, authenticated with their token."""
from flask import Blueprint, request

from web.jsonio import cleaned_json_body
from web.managers import managers
from zapfleet.core.errors import Unauthorized

bp = Blueprint("internal", __name__, url_prefix="/internal")
EVENTS_BODY_LIMIT = 16 * 1024 * 1024
"""A worker's batch may be larger than an API call's JSON (workers send at most 4 MB at once)."""


@bp.post("/events")
def events():
    """A worker's batch of events: {instance_id, events: [...]}."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("a worker token is required")
    body = cleaned_json_body(EVENTS_BODY_LIMIT)
    ingest = managers().events
    instance = ingest.authenticate(body.get("instance_id"), token.strip())
    return ingest.ingest(instance, body.get("events"))
