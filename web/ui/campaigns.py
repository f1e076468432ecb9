"""Campaigns: create and edit (message, other wordings, link, QR-code URL, target tags) with the
recipient count; each campaign's run and progress: campaign_runs.py."""
from __future__ import annotations

from uuid import UUID

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from web.managers import managers
from web.ui.auth import field_errors, form_failed
from web.ui.campaign_runs import STATUS_LABELS, back_to_run, run_context, scheduled_context
from web.ui.local_time import local, posted_moment
from web.ui.session import account_page
from zapfleet.campaigns.definition import EDITABLE_STATUSES
from zapfleet.campaigns.shapes import MAX_VARIANTS
from zapfleet.core.errors import InvalidInput, ZapfleetError

bp = Blueprint("ui_campaigns", __name__)
BASE = "/a/<uuid:account_id>/campaigns"
FIELDS = ("name", "message", "link", "qr_code_url")
PLACEHOLDERS = {"name": _l("the customer’s first name"), "link": _l("the link below"),
                "qr_code_url": _l("the QR code image’s address below")}


def locked(campaign: dict | None) -> bool:
    """True once the campaign has started: then only its name can change."""
    return campaign is not None and campaign["status"] not in EDITABLE_STATUSES


def posted_campaign(campaign: dict | None = None) -> dict:
    """The campaign form's fields as the AccountManager takes them (only the name once it runs)."""
    if locked(campaign):
        return {"name": request.form.get("name", "")}
    data = {name: request.form.get(name, "") for name in FIELDS}
    variants = [text.strip() for text in request.form.getlist("variants") if text.strip()]
    return {**data, "variants": variants, "target_tags": request.form.getlist("target_tags")}


def editor_context(account_id: UUID, campaign: dict | None, data: dict | None = None) -> dict:
    """The form's values (typed, else saved), the account's tags and the recipients they select,
    and, for a saved campaign, its run: progress, buttons and recipients."""
    values = {**(campaign or {"target_tags": []}), **(data or {})}
    variants = list(values.get("variants") or [])
    return {"campaign": campaign, "values": values, "tags": managers().contacts.list_tags(account_id),
            "recipients": _recipients(account_id, values.get("target_tags") or []),
            "variants": variants if locked(campaign) else
            variants + [""] * max(1, min(2, MAX_VARIANTS - len(variants))),
            "locked": locked(campaign), "placeholders": PLACEHOLDERS, "field_errors": {},
            **(run_context(account_id, campaign) if campaign else {})}


def _recipients(account_id: UUID, tags: list[str]) -> int | None:
    try:
        return managers().contacts.count_recipients(account_id, tags)
    except InvalidInput:  # a bad tag sent with the form: the form shows that error
        return None


def _campaign_rows(account_id: UUID) -> list[dict]:
    """The account's campaigns: whom each reaches (fixed once started) and how many are done."""
    rows = managers().campaigns.list_campaigns(account_id)
    return [{**row, "recipients": row["counts"]["total"] if row["started_at"] else
             managers().contacts.count_recipients(account_id, row["target_tags"]),
             "done": row["counts"]["total"] - row["counts"]["pending"] - row["counts"]["queued"],
             "status_label": str(STATUS_LABELS.get(row["status"], row["status"]))} for row in rows]


def _failed(account_id: UUID, campaign: dict | None, data: dict, exc: ZapfleetError):
    """The form again, with what was typed and the API's message at its field."""
    context = {**editor_context(account_id, campaign, data), "field_errors": field_errors(exc)}
    return form_failed("ui/campaign_edit.html", exc, **context)


@bp.get(BASE)
@account_page
def campaigns(account_id):
    """Every campaign of the account, newest first."""
    return render_template("ui/campaigns.html", campaigns=_campaign_rows(account_id),
                           **scheduled_context(account_id))


@bp.route(BASE + "/new", methods=["GET", "POST"])
@account_page
def new(account_id):
    """The form for a new campaign; saved as a draft."""
    if request.method == "GET":
        return render_template("ui/campaign_edit.html", **editor_context(account_id, None))
    data = posted_campaign()
    try:
        campaign = managers().campaigns.create_campaign(account_id, data)
    except ZapfleetError as exc:
        return _failed(account_id, None, data, exc)
    flash(_("The campaign %(name)s was saved as a draft.", name=campaign["name"]), "success")
    return redirect(url_for("ui_campaigns.edit", account_id=account_id, campaign_id=campaign["id"]))


@bp.route(BASE + "/<uuid:campaign_id>", methods=["GET", "POST"])
@account_page
def edit(account_id, campaign_id: UUID):
    """One campaign's form."""
    campaign = managers().campaigns.get_campaign(account_id, campaign_id)  # another account's: 404
    if request.method == "GET":
        return render_template("ui/campaign_edit.html", **editor_context(account_id, campaign))
    data = posted_campaign(campaign)
    try:
        managers().campaigns.update_campaign(account_id, campaign_id, data)
    except ZapfleetError as exc:
        return _failed(account_id, campaign, data, exc)
    flash(_("The campaign was saved."), "success")
    return redirect(url_for("ui_campaigns.edit", account_id=account_id, campaign_id=campaign_id))


@bp.post(BASE + "/<uuid:campaign_id>/delete")
@account_page
def delete(account_id, campaign_id: UUID):
    """Delete a campaign."""
    managers().campaigns.delete_campaign(account_id, campaign_id)
    flash(_("The campaign was deleted."), "success")
    return redirect(url_for("ui_campaigns.campaigns", account_id=account_id))


@bp.get(BASE + "/recipients.json")
@account_page
def recipients(account_id):
    """How many contacts these tags reach (?tags=a,b; none: every contact not opted out)."""
    tags = [tag for tag in request.args.get("tags", "").split(",") if tag]
    return {"recipients": managers().contacts.count_recipients(account_id, tags)}


@bp.post(BASE + "/<uuid:campaign_id>/start")
@account_page
def start(account_id, campaign_id: UUID):
    """Start now, or at the chosen date and time (in the account's time zone)."""
    campaign = managers().campaigns.get_campaign(account_id, campaign_id)  # another account's: 404
    try:
        send_at = posted_moment(request.form.get("send_at", ""), "send_at")
        campaign = managers().campaign_runs.start_campaign(account_id, campaign_id, {"send_at": send_at})
    except ZapfleetError as exc:
        return _failed(account_id, campaign, {}, exc)
    if campaign["status"] == "scheduled":
        flash(_("The campaign will start on %(when)s.", when=local(campaign["send_at"])), "success")
    else:
        flash(_("The campaign started: its messages leave one by one."), "success")
    return back_to_run(account_id, campaign_id)
