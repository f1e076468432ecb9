"""The document's shared parts: tags, path parameters, access notes, error references, helpers."""
from __future__ import annotations

import re
from typing import Any

from web.errors import STATUS_BY_CODE
from web.openapi.errors import error_name
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
    ("Evolution servers", "The Evolution API servers new evolution instances are placed on "
                          "(platform admin only)."),
    ("Settings", "An account's messaging settings: time zone, business hours, bot, pacing, templates."),
    ("Scheduled messages", "Messages sent with send_at that wait for their time."),
    ("Services", "What customers book, with its duration."),
    ("Appointments", "Bookings with their WhatsApp confirmation, reminder and cancellation notices."),
    ("Metrics", "Counts per day, week and month for charts."),
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


def ref(name: str) -> Spec:
    """A reference to a schema under components/schemas."""
    return {"$ref": f"#/components/schemas/{name}"}


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


CSV_UPLOAD = {"type": "string", "contentMediaType": "text/csv",
              "description": "CSV with a header row naming a phone column (phone or telefone) and "
                             "optionally name, tags (separated by ; or |) and opted_out; "
                             "comma or semicolon delimited."}
CSV_IMPORT_BODY = {"required": True, "content": {
    "text/csv": {"schema": CSV_UPLOAD},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                       "properties": {"file": CSV_UPLOAD}}},
}}
CSV_DOWNLOAD = {"description": "Every contact as CSV with the columns phone, name, tags, opted_out.",
                "headers": {"Content-Disposition": {"schema": {"type": "string"},
                                                    "description": 'attachment; filename="contacts.csv"'}},
                "content": {"text/csv": {"schema": {"type": "string"}}}}
QR_IMAGES = {"description": "The QR code in the asked format.",
             "headers": {"Cache-Control": {"schema": {"type": "string"}, "description": "no-store"}},
             "content": {"application/json": {"schema": {"$ref": "#/components/schemas/QrCode"}},
                         "image/png": {"schema": {"type": "string", "contentMediaType": "image/png"}},
                         "image/svg+xml": {"schema": {"type": "string",
                                                      "contentMediaType": "image/svg+xml"}}}}
QR_DESCRIPTION = ("The QR to scan with the phone, as JSON or an image; 404 when there is none right now "
                  "(no instance, or the phone is linked already).")
LIFECYCLE_ERRORS = (409, 503)  # another change holds the account's lock; supervisor or worker down
LOG_TEXT = {"description": "The last lines of the log.",
            "content": {"text/plain": {"schema": {"type": "string"}}}}
