"""What the inbox page shows of the team's work: list filters, previews, status, assignee,
labels, private notes, quick replies and whether WhatsApp is connected (messages wait)."""
from __future__ import annotations

from uuid import UUID

from flask import request
from flask_babel import lazy_gettext as _l

from web.managers import managers
from web.ui.session import current_user
from zapfleet.messaging.inbox import fill_placeholders
from zapfleet.messaging.inbox_shapes import CONVERSATION_STATUSES

VIEWS = {"all": _l("All"), "mine": _l("Mine"), "unassigned": _l("Unassigned")}
STATUSES = {"open": _l("Open"), "pending": _l("Pending"), "resolved": _l("Resolved")}
KINDS = {"image": _l("Photo"), "audio": _l("Audio"), "video": _l("Video"), "document": _l("Document"),
         "sticker": _l("Sticker"), "location": _l("Location"), "contact": _l("Contact")}


def chosen_filters() -> dict:
    """The list's filters from the query string: view (all, mine, unassigned), status, label."""
    view = request.args.get("view", "all")
    status = request.args.get("status", "")
    return {"view": view if view in VIEWS else "all",
            "status": status if status in CONVERSATION_STATUSES else "",
            "label": (request.args.get("label") or "").strip()[:50]}


def list_filters() -> dict:
    """The chosen filters as the inbox manager reads them."""
    chosen = chosen_filters()
    return {"assignee": None if chosen["view"] == "all" else chosen["view"],
            "status": chosen["status"] or None, "label": chosen["label"] or None}


def signed_in_user_id() -> UUID | None:
    """The signed-in user's id ("mine")."""
    user = current_user()
    return user["id"] if user else None


def preview_text(row: dict) -> str:
    """The last message as the list previews it."""
    if row.get("preview_deleted"):
        return str(_l("message deleted"))
    text = (row.get("preview") or "").replace("\n", " ")
    kind = KINDS.get(row.get("preview_type") or "")
    if kind:
        text = f"{kind} · {text}" if text else str(kind)
    if text and row.get("preview_direction") == "out":
        text = str(_l("You: %(text)s", text=text))
    return text


def team_fields(row: dict) -> dict:
    """A listed conversation's preview, status, assignee and labels."""
    return {"preview": preview_text(row), "status": row["status"],
            "status_label": str(STATUSES[row["status"]]), "assignee": row.get("assignee") or "",
            "labels": list(row["labels"])}


def whatsapp_connected(account_id: UUID) -> bool:
    """True when the account's WhatsApp is connected: messages sent now leave at once."""
    instance = managers().instances.find(account_id)
    return bool(instance and instance["status"] == "connected")


def notes_placed(messages: list[dict], notes: list[dict]) -> tuple[dict, list[dict]]:
    """Notes by the message they come just before ({message id: [notes]}), and those after
    the last message shown."""
    before: dict = {}
    rest = list(notes)
    for message in messages:
        while rest and rest[0]["created_at"] < message["created_at"]:
            before.setdefault(message["id"], []).append(rest.pop(0))
    return before, rest


def team_view(account_id: UUID, opened: dict | None = None) -> dict:
    """The page's team data: filters, members, quick replies (with this contact's name filled
    in), notes in the thread, and whether WhatsApp is connected."""
    inbox = managers().inbox
    view = {"filters": chosen_filters(), "views": VIEWS, "statuses": STATUSES,
            "connected": whatsapp_connected(account_id), "notes_before": {}, "notes_after": []}
    if opened is None:
        return view
    conversation = opened["conversation"]
    name = conversation.get("name") or ""
    notes = inbox.list_notes(account_id, conversation["id"])
    view["notes_before"], view["notes_after"] = notes_placed(opened["messages"], notes)
    view["members"] = inbox.members(account_id)
    view["quick_replies"] = [{"shortcut": r["shortcut"], "text": fill_placeholders(r["body"], name)}
                             for r in inbox.quick_replies(account_id)]
    return view
