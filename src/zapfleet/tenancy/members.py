"""An account's members and roles: invitations by e-mail (a link valid for 7 days, used once, of
which only the token's hash is stored), role changes and removals. An account always keeps at
least one admin."""
from __future__ import annotations

import hashlib
import logging
import secrets
import smtplib
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from zapfleet.core import validation
from zapfleet.core.clock import utcnow
from zapfleet.core.errors import Conflict, NotFound, Unavailable, found, message_id
from zapfleet.core.mail import Mailer
from zapfleet.core.shapes import parse
from zapfleet.core.unique import unique_violation
from zapfleet.db import Database
from zapfleet.db import identity as identity_sql
from zapfleet.db import members as sql
from zapfleet.tenancy.identity import Identity
from zapfleet.tenancy.member_shapes import AcceptanceIn, InvitationIn, RoleChange

LINK_VALID = timedelta(days=7)
log = logging.getLogger("zapfleet.members")

INVITE_SUBJECT = "Convite para a equipe de {account} no zapfleet"
INVITE_BODY = """Olá!

Você foi convidado(a) para a equipe de "{account}" no zapfleet, como {role}.
Para aceitar, abra o link abaixo e escolha seu nome e sua senha (o link vale por 7 dias):

{link}

Se você não esperava este convite, ignore esta mensagem.
"""
ROLE_WORDS = {"admin": "administrador(a)", "agent": "atendente"}
LAST_ADMIN = message_id("the account needs at least one admin: make another member admin first")
GONE = message_id("this invitation is not valid any more: ask for a new one")


def token_hash(token: str) -> str:
    """What is stored of an invitation link's token."""
    return hashlib.sha256(token.encode()).hexdigest()


class Members:
    """An account's people: members, their roles and the invitations that bring new ones."""

    def __init__(self, db: Database, identity: Identity, mailer: Mailer | None = None,
                 clock: Callable[[], datetime] = utcnow):
        self.db, self.identity, self.mailer, self.clock = db, identity, mailer, clock

    @property
    def by_email(self) -> bool:
        """Whether invitations are sent by e-mail (SMTP_URL is set)."""
        return self.mailer is not None

    def list_members(self, account_id: UUID) -> list[dict]:
        """The account's members, oldest first."""
        with self.db.tenant(account_id) as conn:
            return sql.list_members(conn, account_id)

    def list_invitations(self, account_id: UUID) -> list[dict]:
        """The account's invitations not accepted yet, newest first."""
        with self.db.tenant(account_id) as conn:
            return sql.list_pending(conn, account_id)

    def invite(self, account_id: UUID, data: Mapping[str, Any], invited_by: UUID | None,
               link: Callable[[str], str], account_name: str = "") -> dict:
        """Invite someone (an open invitation of the same address is replaced); the invitation
        with `emailed` and, when it was not e-mailed, its `link`."""
        invitation = parse(InvitationIn, data)
        with self.db.system() as conn:
            if identity_sql.get_user_by_email(conn, invitation.email) is not None:
                raise Conflict("%(email)s already has a zapfleet account", email=invitation.email)
        token = secrets.token_urlsafe(32)
        with self.db.tenant(account_id) as conn:
            sql.drop_pending(conn, account_id, invitation.email)
            row = sql.insert_invitation(conn, account_id, invitation.email, invitation.role,
                                        token_hash(token), invited_by, self.clock() + LINK_VALID)
        return self._deliver(row, link(token), account_name)

    def renew_link(self, account_id: UUID, invitation_id: UUID, link: Callable[[str], str],
                   account_name: str = "") -> dict:
        """A new link (valid 7 days from now) for an open invitation; the old one stops working."""
        with self.db.tenant(account_id) as conn:
            old = next((row for row in sql.list_pending(conn, account_id)
                        if row["id"] == invitation_id), None)
            if old is None:
                raise NotFound("no such %(what)s", what="invitation")
            sql.delete_invitation(conn, account_id, invitation_id)
            token = secrets.token_urlsafe(32)
            row = sql.insert_invitation(conn, account_id, old["email"], old["role"], token_hash(token),
                                        old["invited_by"], self.clock() + LINK_VALID)
        return self._deliver(row, link(token), account_name)

    def revoke_invitation(self, account_id: UUID, invitation_id: UUID) -> None:
        """Revoke an open invitation: its link stops working."""
        with self.db.tenant(account_id) as conn:
            if not sql.delete_invitation(conn, account_id, invitation_id):
                raise NotFound("no such %(what)s", what="invitation")

    def check(self, token: str) -> dict:
        """The open invitation of this link ({email, role, account_name, …}); NotFound when it is
        unknown, used, revoked or expired."""
        with self.db.system() as conn:
            invitation = sql.open_invitation(conn, token_hash(token), self.clock())
        if invitation is None:
            raise NotFound(GONE)
        return invitation

    def accept(self, token: str, data: Mapping[str, Any]) -> dict:
        """Accept an invitation: the new user (with the invitation's role), who may sign in at
        once. NotFound for a link that is unknown, used, revoked or expired."""
        acceptance = parse(AcceptanceIn, data)
        with self.db.system() as conn:
            invitation = sql.open_invitation(conn, token_hash(token), self.clock())
            if invitation is None:
                raise NotFound(GONE)
            password = validation.password(acceptance.password, hints=(invitation["email"],))
            with unique_violation(Conflict, message_id("%(email)s already has a zapfleet account"),
                                  email=invitation["email"]):
                member = sql.insert_member(conn, invitation["account_id"], invitation["email"],
                                           acceptance.name, self.identity.hasher.hash(password),
                                           invitation["role"])
            sql.mark_accepted(conn, invitation["id"], self.clock())
        return member

    def change_role(self, account_id: UUID, user_id: UUID, data: Mapping[str, Any]) -> dict:
        """Make a member admin or agent; Conflict when it would leave the account without an admin."""
        with self.db.tenant(account_id) as conn:
            admins = sql.lock_admins(conn, account_id)
            if sql.get_member(conn, account_id, user_id) is None:
                raise NotFound("no such %(what)s", what="member")
            role = parse(RoleChange, data).role
            if role != "admin" and admins == [user_id]:
                raise Conflict(LAST_ADMIN)
            member = found(sql.set_role(conn, account_id, user_id, role), "member")
        self.identity.verified_keys.forget_user(user_id)
        return member

    def remove(self, account_id: UUID, user_id: UUID) -> None:
        """Remove a member (their sessions end and the API keys they made are deleted); Conflict
        for the account's last admin."""
        with self.db.tenant(account_id) as conn:
            admins = sql.lock_admins(conn, account_id)
            if admins == [user_id]:
                raise Conflict(LAST_ADMIN)
            if not sql.delete_member(conn, account_id, user_id):
                raise NotFound("no such %(what)s", what="member")
        self.identity.verified_keys.forget_user(user_id)

    def _deliver(self, row: dict, link: str, account_name: str) -> dict:
        """E-mail the link when SMTP is set (the invitation is withdrawn when that fails); else
        hand the link back."""
        if self.mailer is None:
            return {**row, "emailed": False, "link": link}
        body = INVITE_BODY.format(account=account_name, role=ROLE_WORDS[row["role"]], link=link)
        try:
            self.mailer.send(row["email"], INVITE_SUBJECT.format(account=account_name), body)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("invitation e-mail not sent: %s", type(exc).__name__)
            self.revoke_invitation(row["account_id"], row["id"])
            raise Unavailable("the invitation e-mail could not be sent; try again later") from None
        return {**row, "emailed": True, "link": None}
