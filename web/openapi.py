"""The OpenAPI 3.1 document for the REST API, assembled from small helpers."""
from __future__ import annotations

import re
from typing import Any

from web.errors import STATUS_BY_CODE
from web.openapi_schemas import component_schemas, error_name, error_response_components, ref
from zapfleet import __version__
from zapfleet.core.pagination import DEFAULT_LIMIT, MAX_LIMIT

Spec = dict[str, Any]

ACCOUNT = "/api/accounts/{account_id}"
TAGS = (
    ("Health", "Liveness of the service."),
    ("Registration", "Public sign-up."),
    ("Accounts", "Accounts (tenants). The platform admin manages them all; an account manages itself."),
    ("Contacts", "The people an account talks to, with CSV import and export."),
    ("Conversations", "Message threads with contacts, and their history."),
    ("Campaigns", "Bulk messages to tagged contacts, paced per number to protect it."),
    ("API keys", "The keys that authenticate an account's API calls."),
    ("WhatsApp", "An account's WhatsApp connection: connect, status, QR code, worker log and sending."),
    ("Instances", "The WhatsApp workers' lifecycle: start, stop, restart, unlink and delete."),
    ("Webhooks", "Events POSTed to the account's URL, signed, with a delivery log."),
    ("Sandbox", "The sandbox engine's simulated phone, for trying the API without WhatsApp."),
)
PATH_PARAMETERS = {
    "account_id": "The account's id.",
    "contact_id": "The contact's id.",
    "conversation_id": "The conversation's id.",
    "campaign_id": "The campaign's id.",
    "key_id": "The API key's id.",
    "service_id": "The service's id.",
    "appointment_id": "The appointment's id.",
    "message_id": "The message's id.",
    "server_id": "The Evolution server's id.",
}
ACCESS_NOTES = {
    "public": "No authentication.",
    "admin": "Platform admin key only.",
    "account": "The account's own API key, or the platform admin key.",
    "any": "Any API key.",
}
ACCESS_ERRORS = {"public": (), "admin": (401, 403), "account": (401, 404), "any": (401,)}


def errors(*statuses: int) -> Spec:
    """References to the reusable error responses for these HTTP statuses."""
    code_by_status = {status: code for code, status in STATUS_BY_CODE.items()}
    return {str(status): {"$ref": f"#/components/responses/{error_name(code_by_status[status])}"}
            for status in sorted(statuses)}


def json_response(description: str, schema: str) -> Spec:
    """A response whose body is JSON of a named schema."""
    return {"description": description, "content": {"application/json": {"schema": ref(schema)}}}


def json_body(schema: str, required: bool = True) -> Spec:
    """A JSON request body of a named schema."""
    return {"required": required, "content": {"application/json": {"schema": ref(schema)}}}


def query(name: str, description: str, schema: Spec | None = None) -> Spec:
    """An optional query-string parameter."""
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


def path_parameters(path: str) -> list[Spec]:
    """The uuid path parameters that appear in a templated path."""
    return [{"name": name, "in": "path", "required": True, "description": PATH_PARAMETERS[name],
             "schema": {"type": "string", "format": "uuid"}} for name in re.findall(r"{(\w+)}", path)]


def page_parameters(what: str) -> list[Spec]:
    """The keyset-pagination parameters: limit and cursor."""
    limit = {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}
    return [query("limit", f"How many {what} per page.", limit),
            query("cursor", "The next_cursor of the previous page; omit for the first page.")]


def operation(operation_id: str, tag: str, summary: str, description: str, *, access: str,
              ok: tuple[int, Spec], error_statuses: tuple[int, ...] = (),
              parameters: list[Spec] | None = None, body: Spec | None = None) -> Spec:
    """One operation: its success response plus the errors its access level and input can cause."""
    status, response = ok
    op: Spec = {"operationId": operation_id, "tags": [tag], "summary": summary,
                "description": f"{description} {ACCESS_NOTES[access]}"}
    if parameters:
        op["parameters"] = parameters
    if body:
        op["requestBody"] = body
    op["responses"] = {str(status): response, **errors(*ACCESS_ERRORS[access], *error_statuses)}
    if access == "public":
        op["security"] = []
    return op


