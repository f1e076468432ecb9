"""Hand-written operations of the routes whose views do not declare their shapes yet."""
from __future__ import annotations

from web.openapi.common import ACCOUNT, Spec, json_body, json_response, no_content, operation
from web.openapi.legacy_evolution import evolution_operations
from web.openapi.legacy_messaging import messaging_operations


def _campaign_operations() -> list[tuple[str, str, Spec]]:
    base, one = f"{ACCOUNT}/campaigns", f"{ACCOUNT}/campaigns/{{campaign_id}}"
    return [
        (base, "get", operation(
            "list_campaigns", "Campaigns", "List campaigns",
            "Every campaign of the account, newest first.",
            access="account", ok=(200, json_response("The campaigns.", "CampaignList")))),
        (base, "post", operation(
            "create_campaign", "Campaigns", "Create a campaign",
            "Creates a campaign in the draft status.",
            access="account", body=json_body("CampaignInput"), error_statuses=(400,),
            ok=(201, json_response("The new campaign.", "Campaign")))),
        (one, "get", operation(
            "get_campaign", "Campaigns", "Get a campaign", "One campaign.",
            access="account", ok=(200, json_response("The campaign.", "Campaign")))),
        (one, "patch", operation(
            "update_campaign", "Campaigns", "Change a campaign", "Changes the fields sent.",
            access="account", body=json_body("CampaignChanges"), error_statuses=(400,),
            ok=(200, json_response("The changed campaign.", "Campaign")))),
        (one, "delete", operation(
            "delete_campaign", "Campaigns", "Delete a campaign", "Deletes the campaign.",
            access="account", ok=no_content("The campaign is gone."))),
    ]


def operations() -> list[tuple[str, str, Spec]]:
    """Every hand-written (path, method, operation), in documentation order."""
    return [*_campaign_operations(),
            *evolution_operations(), *messaging_operations()]
