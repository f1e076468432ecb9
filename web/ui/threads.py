"""What the inbox and the sandbox phone share: times, status ticks, messages as JSON, poll params."""
from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from flask import get_template_attribute, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from web.managers import managers
from web.ui.formats import phone_label
from web.ui.local_time import local
from web.ui.session import current_user
from zapfleet.core.errors import InvalidInput

MAX_PENDING = 100
PAGE_LINK_SECONDS = 12 * 3600
TICKS = {  # status: (symbol, title)
    "queued": ("◷", _l("queued")),
    "sent": ("✓", _l("sent")),
    "delivered": ("✓✓", _l("delivered")),
    "read": ("✓✓", _l("read")),
    "failed": ("✗", _l("failed")),
}

ORIGINS = {"bot": _l("bot"), "campaign": _l("campaign"), "notice": _l("appointment notice"),
           "auto_reply": _l("away message"), "phone": _l("sent from the phone")}


def stamp(moment: datetime | None) -> str:
    """A moment as the page writes it (dd/mm/aaaa HH:MM in Portuguese), in the account's zone."""
    return local(moment)


def conversation_title(conversation: dict) -> str:
    """A conversation's contact: their name, else their phone."""
    return conversation.get("name") or phone_label(conversation.get("phone"))


def ticks(message: dict) -> dict | None:
    """The status ticks of an outbound message: {symbol, status, title}; None for inbound."""
    if message["direction"] != "out" or message["status"] not in TICKS:
        return None
    symbol, title = TICKS[message["status"]]
    title = str(title)
    if message["status"] == "queued" and message.get("send_at"):
        title = _("scheduled for %(time)s", time=stamp(message["send_at"]))
    elif message.get("error") and message["status"] in ("queued", "failed"):
        title = f"{title}: {message['error']}"
    return {"symbol": symbol, "status": message["status"], "title": title}


def origin_label(message: dict) -> str | None:
    """Who wrote an outbound message when no person did (bot, campaign, notice, away message)."""
    label = ORIGINS.get(message.get("origin") or "")
    return str(label) if label else None


def message_json(message: dict, quoted: str | None = None) -> dict:
    """A message as the pages' scripts place it: its bubble drawn by the same macro as the page."""
    bubble = get_template_attribute("ui/_thread.html", "bubble")
    return {"id": str(message["id"]), "seq": message.get("seq"), "direction": message["direction"],
            "status": message["status"],
            "created_at": message["created_at"].isoformat(),
            "updated_at": message["updated_at"].isoformat(), "html": str(bubble(message, quoted))}


def server_now() -> str:
    """The server's time, from which the next poll asks for changes (?changed=)."""
    return datetime.now(UTC).isoformat()


def media_link(message: dict) -> str:
    """A signed link to a message's file for the page (it lasts a working day)."""
    return managers().media.link(message["account_id"], message["media"]["id"], PAGE_LINK_SECONDS)


def kept_for_admins(message: dict) -> bool:
    """True when a deleted message was kept (keep_deleted_messages) and an admin is looking."""
    user = current_user()
    return bool(message.get("deleted_at") and message.get("previous_bodies") and user
                and user["role"] == "admin")


def file_size(size: int | None) -> str:
    """A size as people read it: 900 B, 12 KB, 3.4 MB."""
    if size is None:
        return ""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}".replace(".0 ", " ")
    return f"{size} B"


def _moment(name: str) -> datetime | None:
    """An optional ISO time with its zone from the query string."""
    value = request.args.get(name) or None
    try:
        moment = datetime.fromisoformat(value) if value else None
    except ValueError:
        raise InvalidInput(name, "must be an ISO date and time") from None
    if moment is not None and moment.tzinfo is None:
        raise InvalidInput(name, "must include its time zone")
    return moment


def changed_since() -> datetime | None:
    """?changed=<the server's time at the last poll>: messages changed since are sent again."""
    return _moment("changed")


def poll_args() -> tuple[datetime | None, list[UUID]]:
    """?after=<created_at of the last message shown>&pending=<ids whose status may change>."""
    moment = _moment("after")
    raw = [part for part in request.args.get("pending", "").split(",") if part]
    if len(raw) > MAX_PENDING:
        raise InvalidInput("pending", "must list at most %(most)s ids", most=MAX_PENDING)
    try:
        return moment, [UUID(part) for part in raw]
    except ValueError:
        raise InvalidInput("pending", "must be message ids separated by commas") from None


def thread_helpers() -> dict:
    """What the templates call, macros included (template globals)."""
    return {"ticks": ticks, "stamp": stamp, "conversation_title": conversation_title,
            "phone_label": phone_label, "origin_label": origin_label, "media_link": media_link,
            "file_size": file_size, "kept_for_admins": kept_for_admins, "server_now": server_now}
