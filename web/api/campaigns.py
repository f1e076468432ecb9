"""An account's campaigns."""
from flask import Blueprint

from web.auth import account_scoped, accounts
from web.jsonio import json_body

bp = Blueprint("campaigns", __name__, url_prefix="/api/accounts/<uuid:account_id>/campaigns")


@bp.get("")
@account_scoped
def list_campaigns(account_id):
    """Every campaign of the account."""
    return {"items": accounts().list_campaigns(account_id)}


@bp.post("")
@account_scoped
def create_campaign(account_id):
    """Create a draft campaign."""
    return accounts().create_campaign(account_id, json_body()), 201


@bp.get("/<uuid:campaign_id>")
@account_scoped
def get_campaign(account_id, campaign_id):
    """One campaign."""
    return accounts().get_campaign(account_id, campaign_id)


@bp.patch("/<uuid:campaign_id>")
@account_scoped
def update_campaign(account_id, campaign_id):
    """Change a campaign."""
    return accounts().update_campaign(account_id, campaign_id, json_body())


@bp.delete("/<uuid:campaign_id>")
@account_scoped
def delete_campaign(account_id, campaign_id):
    """Delete a campaign."""
    accounts().delete_campaign(account_id, campaign_id)
    return "", 204
