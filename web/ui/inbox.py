"""The inbox: conversations with unread counts, a live thread and the reply box."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime
from uuid import UUID

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from web.managers import managers
from web.ui.auth import field_errors, form_failed
from web.ui.inbox_team import (
    list_filters,
    signed_in_user_id,
    team_fields,
    team_view,
    whatsapp_connected,
)
from web.ui.local_time import account_settings, posted_moment
from web.ui.session import account_page
from web.ui.threads import (
    changed_since,
    conversation_title,
    message_json,
    phone_label,
    poll_args,
    server_now,
    stamp,
)
from web.uploads import form_file
from zapfleet.core.errors import ZapfleetError

BOT_PAUSE_MINUTES = 24 * 60

bp = Blueprint("ui_inbox", __name__)
THREAD = "/a/<uuid:account_id>/inbox/<uuid:conversation_id>"


def new_key() -> str:
    """A fresh idempotency key for one reply form: a repeated submission sends nothing twice."""
    return f"ui-{uuid.uuid4()}"


def posted_key() -> str:
    """The submitted form's key, kept when the form comes back with an error."""
    return request.form.get("idempotency_key") or new_key()


def conversation_item(account_id: UUID, row: dict) -> dict:
    """A conversation as the list shows it: who, the last message's preview, unread, status,
    assignee and labels."""
    return {"id": str(row["id"]), "title": conversation_title(row),
            "phone": phone_label(row["phone"]), "unread": row["unread_count"],
            "time": stamp(row["last_message_at"] or row["created_at"]),
            "url": url_for("ui_inbox.thread", account_id=account_id, conversation_id=row["id"]),
            **team_fields(row)}


def conversations(account_id: UUID, cursor: str | None = None) -> dict:
    """One page of the account's conversations (the filters of the page's query string), most
    recent first, ready to show."""
    page = managers().inbox.list_conversations(account_id, {**list_filters(), "cursor": cursor},
                                               signed_in_user_id())
    return {"items": [conversation_item(account_id, row) for row in page["items"]],
            "next_cursor": page["next_cursor"]}


def send(account_id: UUID, phone: str) -> tuple[dict, bool]:
    """Send the posted form's message (and file, quoting reply_to) through the outbox, under the
    form's idempotency key."""
    return managers().outbox.send(account_id, {
        "phone": phone, "message": request.form.get("message", ""),
        "idempotency_key": request.form.get("idempotency_key") or None,
        "reply_to": request.form.get("reply_to") or None,
        "send_at": posted_moment(request.form.get("send_at", ""), "send_at")}, form_file())


def flash_if_queued(message: dict) -> None:
    """Tell the user when the message waits (for its time, or for WhatsApp) instead of leaving now."""
    if message["status"] == "queued" and message.get("send_at"):
        flash(_("The message is scheduled for %(time)s.", time=stamp(message["send_at"])), "info")
    elif message["status"] == "queued":
        flash(_("The message is queued: it leaves as soon as your WhatsApp is connected."), "info")


@bp.get("/a/<uuid:account_id>/inbox")
@account_page
def inbox(account_id):
    """Every conversation, most recent first, and a form to write to a new number."""
    cursor = request.args.get("cursor")
    return render_template("ui/inbox.html", page=conversations(account_id, cursor), form={},
                           key=new_key(), thread=None, paged=bool(cursor), team=team_view(account_id))


@bp.get("/a/<uuid:account_id>/inbox.json")
@account_page
def inbox_json(account_id):
    """The first page of conversations, for the live list; the unread total and whether
    WhatsApp is connected, for the menu and the queued-messages notice."""
    return {**conversations(account_id), "unread_total": managers().inbox.unread_total(account_id),
            "connected": whatsapp_connected(account_id)}


@bp.post("/a/<uuid:account_id>/inbox/new")
@account_page
def new_conversation(account_id):
    """Write to a phone number: the message goes out and its conversation opens."""
    try:
        message, _created = send(account_id, request.form.get("phone", ""))
    except ZapfleetError as exc:
        return form_failed("ui/inbox.html", exc, field_errors=field_errors(exc),
                           page=conversations(account_id), key=posted_key(), thread=None,
                           team=team_view(account_id))
    flash_if_queued(message)
    return redirect(url_for("ui_inbox.thread", account_id=account_id,
                            conversation_id=message["conversation_id"]))


@bp.get(THREAD)
@account_page
def thread(account_id, conversation_id):
    """One conversation, marked read, with its latest messages and the reply box."""
    opened = managers().conversations.open_conversation(account_id, conversation_id)
    return render_template("ui/inbox.html", page=conversations(account_id), form={},
                           key=new_key(), thread=opened, bot=bot_view(account_id, conversation_id),
                           team=team_view(account_id, opened))


def bot_view(account_id: UUID, conversation_id: UUID) -> dict | None:
    """The bot's state in this conversation; None while neither the bot nor auto-reply is on."""
    settings = account_settings()
    if not (settings["booking_bot"] or settings["auto_reply"]):
        return None
    state = managers().bot.bot_state(account_id, conversation_id)
    until = state["paused_until"]
    return {**state, "until": until if until and until > datetime.now(UTC) else None,
            "booking_bot": settings["booking_bot"]}


@bp.post(THREAD + "/bot")
@account_page
def bot(account_id, conversation_id):
    """Pause the bot in this conversation (for a day), or let it answer again."""
    paused = request.form.get("paused") == "1"
    managers().bot.set_bot_paused(account_id, conversation_id,
                                   {"paused": paused, "minutes": BOT_PAUSE_MINUTES})
    flash(_("The bot keeps quiet in this conversation for a day.") if paused else
          _("The bot answers in this conversation again."), "success")
    return redirect(url_for("ui_inbox.thread", account_id=account_id,
                            conversation_id=conversation_id))


@bp.get(THREAD + ".json")
@account_page
def thread_json(account_id, conversation_id):
    """Messages after the last one shown, and the fresh status of those still moving."""
    after, pending = poll_args()
    now = server_now()
    changes = managers().conversations.conversation_changes(account_id, conversation_id, after, pending,
                                                            mark_read=request.args.get("seen") == "1",
                                                            changed=changed_since())
    return {"messages": [message_json(m, changes["quoted"].get(m["reply_to"]))
                         for m in changes["messages"]], "now": now,
            "unread": changes["conversation"]["unread_count"]}


@bp.post(THREAD + "/reply")
@account_page
def reply(account_id, conversation_id):
    """Send the reply box's message; back to the thread."""
    conversation = managers().conversations.get_conversation(account_id, conversation_id)
    try:
        message, _created = send(account_id, conversation["phone"])
    except ZapfleetError as exc:
        opened = managers().conversations.open_conversation(account_id, conversation_id)
        return form_failed("ui/inbox.html", exc, field_errors=field_errors(exc),
                           page=conversations(account_id), key=posted_key(), thread=opened,
                           bot=bot_view(account_id, conversation_id), team=team_view(account_id, opened))
    flash_if_queued(message)
    return redirect(url_for("ui_inbox.thread", account_id=account_id,
                            conversation_id=conversation_id))


@bp.post(THREAD + "/reply.json")
@account_page
def reply_json(account_id, conversation_id):
    """The reply box's script: send, answer with the message and the next form's key."""
    conversation = managers().conversations.get_conversation(account_id, conversation_id)
    message, created = send(account_id, conversation["phone"])
    quoted = managers().conversations.quoted_text(account_id, message)
    return {"message": message_json(message, quoted), "duplicate": not created,
            "next_key": new_key()}, 201 if created else 200
