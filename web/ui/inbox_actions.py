"""The inbox's team actions: a conversation's status, assignee and labels, private notes, the
quick replies page and search. Routes of the ui_inbox blueprint (agents may use them all)."""
from __future__ import annotations

from uuid import UUID

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from web.managers import managers
from web.ui.inbox import THREAD, bp
from web.ui.inbox_team import signed_in_user_id
from web.ui.messages import error_text
from web.ui.session import account_page
from zapfleet.core.errors import InvalidInput, ZapfleetError

QUICK_REPLIES = "/a/<uuid:account_id>/inbox/quick-replies"


def _back(account_id: UUID, conversation_id: UUID):
    return redirect(url_for("ui_inbox.thread", account_id=account_id, conversation_id=conversation_id))


def _labels(raw: str) -> list[str]:
    """Labels typed as "vip, cabelo"."""
    return [part.strip() for part in raw.split(",") if part.strip()]


@bp.post(THREAD + "/team")
@account_page
def manage(account_id, conversation_id):
    """Set the conversation's status, assignee and labels from the thread's header form."""
    form = request.form
    changes: dict = {}
    if "status" in form:
        changes["status"] = form["status"]
    if "labels" in form:
        changes["labels"] = _labels(form["labels"])
    if "assignee_id" in form:
        changes["assignee_id"] = form["assignee_id"] or None
    try:
        managers().inbox.update_conversation(account_id, conversation_id, changes)
    except InvalidInput as exc:
        flash(error_text(exc), "error")
    else:
        flash(_("Conversation updated."), "success")
    return _back(account_id, conversation_id)


@bp.post(THREAD + "/notes")
@account_page
def add_note(account_id, conversation_id):
    """Add a private note: the team sees it in the thread; the customer never does."""
    try:
        managers().inbox.add_note(account_id, conversation_id, {"body": request.form.get("body", "")},
                                  signed_in_user_id())
    except InvalidInput as exc:
        flash(error_text(exc), "error")
    return _back(account_id, conversation_id)


@bp.post(THREAD + "/notes/<uuid:note_id>/delete")
@account_page
def delete_note(account_id, conversation_id, note_id):
    """Delete a private note."""
    managers().inbox.delete_note(account_id, conversation_id, note_id)
    flash(_("Note deleted."), "success")
    return _back(account_id, conversation_id)


@bp.route(QUICK_REPLIES, methods=["GET", "POST"])
@account_page
def quick_replies(account_id):
    """The account's quick replies, and a form to save one."""
    form, error = {}, None
    if request.method == "POST":
        form = request.form
        try:
            managers().inbox.add_quick_reply(account_id, {"shortcut": form.get("shortcut", ""),
                                                          "body": form.get("body", "")})
        except ZapfleetError as exc:
            error = error_text(exc)
        else:
            flash(_("Quick reply saved: type /%(shortcut)s in a reply.",
                    shortcut=form.get("shortcut", "").strip().lstrip("/")), "success")
            return redirect(url_for("ui_inbox.quick_replies", account_id=account_id))
    return render_template("ui/quick_replies.html", replies=managers().inbox.quick_replies(account_id),
                           form=form, error=error), 400 if error else 200


@bp.post(QUICK_REPLIES + "/<uuid:reply_id>/delete")
@account_page
def delete_quick_reply(account_id, reply_id):
    """Delete a quick reply."""
    managers().inbox.delete_quick_reply(account_id, reply_id)
    flash(_("Quick reply deleted."), "success")
    return redirect(url_for("ui_inbox.quick_replies", account_id=account_id))


@bp.get("/a/<uuid:account_id>/inbox/search")
@account_page
def search(account_id):
    """Messages and contacts that match the search box's words."""
    q = (request.args.get("q") or "").strip()
    results, error = {"messages": [], "contacts": []}, None
    if q:
        try:
            results = managers().inbox.search(account_id, {"q": q[:200]})
        except InvalidInput as exc:
            error = error_text(exc)
    return render_template("ui/inbox_search.html", q=q, results=results, error=error)


def unread_total() -> int:
    """The unread total for the account menu (0 outside an account's page)."""
    account = g.get("account")
    return managers().inbox.unread_total(account["id"]) if account else 0