def no_content(description: str) -> tuple[int, Spec]:
    """A 204 response with no body."""
    return 204, {"description": description}


def _public_operations() -> list[tuple[str, str, Spec]]:
    return [
        ("/healthz", "get", operation(
            "healthz", "Health", "Check liveness",
            "Answers 200 when the service and its database work, 503 when the database is down.",
            access="public", ok=(200, json_response("The service is up.", "Health")),
            error_statuses=(503,))),
        ("/api/register", "post", operation(
            "register", "Registration", "Sign up",
            "Creates an account, its first user and an API key. The key is shown only in this answer.",
            access="public", body=json_body("RegistrationInput"), error_statuses=(400, 409),
            ok=(201, json_response("The new account, user and key.", "Registration")))),
    ]


def _account_operations() -> list[tuple[str, str, Spec]]:
    return [
        ("/api/accounts", "get", operation(
            "list_accounts", "Accounts", "List accounts", "Every account, oldest first.",
            access="admin", ok=(200, json_response("The accounts.", "AccountList")))),
        ("/api/accounts", "post", operation(
            "create_account", "Accounts", "Create an account",
            "Creates an account without users; the slug is made from the name unless given.",
            access="admin", body=json_body("AccountInput"), error_statuses=(400, 409),
            ok=(201, json_response("The new account.", "Account")))),
        (ACCOUNT, "get", operation(
            "get_account", "Accounts", "Get an account", "One account.",
            access="account", ok=(200, json_response("The account.", "Account")))),
        (ACCOUNT, "patch", operation(
            "update_account", "Accounts", "Change an account",
            "Changes the fields sent; only the platform admin may change plan and status.",
            access="account", body=json_body("AccountChanges"), error_statuses=(400, 403, 409),
            ok=(200, json_response("The changed account.", "Account")))),
        (ACCOUNT, "delete", operation(
            "delete_account", "Accounts", "Delete an account",
            "Deletes the account and everything stored under it. This cannot be undone.",
            access="account", ok=no_content("The account is gone."))),
    ]


def _contact_operations() -> list[tuple[str, str, Spec]]:
    base, one = f"{ACCOUNT}/contacts", f"{ACCOUNT}/contacts/{{contact_id}}"
    csv_upload = {"type": "string", "contentMediaType": "text/csv",
                  "description": "CSV with a header row naming a phone column (phone or telefone) and "
                                 "optionally name, tags (separated by ; or |) and opted_out; "
                                 "comma or semicolon delimited."}
    import_body = {"required": True, "content": {
        "text/csv": {"schema": csv_upload},
        "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                           "properties": {"file": csv_upload}}},
    }}
    attachment = {"schema": {"type": "string"}, "description": 'attachment; filename="contacts.csv"'}
    csv_download = {"description": "Every contact as CSV with the columns phone, name, tags, opted_out.",
                    "headers": {"Content-Disposition": attachment},
                    "content": {"text/csv": {"schema": {"type": "string"}}}}
    return [
        (base, "get", operation(
            "list_contacts", "Contacts", "List contacts",
            "A page of contacts in creation order, optionally filtered by tag and text.",
            access="account", error_statuses=(400,),
            parameters=[query("tag", "Only contacts with this tag."),
                        query("q", "Only contacts whose name contains, or phone includes, this text."),
                        *page_parameters("contacts")],
            ok=(200, json_response("A page of contacts.", "ContactPage")))),
        (base, "post", operation(
            "create_contact", "Contacts", "Add a contact",
            "Adds a contact; the phone is normalised to E.164 digits and must be unique in the account.",
            access="account", body=json_body("ContactInput"), error_statuses=(400, 409),
            ok=(201, json_response("The new contact.", "Contact")))),
        (one, "get", operation(
            "get_contact", "Contacts", "Get a contact", "One contact.",
            access="account", ok=(200, json_response("The contact.", "Contact")))),
        (one, "patch", operation(
            "update_contact", "Contacts", "Change a contact", "Changes the fields sent.",
            access="account", body=json_body("ContactChanges"), error_statuses=(400, 409),
            ok=(200, json_response("The changed contact.", "Contact")))),
        (one, "delete", operation(
            "delete_contact", "Contacts", "Delete a contact",
            "Deletes the contact and its conversation.",
            access="account", ok=no_content("The contact is gone."))),
        (f"{base}/import", "post", operation(
            "import_contacts", "Contacts", "Import contacts from CSV",
            "Send the file as the raw body (text/csv; text/plain and application/csv also work) or "
            "as a multipart field named file. Existing phones are merged: tags are added and a "
            "non-empty name replaces the old one. Bad rows are skipped and reported by line number.",
            access="account", body=import_body, error_statuses=(400, 413),
            parameters=[query("encoding", "The file's text encoding, such as latin-1 or cp1252; "
                                          "UTF-8 (with or without a BOM) when omitted.")],
            ok=(200, json_response("What was created, merged and rejected.", "ImportReport")))),
        (f"{base}/export", "get", operation(
            "export_contacts", "Contacts", "Export contacts as CSV",
            "Streams every contact of the account as a CSV download that the import accepts.",
            access="account", ok=(200, csv_download))),
    ]


