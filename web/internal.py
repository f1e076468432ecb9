"""Routes for the workers: the events they report, authenticated with their token."""
from flask import Blueprint, request

from web.jsonio import cleaned_json_body
from web.managers import managers
from zapfleet.core.errors import Unauthorized

bp = Blueprint("internal", __name__, url_prefix="/internal")
EVENTS_BODY_LIMIT = 16 * 1024 * 1024
"""A worker's batch may be larger than an API call's JSON (workers send at most 4 MB at once)."""


def worker_token() -> str:
    """The worker's bearer token; 401 without one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("a worker token is required")
    return token.strip()


@bp.post("/events")
def events():
    """A worker's batch of events: {instance_id, events: [...]}."""
    token = worker_token()
    body = cleaned_json_body(EVENTS_BODY_LIMIT)
    ingest = managers().events
    instance = ingest.authenticate(body.get("instance_id"), token)
    return ingest.ingest(instance, body.get("events"))


@bp.post("/media")
def media():
    """A file a worker received from WhatsApp, as the raw body (?instance_id, upload: the key its
    event names, mime_type, filename, kind): stored once per key."""
    ingest = managers().events
    instance = ingest.authenticate(request.args.get("instance_id"), worker_token())
    return ingest.store_received_media(instance, request.stream, request.args), 201
