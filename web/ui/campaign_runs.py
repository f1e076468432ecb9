"""A campaign's run on its page: start (now or at a time), pause, resume, cancel, the progress bar
that the page polls, the recipients table; and the messages scheduled for later, with cancel."""
from __future__ import annotations

from uuid import UUID

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from web.managers import managers
from web.ui.auth import error_text
from web.ui.local_time import account_settings, local
from web.ui.session import account_page
from zapfleet.core.errors import ZapfleetError

bp = Blueprint("ui_campaign_runs", __name__)
ONE = "/a/<uuid:account_id>/campaigns/<uuid:campaign_id>"
RECIPIENTS_PER_PAGE = 50
SCHEDULED_PER_PAGE = 50
STATUS_LABELS = {"draft": _l("Draft"), "scheduled": _l("Scheduled"), "running": _l("Sending"),
                 "paused": _l("Paused"), "completed": _l("Completed"), "cancelled": _l("Cancelled")}
RECIPIENT_LABELS = {"pending": _l("Waiting"), "queued": _l("Being sent"), "sent": _l("Sent"),
                    "delivered": _l("Delivered"), "read": _l("Read"), "failed": _l("Failed"),
                    "skipped": _l("Skipped"), "cancelled": _l("Not sent")}
COUNTED = ("pending", "sent", "delivered", "read", "failed", "skipped")
NUMBER_STATES = {"no_instance": _l("not connected yet"), "waiting_qr": _l("waiting for the QR scan"),
                 "stopped": _l("stopped"), "disconnected": _l("disconnected"),
                 "logged_out": _l("logged out"), "error": _l("error")}


def _waiting_text(progress: dict, campaign: dict) -> str:
    """What the sending does or waits for, in plain words."""
    status, waiting = progress["status"], progress["waiting"]
    if status == "scheduled":
        return _("Starts by itself on %(when)s.", when=local(campaign["send_at"]))
    if status != "running":
        return {"draft": _("Not started yet."), "paused": _("Paused: press Resume to go on."),
                "completed": _("Finished: every recipient was handled."),
                "cancelled": _("Cancelled: the recipients still waiting were not messaged.")
                }.get(status, "")
    if waiting is None:
        return _("Sending.")
    until, reason = local(waiting["until"], "%H:%M"), waiting["reason"]
    if reason == "not_connected":
        state = NUMBER_STATES.get(waiting["number_status"], waiting["number_status"])
        return _("Waiting for your WhatsApp to be connected (now: %(state)s).", state=state)
    if reason == "window":
        pacing = account_settings()["pacing"]
        return _("Outside the sending hours (%(start)s to %(end)s): it goes on at %(until)s.",
                 start=pacing["window_start"], end=pacing["window_end"], until=until)
    if reason == "daily_cap":
        return _("Today’s limit of %(cap)s messages was reached: it goes on tomorrow at %(until)s.",
                 cap=progress["daily_cap"], until=until)
    return _("Pausing between two messages, as a person would (next at %(until)s).", until=until)


def progress_view(account_id: UUID, campaign: dict) -> dict:
    """The progress bar's figures and words (also the page's .json)."""
    progress = managers().campaign_runs.campaign_progress(account_id, campaign["id"])
    counts = progress["counts"]
    total = counts["total"]
    waiting = counts["pending"] + counts["queued"]
    return {"status": progress["status"], "status_label": str(STATUS_LABELS[progress["status"]]),
            "total": total, "done": total - waiting,
            "percent": round(100 * (total - waiting) / total) if total else 0,
            "counts": {**{name: counts[name] for name in COUNTED}, "pending": waiting},
            "waiting": _waiting_text(progress, campaign), "daily_cap": progress["daily_cap"],
            "sent_today": progress["sent_today"],
            "live": progress["status"] in ("scheduled", "running", "paused")}


def recipients_page(account_id: UUID, campaign: dict) -> dict:
    """A page of the recipients (?status=&cursor=), once the campaign has started."""
    status = request.args.get("status") or None
    if status not in RECIPIENT_LABELS:
        status = None
    if not campaign["started_at"]:
        return {"items": [], "next_cursor": None, "status": status}
    page = managers().campaign_runs.list_recipients(account_id, campaign["id"], status,
                                           RECIPIENTS_PER_PAGE, request.args.get("cursor"))
    return {**page, "status": status, "paged": bool(request.args.get("cursor"))}


def run_context(account_id: UUID, campaign: dict) -> dict:
    """What the campaign's page shows of its run."""
    return {"progress": progress_view(account_id, campaign), "counted": COUNTED,
            "recipient_labels": RECIPIENT_LABELS,
            "recipients_page": recipients_page(account_id, campaign)}


def scheduled_context(account_id: UUID) -> dict:
    """The messages waiting for their send_at, soonest first."""
    return {"scheduled": managers().outbox.list_scheduled(account_id, SCHEDULED_PER_PAGE,
                                                      request.args.get("scheduled_cursor"))}


def back_to_run(account_id: UUID, campaign_id: UUID):
    return redirect(url_for("ui_campaigns.edit", account_id=account_id, campaign_id=campaign_id,
                            _anchor="run"))


@bp.post(ONE + "/<any(pause, resume, cancel):action>")
@account_page
def act(account_id, campaign_id: UUID, action: str):
    """Pause, resume or cancel the campaign."""
    try:
        getattr(managers().campaign_runs, f"{action}_campaign")(account_id, campaign_id)
    except ZapfleetError as exc:
        if exc.code == "not_found":
            raise
        flash(error_text(exc), "error")
        return back_to_run(account_id, campaign_id)
    flash({"pause": _("The campaign is paused."), "resume": _("The campaign goes on sending."),
           "cancel": _("The campaign was cancelled.")}[action], "success")
    return back_to_run(account_id, campaign_id)


@bp.get(ONE + "/progress.json")
@account_page
def progress(account_id, campaign_id: UUID):
    """What the progress bar polls."""
    return progress_view(account_id, managers().campaigns.get_campaign(account_id, campaign_id))


@bp.post("/a/<uuid:account_id>/scheduled/<uuid:message_id>/cancel")
@account_page
def cancel_scheduled(account_id, message_id: UUID):
    """Cancel a message scheduled for later, before it leaves."""
    try:
        managers().outbox.cancel_scheduled(account_id, message_id)
    except ZapfleetError as exc:
        if exc.code == "not_found":
            raise
        flash(error_text(exc), "error")
    else:
        flash(_("The scheduled message was cancelled."), "success")
    return redirect(url_for("ui_campaigns.campaigns", account_id=account_id, _anchor="scheduled"))

