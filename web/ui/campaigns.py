"""Campaigns: create and edit (message, link, QR-code URL, target tags) with the recipient count."""
from __future__ import annotations

from uuid import UUID

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from web.ui.auth import field_errors, form_failed
from web.ui.session import account_page
from web.ui.threads import ext
from zapfleet.errors import InvalidInput, ZapfleetError

bp = Blueprint("ui_campaigns", __name__)
BASE = "/a/<uuid:account_id>/campaigns"
STATUS_LABELS = {"draft": _l("Draft"), "scheduled": _l("Scheduled"), "running": _l("Sending"),
                 "paused": _l("Paused"), "completed": _l("Completed"), "cancelled": _l("Cancelled")}
FIELDS = ("name", "message", "link", "qr_code_url")


def posted_campaign() -> dict:
    """The campaign form's fields as the AccountManager takes them."""
    data = {name: request.form.get(name, "") for name in FIELDS}
    return {**data, "target_tags": request.form.getlist("target_tags")}


def editor_context(account_id: UUID, campaign: dict | None, data: dict | None = None) -> dict:
    """The form's values (typed, else saved), the account's tags and the recipients they select."""
    values = data or campaign or {"target_tags": []}
    return {"campaign": campaign, "values": values, "tags": ext("accounts").list_tags(account_id),
            "recipients": _recipients(account_id, values.get("target_tags") or []),
            "field_errors": {}}


def _recipients(account_id: UUID, tags: list[str]) -> int | None:
    try:
        return ext("accounts").count_recipients(account_id, tags)
    except InvalidInput:  # a bad tag sent with the form: the form shows that error
        return None


def _campaign_rows(account_id: UUID) -> list[dict]:
    """The account's campaigns, each with how many contacts its tags reach now."""
    rows = ext("accounts").list_campaigns(account_id)
    return [{**row, "recipients": ext("accounts").count_recipients(account_id, row["target_tags"]),
             "status_label": str(STATUS_LABELS.get(row["status"], row["status"]))} for row in rows]


def _failed(account_id: UUID, campaign: dict | None, data: dict, exc: ZapfleetError):
    """The form again, with what was typed and the API's message at its field."""
    context = {**editor_context(account_id, campaign, data), "field_errors": field_errors(exc)}
    return form_failed("ui/campaign_edit.html", exc, **context)


@bp.get(BASE)
@account_page
def campaigns(account_id):
    """Every campaign of the account, newest first."""
    return render_template("ui/campaigns.html", campaigns=_campaign_rows(account_id))


@bp.route(BASE + "/new", methods=["GET", "POST"])
@account_page
def new(account_id):
    """The form for a new campaign; saved as a draft."""
    if request.method == "GET":
        return render_template("ui/campaign_edit.html", **editor_context(account_id, None))
    data = posted_campaign()
    try:
        campaign = ext("accounts").create_campaign(account_id, data)
    except ZapfleetError as exc:
        return _failed(account_id, None, data, exc)
    flash(_("The campaign %(name)s was saved as a draft.", name=campaign["name"]), "success")
    return redirect(url_for("ui_campaigns.edit", account_id=account_id, campaign_id=campaign["id"]))


@bp.route(BASE + "/<uuid:campaign_id>", methods=["GET", "POST"])
@account_page
def edit(account_id, campaign_id: UUID):
    """One campaign's form."""
    campaign = ext("accounts").get_campaign(account_id, campaign_id)  # another account's: 404
    if request.method == "GET":
        return render_template("ui/campaign_edit.html", **editor_context(account_id, campaign))
    data = posted_campaign()
    try:
        ext("accounts").update_campaign(account_id, campaign_id, data)
    except ZapfleetError as exc:
        return _failed(account_id, campaign, data, exc)
    flash(_("The campaign was saved."), "success")
    return redirect(url_for("ui_campaigns.edit", account_id=account_id, campaign_id=campaign_id))


@bp.post(BASE + "/<uuid:campaign_id>/delete")
@account_page
def delete(account_id, campaign_id: UUID):
    """Delete a campaign."""
    ext("accounts").delete_campaign(account_id, campaign_id)
    flash(_("The campaign was deleted."), "success")
    return redirect(url_for("ui_campaigns.campaigns", account_id=account_id))


@bp.get(BASE + "/recipients.json")
@account_page
def recipients(account_id):
    """How many contacts these tags reach (?tags=a,b; none: every contact not opted out)."""
    tags = [tag for tag in request.args.get("tags", "").split(",") if tag]
    return {"recipients": ext("accounts").count_recipients(account_id, tags)}
