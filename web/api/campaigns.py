"""An account's campaigns: edit, start, pause, resume, cancel, progress and recipients."""
from flask import Blueprint, request

from web.auth import account_scoped
from web.jsonio import json_body, optional_json_body
from web.managers import managers
from web.openapi.declare import shapes
from zapfleet.campaigns.shapes import (
    Audience,
    AudienceQuery,
    Campaign,
    CampaignIn,
    CampaignList,
    CampaignPatch,
    CampaignProgress,
    CampaignStart,
    RecipientPage,
    RecipientQuery,
)
from zapfleet.core import validation

bp = Blueprint("campaigns", __name__, url_prefix="/api/accounts/<uuid:account_id>/campaigns")


def run_step(summary: str, description: str, **declared):
    """The declaration of a start, pause, resume or cancel."""
    return shapes(tag="Campaigns", summary=summary, access="account", description=description,
                  responses={200: (Campaign, "The campaign.")}, errors=(409,), **declared)


@bp.get("")
@shapes(tag="Campaigns", summary="List campaigns", access="account", responses={200: CampaignList},
        description="Every campaign of the account, newest first.")
@account_scoped
def list_campaigns(account_id):
    """Every campaign of the account."""
    return {"items": managers().campaigns.list_campaigns(account_id)}


@bp.post("")
@shapes(tag="Campaigns", summary="Create a campaign", access="account", body=CampaignIn,
        description="Creates a campaign in the draft status.", responses={201: Campaign})
@account_scoped
def create_campaign(account_id):
    """Create a draft campaign."""
    return managers().campaigns.create_campaign(account_id, json_body()), 201


@bp.get("/<uuid:campaign_id>")
@shapes(tag="Campaigns", summary="Get a campaign", access="account", description="One campaign.",
        responses={200: Campaign})
@account_scoped
def get_campaign(account_id, campaign_id):
    """One campaign."""
    return managers().campaigns.get_campaign(account_id, campaign_id)


@bp.patch("/<uuid:campaign_id>")
@shapes(tag="Campaigns", summary="Change a campaign", access="account", body=CampaignPatch,
        description="Changes the fields sent; a campaign that has started can only be renamed (409).",
        responses={200: Campaign}, errors=(409,))
@account_scoped
def update_campaign(account_id, campaign_id):
    """Change a campaign."""
    return managers().campaigns.update_campaign(account_id, campaign_id, json_body())


@bp.delete("/<uuid:campaign_id>")
@shapes(tag="Campaigns", summary="Delete a campaign", access="account", responses={204: "The campaign is gone."},
        description="Deletes the campaign (409 while it runs); its messages stay in the conversations.",
        errors=(409,))
@account_scoped
def delete_campaign(account_id, campaign_id):
    """Delete a campaign."""
    managers().campaigns.delete_campaign(account_id, campaign_id)
    return "", 204


@bp.get("/audience")
@shapes(tag="Campaigns", summary="Count an audience", access="account", query=AudienceQuery,
        description="How many contacts (not opted out) have any of the tags, e.g. before saving a "
                    "campaign; with no tag, every contact that did not opt out.", responses={200: Audience})
@account_scoped
def campaign_audience(account_id):
    """How many contacts the tags select (?tags=a&tags=b, or ?tags=a,b; none: every contact)."""
    tags = [t for value in request.args.getlist("tags") for t in value.split(",") if t.strip()]
    tags = validation.tags(tags, "tags")
    return {"tags": tags, "count": managers().contacts.count_recipients(account_id, tags)}


@bp.post("/<uuid:campaign_id>/start")
@run_step("Start a campaign", "Starts a draft (or a scheduled one) now, or schedules it with send_at. The "
          "recipients are fixed at the start: contacts with any target tag (every contact when there is "
          "none), not opted out, each phone once. Messages then leave one at a time, paced per number "
          "(settings.pacing), only while the number is connected.", body=CampaignStart, body_required=False)
@account_scoped
def start_campaign(account_id, campaign_id):
    """Start now, or at send_at ({"send_at": ISO 8601}); the recipients are fixed then."""
    body = optional_json_body()
    return managers().campaign_runs.start_campaign(account_id, campaign_id, body)


@bp.post("/<uuid:campaign_id>/pause")
@run_step("Pause a campaign", "Stops sending until it is resumed.")
@account_scoped
def pause_campaign(account_id, campaign_id):
    """Stop sending until resumed."""
    return managers().campaign_runs.pause_campaign(account_id, campaign_id)


@bp.post("/<uuid:campaign_id>/resume")
@run_step("Resume a campaign", "Goes on sending a paused campaign.")
@account_scoped
def resume_campaign(account_id, campaign_id):
    """Go on sending."""
    return managers().campaign_runs.resume_campaign(account_id, campaign_id)


@bp.post("/<uuid:campaign_id>/cancel")
@run_step("Cancel a campaign", "Ends it; recipients not yet messaged are cancelled, and so is a message not "
          "yet taken by WhatsApp.")
@account_scoped
def cancel_campaign(account_id, campaign_id):
    """End the campaign; recipients not yet messaged are not messaged."""
    return managers().campaign_runs.cancel_campaign(account_id, campaign_id)


@bp.get("/<uuid:campaign_id>/progress")
@shapes(tag="Campaigns", summary="Get a campaign's progress", access="account", responses={200: CampaignProgress},
        description="Recipients per status, the pacing and what a running campaign waits for.")
@account_scoped
def campaign_progress(account_id, campaign_id):
    """Recipients per status, and what the sending waits for."""
    return managers().campaign_runs.campaign_progress(account_id, campaign_id)


@bp.get("/<uuid:campaign_id>/recipients")
@shapes(tag="Campaigns", summary="List a campaign's recipients", access="account", query=RecipientQuery,
        description="A page of recipients in send order, with each one's status.",
        responses={200: RecipientPage})
@account_scoped
def list_recipients(account_id, campaign_id):
    """A page of recipients in send order (?status=&limit=&cursor=)."""
    args = request.args
    return managers().campaign_runs.list_recipients(account_id, campaign_id, args.get("status"),
                                      args.get("limit"), args.get("cursor"))
