"""The account's team page (admins only: web/roles.py) and the public page that accepts an
invitation."""
from __future__ import annotations

from uuid import UUID

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from web.links import invitation_link
from web.managers import managers
from web.ui.auth import form_failed, home_url
from web.ui.messages import field_errors
from web.ui.session import account_page, current_user, sign_in
from zapfleet.core.errors import ZapfleetError

bp = Blueprint("ui_team", __name__)
BASE = "/a/<uuid:account_id>/team"
WORDS = (_l("member"), _l("invitation"))
"""The things zapfleet.tenancy.members names in its messages ("no such member"), translated too."""


def _me() -> UUID:
    """The signed-in member's id (account_page let them in)."""
    user = current_user()
    assert user is not None
    return user["id"]


def _page(account_id: UUID, exc: ZapfleetError | None = None, **extra):
    """The team page; with an error, the invite form comes back with what was typed."""
    context = {"members": managers().members.list_members(account_id),
               "invitations": managers().members.list_invitations(account_id),
               "by_email": managers().members.by_email, "me": _me(),
               "field_errors": {}, **extra}
    if exc is None:
        return render_template("ui/team.html", form={}, **context)
    return form_failed("ui/team.html", exc, **{**context, "field_errors": field_errors(exc)})


def _back(account_id: UUID):
    return redirect(url_for("ui_team.team", account_id=account_id))


@bp.get(BASE)
@account_page
def team(account_id):
    """The members, the open invitations and the invite form."""
    return _page(account_id)


@bp.post(BASE + "/invite")
@account_page
def invite(account_id):
    """Invite someone; without SMTP the link is shown here, once."""
    data = {"email": request.form.get("email", ""), "role": request.form.get("role", "agent")}
    try:
        invitation = managers().members.invite(account_id, data, _me(),
                                               invitation_link, g.account["name"])
    except ZapfleetError as exc:
        return _page(account_id, exc)
    if invitation["emailed"]:
        flash(_("The invitation was sent to %(email)s.", email=invitation["email"]), "success")
        return _back(account_id)
    return _page(account_id, new_invitation=invitation)


@bp.post(BASE + "/invitations/<uuid:invitation_id>/renew")
@account_page
def renew(account_id, invitation_id: UUID):
    """A new link for an open invitation (the old one stops working)."""
    invitation = managers().members.renew_link(account_id, invitation_id, invitation_link,
                                               g.account["name"])
    if invitation["emailed"]:
        flash(_("The invitation was sent to %(email)s.", email=invitation["email"]), "success")
        return _back(account_id)
    return _page(account_id, new_invitation=invitation)


@bp.post(BASE + "/invitations/<uuid:invitation_id>/revoke")
@account_page
def revoke(account_id, invitation_id: UUID):
    """Revoke an open invitation."""
    managers().members.revoke_invitation(account_id, invitation_id)
    flash(_("The invitation was revoked: its link no longer works."), "success")
    return _back(account_id)


@bp.post(BASE + "/<uuid:user_id>/role")
@account_page
def change_role(account_id, user_id: UUID):
    """Make a member admin or agent."""
    try:
        member = managers().members.change_role(account_id, user_id,
                                                {"role": request.form.get("role", "")})
    except ZapfleetError as exc:
        return _page(account_id, exc)
    flash(_("%(email)s is now %(role)s.", email=member["email"],
            role=_("admin") if member["role"] == "admin" else _("agent")), "success")
    if user_id == _me() and member["role"] == "agent":
        return redirect(url_for("ui_inbox.inbox", account_id=account_id))  # an agent's landing
    return _back(account_id)


@bp.post(BASE + "/<uuid:user_id>/remove")
@account_page
def remove(account_id, user_id: UUID):
    """Remove a member from the account."""
    try:
        managers().members.remove(account_id, user_id)
    except ZapfleetError as exc:
        return _page(account_id, exc)
    if user_id == _me():
        return redirect(url_for("ui_auth.login"))
    flash(_("The member was removed."), "success")
    return _back(account_id)


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept(token: str):
    """An invitation's link: choose a name and a password, then land signed in."""
    try:
        invitation = managers().members.check(token)
    except ZapfleetError as exc:  # unknown, used, revoked or expired: 404 with the reason
        return form_failed("ui/invitation.html", exc, invitation=None, field_errors={})
    if request.method == "GET":
        return render_template("ui/invitation.html", invitation=invitation, form={}, field_errors={})
    try:
        member = managers().members.accept(token, {"name": request.form.get("name", ""),
                                                   "password": request.form.get("password", "")})
    except ZapfleetError as exc:
        return form_failed("ui/invitation.html", exc, invitation=invitation,
                           field_errors=field_errors(exc))
    sign_in(member)
    flash(_("Welcome to the team of %(account)s!", account=invitation["account_name"]), "success")
    return redirect(home_url())