def _conversation_operations() -> list[tuple[str, str, Spec]]:
    base = f"{ACCOUNT}/conversations"
    return [
        (base, "get", operation(
            "list_conversations", "Conversations", "List conversations",
            "A page of conversations, most recent activity first.",
            access="account", error_statuses=(400,), parameters=page_parameters("conversations"),
            ok=(200, json_response("A page of conversations.", "ConversationPage")))),
        (f"{base}/{{conversation_id}}/messages", "get", operation(
            "list_messages", "Conversations", "List a conversation's messages",
            "A page of one conversation's messages, oldest first.",
            access="account", error_statuses=(400,), parameters=page_parameters("messages"),
            ok=(200, json_response("A page of messages.", "MessagePage")))),
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
    """Every (path, method, operation) the API serves, in documentation order."""
    from web.openapi_evolution import evolution_operations  # they build on the helpers above
    from web.openapi_messaging import messaging_operations
    from web.openapi_workers import worker_operations

    return [*_public_operations(), *_account_operations(), *_contact_operations(),
            *_conversation_operations(), *_campaign_operations(), *_api_key_operations(),
            *worker_operations(), *evolution_operations(), *messaging_operations()]


def build_paths() -> Spec:
    """The paths object: operations grouped by path, with their path parameters."""
    paths: Spec = {}
    for path, method, op in operations():
        item = paths.setdefault(path, {"parameters": path_parameters(path)} if "{" in path else {})
        item[method] = op
    return paths


def build_spec() -> Spec:
    """The complete OpenAPI 3.1 document."""
    from web.openapi_evolution import EVOLUTION_TAGS, evolution_schemas
    from web.openapi_messaging import MESSAGING_TAGS
    from web.openapi_messaging_schemas import messaging_schemas
    from web.openapi_workers import worker_schemas

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "zapfleet",
            "version": __version__,
            "description": "Multi-tenant WhatsApp manager: accounts, contacts, conversations, "
                           "paced campaigns, API keys, each account's WhatsApp instance, sending "
                           "and webhooks, appointments with their notices, the booking bot's "
                           "settings and metrics. Every error has the body "
                           '{"error": {"code", "message"}}. Timestamps are ISO 8601.',
        },
        "tags": [{"name": name, "description": description}
                 for name, description in TAGS + EVOLUTION_TAGS + MESSAGING_TAGS],
        "security": [{"bearerAuth": []}],
        "paths": build_paths(),
        "components": {
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer",
                "description": "Send `Authorization: Bearer <api key>`: an account's key "
                               "(from sign-up or the API keys endpoints) or the platform admin key.",
            }},
            "schemas": {**component_schemas(), **worker_schemas(), **evolution_schemas(),
                        **messaging_schemas()},
            "responses": error_response_components(),
        },
    }
