"""Hand-written operations of the routes whose views do not declare their shapes yet."""
from __future__ import annotations

from web.openapi.common import ACCOUNT, Spec, json_body, json_response, no_content, operation
from web.openapi.legacy_evolution import evolution_operations
from web.openapi.legacy_messaging import messaging_operations
from web.openapi.legacy_workers import worker_operations


def _public_operations() -> list[tuple[str, str, Spec]]:
    return [
        ("/api/register", "post", operation(
            "register", "Registration", "Sign up",
            "Creates an account, its first user and an API key. The key is shown only in this answer.",
            access="public", body=json_body("RegistrationInput"), error_statuses=(400, 409),
            ok=(201, json_response("The new account, user and key.", "Registration")))),
    ]


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


def _api_key_operations() -> list[tuple[str, str, Spec]]:
    base = f"{ACCOUNT}/api-keys"
    return [
        (base, "get", operation(
            "list_api_keys", "API keys", "List API keys",
            "Every key of the account, revoked ones included, without the secrets.",
            access="account", ok=(200, json_response("The keys.", "ApiKeyList")))),
        (base, "post", operation(
            "create_api_key", "API keys", "Create an API key",
            "Issues a new key. The secret is in this answer only; the body is optional.",
            access="account", body=json_body("ApiKeyInput", required=False), error_statuses=(400,),
            ok=(201, json_response("The new key, with its secret.", "NewApiKey")))),
        (f"{base}/{{key_id}}", "delete", operation(
            "revoke_api_key", "API keys", "Revoke an API key",
            "Revokes the key; it stops working within 5 seconds (web processes remember a verified key"
            " that long). Revoking it again changes nothing.",
            access="account", ok=(200, json_response("The revoked key.", "ApiKey")))),
    ]


def operations() -> list[tuple[str, str, Spec]]:
    """Every hand-written (path, method, operation), in documentation order."""
    return [*_public_operations(),
            *_campaign_operations(), *_api_key_operations(),
            *worker_operations(), *evolution_operations(), *messaging_operations()]
