"""The sandbox phone: link it and write to the account as a customer."""
from __future__ import annotations

import base64
from uuid import UUID

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from web.managers import managers
from web.ui.auth import error_text, form_failed
from web.ui.session import account_page
from web.ui.threads import changed_since, message_json, phone_label, poll_args, server_now
from web.ui.workspace import connection
from web.uploads import form_file
from zapfleet.core import validation
from zapfleet.core.errors import InvalidInput, ZapfleetError
from zapfleet.messaging.media_shapes import message_text

bp = Blueprint("ui_sandbox_phone", __name__)
SCAN_PATH = "/sandbox/scan/"


def account_engine(account_id: UUID) -> tuple[dict | None, str]:
    """The account's instance (or None) and its engine: the default one for a new instance."""
    instance = managers().instances.find(account_id)
    engine = instance["engine"] if instance else current_app.config["ZAPFLEET"].default_engine
    return instance, engine


@bp.app_context_processor
def sandbox_menu() -> dict:
    """account_base.html shows the sandbox phone in the menu only for sandbox accounts."""
    def sandbox_phone_in_menu() -> bool:
        if "sandbox_engine" not in g:
            g.sandbox_engine = account_engine(g.account["id"])[1] == "sandbox"
        return g.sandbox_engine
    return {"sandbox_phone_in_menu": sandbox_phone_in_menu}


def customer_phone(value: str | None) -> str | None:
    """The customer phone the page shows (E.164 digits), or None when none or not a phone."""
    try:
        return validation.phone(value, managers().accounts.region) if value else None
    except InvalidInput:
        return None


def shown_phone(account_id: UUID) -> str | None:
    """The customer whose chat the page shows: ?phone=, else the one last written as on this
    page (kept in the session), else the account's latest conversation's: a reload or a visit
    from the menu keeps the chat."""
    remembered = session.get("sandbox_phones", {})
    phone = customer_phone(request.args.get("phone")) or remembered.get(str(account_id))
    if phone is None:
        latest = managers().conversations.list_conversations(account_id, 1)["items"]
        phone = latest[0]["phone"] if latest else None
    if phone and remembered.get(str(account_id)) != phone:
        session["sandbox_phones"] = {**remembered, str(account_id): phone}
    return phone


def page_context(account_id: UUID, phone: str | None) -> dict:
    """The page's data: the link state, the customer's phone and their conversation."""
    instance, engine = account_engine(account_id)
    conversation = managers().conversations.find_conversation(account_id, phone) if phone else None
    changes = (managers().conversations.conversation_changes(account_id, conversation["id"], None, [])
               if conversation else {"messages": [], "quoted": {}})
    return {"wa": connection(instance), "is_sandbox": engine == "sandbox", "phone": phone,
            "conversation": conversation, "messages": changes["messages"], "quoted": changes["quoted"]}


@bp.get("/a/<uuid:account_id>/sandbox-phone")
@account_page
def sandbox_phone(account_id):
    """Link the sandbox phone; write as a customer (?phone= picks the customer)."""
    phone = shown_phone(account_id)
    return render_template("ui/sandbox_phone.html", form={"phone": phone_label(phone)},
                           **page_context(account_id, phone))


@bp.post("/a/<uuid:account_id>/sandbox-phone/link")
@account_page
def link(account_id):
    """Open the sandbox QR code's link, as a phone scanning it would."""
    instance, engine = account_engine(account_id)
    code = (instance or {}).get("qr_code") or ""
    if engine != "sandbox" or SCAN_PATH not in code:
        flash(_("There is no sandbox QR code to open right now: press “Connect WhatsApp” first."),
              "error")
    else:
        try:
            managers().instances.follow_qr_link(str(instance["id"]), code.rsplit(SCAN_PATH, 1)[1])
            flash(_("The sandbox phone is linked."), "success")
        except ZapfleetError as exc:
            flash(error_text(exc), "error")
    return redirect(url_for("ui_sandbox_phone.sandbox_phone", account_id=account_id))


@bp.post("/a/<uuid:account_id>/sandbox-phone/write")
@account_page
def write(account_id):
    """A customer's message (a text, or a file with its caption, maybe quoting one) arrives as if
    sent from their phone (like POST …/sandbox/inbound); or the business writes it on its own
    phone (…/sandbox/typed)."""
    try:
        phone = validation.phone(request.form.get("phone"), managers().accounts.region)
        payload = {"phone": phone, "text": request.form.get("message") or ""}
        upload = form_file(request.form.get("voice"))
        if upload is None:
            payload["text"] = message_text(payload["text"])
        else:
            payload["media"] = {"data": base64.b64encode(upload.stream.read()).decode(),
                                "mime_type": upload.mime_type, "filename": upload.filename,
                                "voice": upload.voice}
        if request.form.get("reply_to"):
            payload["reply_to"] = request.form["reply_to"]
        action = "type" if request.form.get("sender") == "business" else "inject"
        managers().instances.engine_action(account_id, action, payload)
    except ZapfleetError as exc:
        return form_failed("ui/sandbox_phone.html", exc,
                           **page_context(account_id, customer_phone(request.form.get("phone"))))
    return redirect(url_for("ui_sandbox_phone.sandbox_phone", account_id=account_id, phone=phone))


@bp.post("/a/<uuid:account_id>/sandbox-phone/change")
@account_page
def change(account_id):
    """The customer reacts to a message, or edits or deletes one of theirs for everyone."""
    phone = customer_phone(request.form.get("phone"))
    action = request.form.get("action")
    payload = {"phone": phone, "provider_message_id": request.form.get("provider_message_id"),
               "emoji": request.form.get("emoji") or "", "text": request.form.get("text") or ""}
    try:
        if action not in ("react", "edit", "delete"):
            raise InvalidInput("action", "must be react, edit or delete")
        if not payload["provider_message_id"]:  # checked here: the worker's answer is English
            raise InvalidInput("provider_message_id", "choose one of the customer's messages")
        managers().instances.engine_action(account_id, action, payload)
    except ZapfleetError as exc:
        flash(error_text(exc), "error")
    return redirect(url_for("ui_sandbox_phone.sandbox_phone", account_id=account_id, phone=phone))


@bp.get("/a/<uuid:account_id>/sandbox-phone/thread.json")
@account_page
def thread_json(account_id):
    """The customer's conversation (?phone=): messages after the last one shown, fresh ticks."""
    after, pending = poll_args()
    conversation = managers().conversations.find_conversation(account_id, request.args.get("phone"))
    if conversation is None:
        return {"messages": []}
    now = server_now()
    changes = managers().conversations.conversation_changes(account_id, conversation["id"], after, pending,
                                                            changed=changed_since())
    return {"messages": [message_json(m, changes["quoted"].get(m["reply_to"]))
                         for m in changes["messages"]], "now": now}
