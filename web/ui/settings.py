"""Settings: the account's details, its webhook and deliveries, API keys, the worker log.

Secrets (a new API key, a new webhook signing secret) are shown once, in the answer to the
POST that made them: never put in the session cookie, never redirected to, never cached."""
from __future__ import annotations

from uuid import UUID

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from web.managers import managers
from web.ui.auth import error_text, field_errors, form_failed
from web.ui.formats import phone_label
from web.ui.local_time import local
from web.ui.session import account_page, current_principal
from zapfleet.core.errors import NotFound, ZapfleetError
from zapfleet.core.vocabulary import WEBHOOK_EVENTS
from zapfleet.fleet.connection_history import connection_history

bp = Blueprint("ui_settings", __name__)

LOG_LINES = 200
DELIVERIES_PER_PAGE = 20
EVENT_HINTS = {
    "message.received": _l("A customer's message arrives."),
    "message.status": _l("A sent message is delivered, read or fails."),
    "connection": _l("The WhatsApp connection changes (connected, disconnected, logged out)."),
    "qr": _l("A new QR code waits to be scanned."),
}
PLANS = {"owner": _l("Owner"), "free": _l("Free"), "basic": _l("Basic"), "pro": _l("Pro")}
DELIVERY_STATES = {"pending": _l("Retrying"), "delivered": _l("Delivered"), "failed": _l("Failed")}


CONNECTION_EVENTS = {
    "started": _l("WhatsApp switched on"), "restarted": _l("WhatsApp restarted"),
    "moved": _l("Moved to another server, keeping the session"), "stopped": _l("WhatsApp switched off"),
    "qr": _l("QR code shown, waiting for the scan"), "connected": _l("Connected"),
    "disconnected": _l("Disconnected"), "logged_out": _l("Unlinked from the phone"),
    "banned": _l("Blocked by WhatsApp"),
}


def worker_log(account_id: UUID) -> dict:
    """The tail of the account's worker log, and whether the account has a worker at all."""
    if managers().instances.find(account_id) is None:
        return {"has_worker": False, "log": ""}
    return {"has_worker": True, "log": managers().instances.log_tail(account_id, LOG_LINES)}


def platform_admin() -> bool:
    """Only the platform's admin reads the raw worker log (ports, ids, English, UTC)."""
    principal = current_principal()
    return bool(principal and principal.is_admin)


def history(account_id: UUID) -> list[dict]:
    """The account's WhatsApp connection history as the page lists it, in its own time zone."""
    entries = connection_history(managers().db, managers().instances.find(account_id))
    return [{**entry, "label": CONNECTION_EVENTS[entry["kind"]], "when": local(entry["at"]),
             "phone": phone_label(entry["phone"])} for entry in entries]


def _webhook(account_id: UUID) -> dict | None:
    try:
        return managers().webhooks.get(account_id)
    except NotFound:
        return None


def page_context(account_id: UUID) -> dict:
    """Everything the page lists: the webhook and its deliveries, the keys, the worker log."""
    cursor = request.args.get("cursor") or None
    return {
        "webhook": _webhook(account_id), "events": WEBHOOK_EVENTS, "event_hints": EVENT_HINTS,
        "deliveries": managers().webhooks.list_deliveries(account_id, DELIVERIES_PER_PAGE, cursor),
        "deliveries_paged": cursor is not None, "delivery_states": DELIVERY_STATES,
        "keys": managers().identity.list_api_keys(account_id), "plans": PLANS,
        "worker": worker_log(account_id) if platform_admin() else None, "log_lines": LOG_LINES,
        "connection_history": history(account_id),
    }


def _page(account_id: UUID, **shown):
    """The page with a once-only secret in it: the browser must not keep a copy."""
    html = render_template("ui/settings.html", form={}, **page_context(account_id), **shown)
    return html, 200, {"Cache-Control": "no-store"}


def _failed(account_id: UUID, form_name: str, exc: ZapfleetError):
    """The page again with the API's message, at the form that failed and next to its field."""
    return form_failed("ui/settings.html", exc, failed=form_name, field_errors=field_errors(exc),
                       **page_context(account_id))


def _back(account_id: UUID, anchor: str):
    return redirect(url_for("ui_settings.settings", account_id=account_id, _anchor=anchor))


@bp.get("/a/<uuid:account_id>/settings")
@account_page
def settings(account_id):
    """The page: account details, webhook and delivery log, API keys, worker log."""
    return render_template("ui/settings.html", form={}, **page_context(account_id))


@bp.post("/a/<uuid:account_id>/settings/account")
@account_page
def update_account(account_id):
    """Change the account's name and phone (the plan is the platform admin's to change)."""
    data = {"name": request.form.get("name", ""), "phone": request.form.get("phone", "").strip()}
    try:
        managers().accounts.update_account(account_id, data)
    except ZapfleetError as exc:
        return _failed(account_id, "account", exc)
    flash(_("The account details were saved."), "success")
    return _back(account_id, "account")


@bp.post("/a/<uuid:account_id>/settings/webhook")
@account_page
def save_webhook(account_id):
    """Create or change the webhook; a new or rotated signing secret is shown once."""
    form = request.form
    data = {"url": form.get("url", ""), "events": form.getlist("events"),
            "enabled": "enabled" in form, "rotate_secret": "rotate_secret" in form}
    try:
        hook = managers().webhooks.configure(account_id, data)
    except ZapfleetError as exc:
        return _failed(account_id, "webhook", exc)
    if "secret" in hook:
        return _page(account_id, new_secret=hook["secret"])
    flash(_("The webhook was saved."), "success")
    return _back(account_id, "webhook")


@bp.post("/a/<uuid:account_id>/settings/webhook/delete")
@account_page
def delete_webhook(account_id):
    """Remove the webhook (its delivery log stays)."""
    try:
        managers().webhooks.remove(account_id)
    except NotFound as exc:
        flash(error_text(exc), "error")
        return _back(account_id, "webhook")
    flash(_("The webhook was removed: no more events are sent."), "success")
    return _back(account_id, "webhook")


@bp.post("/a/<uuid:account_id>/settings/api-keys")
@account_page
def create_api_key(account_id):
    """Create an API key and show it once, in this answer only."""
    try:
        row, key = managers().identity.issue_api_key(account_id, request.form.get("label", ""),
                                                  current_principal().user_id)
    except ZapfleetError as exc:
        return _failed(account_id, "api_key", exc)
    return _page(account_id, new_key={**row, "key": key},
                 public_url=(current_app.config["ZAPFLEET"].public_url or request.host_url).rstrip("/"))


@bp.post("/a/<uuid:account_id>/settings/api-keys/<uuid:key_id>/revoke")
@account_page
def revoke_api_key(account_id, key_id: UUID):
    """Revoke a key; it stops working at once."""
    row = managers().identity.revoke_api_key(account_id, key_id)  # another account's key: 404
    flash(_("The key %(prefix)s… was revoked: it stops working within 5 seconds.",
            prefix=row["prefix"]),
          "success")
    return _back(account_id, "api-keys")


@bp.get("/a/<uuid:account_id>/settings/log.json")
@account_page
def log(account_id):
    """The worker log's tail, for the page's refresh button and live follow (platform admin)."""
    if not platform_admin():
        raise NotFound("page not found")
    return worker_log(account_id)
