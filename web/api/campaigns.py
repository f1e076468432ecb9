"""An account's campaigns: edit, start, pause, resume, cancel, progress and recipients."""
from flask import Blueprint, request

from web.auth import account_scoped
from web.jsonio import json_body
from web.managers import managers
from zapfleet.core import validation

bp = Blueprint("campaigns", __name__, url_prefix="/api/accounts/<uuid:account_id>/campaigns")


@bp.get("")
@account_scoped
def list_campaigns(account_id):
    """Every campaign of the account."""
    return {"items": managers().campaigns.list_campaigns(account_id)}


@bp.post("")
@account_scoped
def create_campaign(account_id):
    """Create a draft campaign."""
    return managers().campaigns.create_campaign(account_id, json_body()), 201


@bp.get("/<uuid:campaign_id>")
@account_scoped
def get_campaign(account_id, campaign_id):
    """One campaign."""
    return managers().campaigns.get_campaign(account_id, campaign_id)


@bp.patch("/<uuid:campaign_id>")
@account_scoped
def update_campaign(account_id, campaign_id):
    """Change a campaign."""
    return managers().campaigns.update_campaign(account_id, campaign_id, json_body())


@bp.delete("/<uuid:campaign_id>")
@account_scoped
def delete_campaign(account_id, campaign_id):
    """Delete a campaign."""
    managers().campaigns.delete_campaign(account_id, campaign_id)
    return "", 204


@bp.get("/audience")
@account_scoped
def campaign_audience(account_id):
    """How many contacts the tags select (?tags=a&tags=b, or ?tags=a,b; none: every contact)."""
    tags = [t for value in request.args.getlist("tags") for t in value.split(",") if t.strip()]
    tags = validation.tags(tags, "tags")
    return {"tags": tags, "count": managers().contacts.count_recipients(account_id, tags)}


@bp.post("/<uuid:campaign_id>/start")
@account_scoped
def start_campaign(account_id, campaign_id):
    """Start now, or at send_at ({"send_at": ISO 8601}); the recipients are fixed then."""
    body = json_body() if request.content_length else {}
    return managers().campaign_runs.start_campaign(account_id, campaign_id, body)


@bp.post("/<uuid:campaign_id>/pause")
@account_scoped
def pause_campaign(account_id, campaign_id):
    """Stop sending until resumed."""
    return managers().campaign_runs.pause_campaign(account_id, campaign_id)


@bp.post("/<uuid:campaign_id>/resume")
@account_scoped
def resume_campaign(account_id, campaign_id):
    """Go on sending."""
    return managers().campaign_runs.resume_campaign(account_id, campaign_id)


@bp.post("/<uuid:campaign_id>/cancel")
@account_scoped
def cancel_campaign(account_id, campaign_id):
    """End the campaign; recipients not yet messaged are not messaged."""
    return managers().campaign_runs.cancel_campaign(account_id, campaign_id)


@bp.get("/<uuid:campaign_id>/progress")
@account_scoped
def campaign_progress(account_id, campaign_id):
    """Recipients per status, and what the sending waits for."""
    return managers().campaign_runs.campaign_progress(account_id, campaign_id)


@bp.get("/<uuid:campaign_id>/recipients")
@account_scoped
def list_recipients(account_id, campaign_id):
    """A page of recipients in send order (?status=&limit=&cursor=)."""
    args = request.args
    return managers().campaign_runs.list_recipients(account_id, campaign_id, args.get("status"),
                                      args.get("limit"), args.get("cursor"))
