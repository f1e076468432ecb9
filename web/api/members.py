"""An account's members and invitations (account admins only: web/roles.py)."""
from flask import Blueprint

from web.auth import account_scoped, current_principal
from web.jsonio import json_body
from web.links import invitation_link
from web.managers import managers
from web.openapi.declare import shapes
from zapfleet.tenancy.member_shapes import (
    InvitationIn,
    InvitationList,
    Member,
    MemberList,
    NewInvitation,
    RoleChange,
)

bp = Blueprint("members", __name__, url_prefix="/api/accounts/<uuid:account_id>")

LAST_ADMIN_NOTE = " An account keeps at least one admin: 409 for its last one."


def _account_name(account_id) -> str:
    """The account's name, for the invitation e-mail."""
    return managers().accounts.get_account(account_id)["name"]


@bp.get("/members")
@shapes(tag="Members", summary="List members", access="account", responses={200: MemberList},
        description="The account's people with their roles, oldest first.")
@account_scoped
def list_members(account_id):
    """The account's members."""
    return {"items": managers().members.list_members(account_id)}


@bp.post("/members")
@shapes(tag="Members", summary="Invite a member", access="account", body=InvitationIn,
        responses={201: NewInvitation}, errors=(409, 503),
        description="Invites someone by e-mail as admin or agent (default). The link is valid for 7 "
                    "days and works once. With SMTP_URL set it is e-mailed; otherwise it is in this "
                    "answer only, to be given to the person. Inviting an address again replaces its "
                    "open invitation; 409 when the address already has a zapfleet account.")
@account_scoped
def invite(account_id):
    """Invite someone; the link is in the answer when it was not e-mailed."""
    return managers().members.invite(account_id, json_body(), current_principal().user_id,
                                     invitation_link, _account_name(account_id)), 201


@bp.patch("/members/<uuid:user_id>")
@shapes(tag="Members", summary="Change a member's role", access="account", body=RoleChange,
        responses={200: Member}, errors=(409,),
        description="Makes a member admin or agent; it applies to their next request." + LAST_ADMIN_NOTE)
@account_scoped
def change_role(account_id, user_id):
    """Change a member's role."""
    return managers().members.change_role(account_id, user_id, json_body())


@bp.delete("/members/<uuid:user_id>")
@shapes(tag="Members", summary="Remove a member", access="account", responses={204: "The member is gone."},
        errors=(409,), description="Removes a member: their sessions end and the API keys they made "
                                   "are deleted." + LAST_ADMIN_NOTE)
@account_scoped
def remove_member(account_id, user_id):
    """Remove a member."""
    managers().members.remove(account_id, user_id)
    return "", 204


@bp.get("/invitations")
@shapes(tag="Members", summary="List invitations", access="account", responses={200: InvitationList},
        description="The invitations not accepted yet, newest first (expired ones too, until renewed "
                    "or revoked). Their links are never shown again: renew one for a new link.")
@account_scoped
def list_invitations(account_id):
    """The open invitations."""
    return {"items": managers().members.list_invitations(account_id)}


@bp.post("/invitations/<uuid:invitation_id>/renew")
@shapes(tag="Members", summary="Renew an invitation's link", access="account",
        responses={200: NewInvitation}, errors=(503,),
        description="A new link valid for 7 days (the old one stops working), e-mailed with SMTP_URL "
                    "set, else in this answer only.")
@account_scoped
def renew_invitation(account_id, invitation_id):
    """A new link for an open invitation."""
    return managers().members.renew_link(account_id, invitation_id, invitation_link,
                                         _account_name(account_id))


@bp.delete("/invitations/<uuid:invitation_id>")
@shapes(tag="Members", summary="Revoke an invitation", access="account",
        responses={204: "The invitation's link no longer works."},
        description="Revokes an invitation not accepted yet.")
@account_scoped
def revoke_invitation(account_id, invitation_id):
    """Revoke an open invitation."""
    managers().members.revoke_invitation(account_id, invitation_id)
    return "", 204
