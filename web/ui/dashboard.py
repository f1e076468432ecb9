"""The owner's dashboard: every account, its WhatsApp worker and its status.

It reads only the instances rows (the observed status and QR the workers report) and makes at
most one supervisord call; it never asks a worker anything, so it stays fast with 100 accounts."""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from uuid import UUID

import segno
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as WerkzeugResponse

from web.managers import managers
from web.ui.auth import error_text, form_failed
from web.ui.charts import metric_charts
from web.ui.formats import moment_text
from web.ui.session import admin_required
from web.ui.threads import phone_label
from zapfleet.core.errors import ZapfleetError
from zapfleet.fleet.overview import account_zone

bp = Blueprint("ui_dashboard", __name__)

BADGES = {
    "none": _l("No WhatsApp yet"), "stopped": _l("Stopped"), "starting": _l("Starting"),
    "connecting": _l("Connecting"), "waiting_qr": _l("Waiting for QR scan"),
    "connected": _l("Connected"), "disconnected": _l("Disconnected"),
    "logged_out": _l("Logged out"), "error": _l("Error"), "banned": _l("Temporarily banned"),
}
WITH_REASON = ("error", "disconnected", "logged_out", "banned")
SUMMARY_WORDS = {  # (one, other): the word after each count at the top of the page
    "accounts": (_l("account"), _l("accounts")),
    "connected": (_l("account connected"), _l("accounts connected")),
    "waiting_qr": (_l("account waiting for a QR scan"), _l("accounts waiting for a QR scan")),
    "workers_running": (_l("WhatsApp worker running"), _l("WhatsApp workers running")),
    "messages_today": (_l("message today"), _l("messages today")),
}
ACTIONS = ("connect", "reconnect", "start", "stop", "restart", "logout", "delete",
           "delete-account")


@lru_cache(maxsize=512)
def qr_data_uri(code: str) -> str:
    """The QR code of this text as an SVG data URI (cached: the same code is polled often)."""
    return segno.make(code, error="m").svg_data_uri(scale=5, border=4)


def when(moment: datetime | None, zone_name: str | None) -> str:
    """A time in the account's own time zone, with the zone's abbreviation."""
    if moment is None:
        return _("never")
    return moment_text(moment, account_zone(zone_name), with_zone=True)


def summary_labels(summary: dict) -> dict[str, str]:
    """The words after the summary's counts, singular for one and plural otherwise."""
    return {key: str(one if summary.get(key) == 1 else other)
            for key, (one, other) in SUMMARY_WORDS.items()}


def actions_for(row: dict) -> list[str]:
    """The buttons that make sense for an account's instance in its current state."""
    if row["instance_id"] is None:
        return ["connect", "delete-account"]
    running, status = row["desired_state"] == "running", row["status"]
    shown = ["stop", "restart"] if running else ["start"]
    shown += ["logout"] if status == "connected" else ["reconnect"]
    return shown + ["delete", "delete-account"]


def last_move(placement: dict | None, zone_name: str | None) -> str | None:
    """The instance's last move, readable (from → to, why, when); None when it never moved."""
    if placement is None or placement["at"] is None:
        return None
    return _("%(from)s → %(to)s: %(reason)s, %(when)s", **{
        "from": placement["from_node"] or "—", "to": placement["to_node"] or "—",
        "reason": placement["reason"], "when": when(placement["at"], zone_name)})


def account_view(row: dict, placement: dict | None = None) -> dict:
    """What the page and its JSON show of one account (placement: its node and last move)."""
    status = row["status"] if row["instance_id"] else "none"
    showing_qr = bool(row["qr_code"]) and status not in ("connected", "stopped")
    sandbox = row["engine"] == "sandbox"
    return {
        "id": str(row["id"]), "name": row["name"], "slug": row["slug"], "status": status,
        "badge": str(BADGES.get(status, status)), "sandbox": sandbox,
        "reason": row["last_error"] if status in WITH_REASON and row["last_error"] else None,
        "phone": phone_label(row["phone"]) or None, "port": row["port"],
        "business_phone": phone_label(row["account_phone"]) or None,
        "node": placement["node_name"] if placement else None,
        "last_move": last_move(placement, row["time_zone"]),
        "last_connected": when(row["last_connected"], row["time_zone"]),
        "messages_today": row["messages_today"], "actions": actions_for(row),
        "qr": {"src": qr_data_uri(row["qr_code"]),
               "link": row["qr_code"] if sandbox else None} if showing_qr else None,
    }


