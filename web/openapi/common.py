"""The document's shared parts: tags, path parameters, access notes, error references, helpers."""
from __future__ import annotations

import re
from typing import Any

from web.errors import CODE_BY_STATUS
from web.openapi.errors import error_name

Spec = dict[str, Any]

TAGS = (
    ("Health", "Liveness of the service."),
    ("Registration", "Public sign-up."),
    ("Accounts", "Accounts (tenants). The platform admin manages them all; an account manages itself."),
    ("Contacts", "The people an account talks to, with CSV import and export."),
    ("Conversations", "Message threads with contacts, and their history."),
    ("Campaigns", "Bulk messages to tagged contacts, paced per number to protect it."),
    ("API keys", "The keys that authenticate an account's API calls."),
    ("Members", "An account's people and roles (admin or agent), and the invitations that bring "
                "new ones (account admins only)."),
    ("WhatsApp", "An account's WhatsApp connection: connect, status, QR code, worker log and sending."),
    ("Media", "Files sent and received: uploads for later sends, and downloads by the account's key."),
    ("Instances", "The WhatsApp workers' lifecycle: start, stop, restart, unlink and delete."),
    ("Webhooks", "Events POSTed to the account's URL, signed, with a delivery log."),
    ("Sandbox", "The sandbox engine's simulated phone, for trying the API without WhatsApp."),
    ("Evolution servers", "The Evolution API servers new evolution instances are placed on "
                          "(platform admin only)."),
    ("Nodes", "The machines that run the WhatsApp workers: usage, health, capacity, drain and "
              "pins (platform admin only)."),
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
    "node_id": "The node's id.",
    "instance_id": "The WhatsApp instance's id (an instance's id, not its account's).",
    "dead_letter_id": "The id of the worker event put aside.",
    "media_id": "The file's id (a message's media.id).",
    "note_id": "The private note's id.",
    "reply_id": "The quick reply's id.",
    "user_id": "The member's (user's) id.",
    "invitation_id": "The invitation's id.",
}
ACCESS_NOTES = {
    "public": "No authentication.",
    "admin": "Platform admin key only.",
    "account": "The account's own API key, or the platform admin key.",
    "any": "Any API key.",
}
ACCESS_ERRORS = {"public": (), "admin": (401, 403), "account": (401, 403, 404), "any": (401, 403)}


def errors(*statuses: int) -> Spec:
    """References to the reusable error responses for these HTTP statuses."""
    return {str(status): {"$ref": f"#/components/responses/{error_name(CODE_BY_STATUS[status])}"}
            for status in sorted(statuses)}


def path_parameters(path: str) -> list[Spec]:
    """The uuid path parameters that appear in a templated path."""
    return [{"name": name, "in": "path", "required": True, "description": PATH_PARAMETERS[name],
             "schema": {"type": "string", "format": "uuid"}} for name in re.findall(r"{(\w+)}", path)]


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
FILE_PART = {"type": "string", "format": "binary",
             "description": "The file; its type is checked against its bytes."}
SEND_FORM = {"type": "object", "required": ["phone", "file"], "properties": {
    "phone": {"type": "string"}, "message": {"type": "string", "description": "The caption."},
    "file": FILE_PART, "voice": {"type": "string", "enum": ["true", "false"]},
    "reply_to": {"type": "string", "format": "uuid"}, "idempotency_key": {"type": "string"},
    "send_at": {"type": "string", "format": "date-time"}}}
UPLOAD_FORM = {"type": "object", "required": ["file"], "properties": {"file": FILE_PART}}
MEDIA_DOWNLOAD = {"description": "The file's bytes, with its own Content-Type.",
                  "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}}