def overview() -> dict:
    """Every account's view and the summary at the top of the page."""
    data, placements = managers().instances.overview(), managers().nodes.placements()
    accounts = [account_view(row, placements.get(row["id"])) for row in data["accounts"]]
    summary = {
        "accounts": len(accounts),
        "connected": sum(1 for a in accounts if a["status"] == "connected"),
        "waiting_qr": sum(1 for a in accounts if a["status"] == "waiting_qr"),
        "workers_running": data["workers_running"],
        "messages_today": sum(a["messages_today"] for a in accounts)}
    return {"accounts": accounts, "summary": summary, "summary_labels": summary_labels(summary)}


@bp.get("/admin")
@admin_required
def dashboard():
    """The page: the summary, the unlinks still to do, the new-account form, every account and
    the platform's figures."""
    return render_template("ui/dashboard.html", form={}, unlinks=managers().instances.unlinks.list(),
                           **overview())


@bp.get("/admin/metrics")
@admin_required
def platform_metrics():
    """The platform's charts and each account's totals: a page of its own, and the part the
    dashboard loads after it shows (so the accounts' list never waits for the counting)."""
    metrics = managers().metrics.for_platform({})
    template = "ui/_platform_metrics.html" if request.args.get("part") else "ui/platform_metrics.html"
    return render_template(template, charts=metric_charts(metrics), account_totals=metrics["accounts"])


@bp.get("/admin/status.json")
@admin_required
def status():
    """What the page polls every second: each account's badge, QR and counts, and the summary."""
    return overview()


@bp.post("/admin/accounts")
@admin_required
def create_account():
    """Create an account from the form (name, optional phone)."""
    data = {"name": request.form.get("name", "").strip()}
    if request.form.get("phone", "").strip():
        data["phone"] = request.form["phone"].strip()
    try:
        account = managers().accounts.create_account(data)
    except ZapfleetError as exc:
        return form_failed("ui/dashboard.html", exc, **overview())
    flash(_("The account %(name)s was created. Connect its WhatsApp below.",
            name=account["name"]), "success")
    return _back(account["id"])


@bp.post("/admin/accounts/<uuid:account_id>/<any(%s):action>" % ", ".join(map(repr, ACTIONS)))
@admin_required
def act(account_id: UUID, action: str):
    """One button of an account's row; its outcome is flashed on the page."""
    account = managers().accounts.get_account(account_id)  # an unknown account: 404
    try:
        message = _run(action, account)
    except ZapfleetError as exc:
        flash(_("%(name)s: %(error)s", name=account["name"], error=error_text(exc)), "error")
        return _back(account_id)
    flash(message, "success")
    return _back(None if action == "delete-account" else account_id)


def _run(action: str, account: dict) -> str:
    """Do one action; the message to show."""
    instances, account_id, name = managers().instances, account["id"], account["name"]
    if action in ("connect", "reconnect"):
        if instances.connect(account_id)["already_connected"]:
            return _("%(name)s is already connected.", name=name)
        return _("Scan the QR code of %(name)s with WhatsApp on the phone.", name=name)
    if action == "delete-account":
        managers().delete_account(account_id)
        return _("The account %(name)s and all its data were deleted.", name=name)
    if action == "delete":
        instances.delete(account_id)
        return _("The WhatsApp instance of %(name)s was deleted.", name=name)
    getattr(instances, action)(account_id)
    return {"start": _("The worker of %(name)s is starting.", name=name),
            "stop": _("The worker of %(name)s was stopped.", name=name),
            "restart": _("The worker of %(name)s is restarting.", name=name),
            "logout": _("The phone of %(name)s was unlinked; a new QR code follows.", name=name),
            }[action]


def _back(account_id: UUID | None) -> WerkzeugResponse:
    """Back to the dashboard, at the account's row when there is one."""
    anchor = f"account-{account_id}" if account_id else None
    return redirect(url_for("ui_dashboard.dashboard", _anchor=anchor))
