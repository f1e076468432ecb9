"""Sign-up confirmed by e-mail (when SMTP_URL is set), so that signing up never tells whether an
address already has an account: the caller always hears "check your e-mail"; the address gets
either the link that creates the account or a note that it has one already. The link's page asks
for the password chosen at sign-up, so that a sign-up made by someone else for this address
(with their password) cannot become an account its owner would use."""
from __future__ import annotations

import hashlib
import logging
import secrets
import smtplib
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from zapfleet.core.clock import utcnow
from zapfleet.core.errors import Conflict, NotFound, Unavailable, message_id
from zapfleet.core.mail import Mailer
from zapfleet.core.security import verify_password
from zapfleet.core.shapes import parse
from zapfleet.core.unique import unique_violation
from zapfleet.db import Database
from zapfleet.db import identity as identity_sql
from zapfleet.db import signups as sql
from zapfleet.tenancy.accounts import AccountManager
from zapfleet.tenancy.identity import Identity
from zapfleet.tenancy.shapes import RegistrationIn

LINK_VALID = timedelta(hours=24)
log = logging.getLogger("zapfleet.signups")

CONFIRM_SUBJECT = "Confirme seu cadastro no zapfleet"
CONFIRM_BODY = """Olá!

Recebemos um cadastro de "{name}" com este e-mail. Para criar a conta, abra o link abaixo e
digite a senha escolhida no cadastro (o link vale por 24 horas):

{link}

Se não foi você, ignore esta mensagem: nada será criado.
"""
KNOWN_SUBJECT = "Você já tem uma conta no zapfleet"
KNOWN_BODY = """Olá!

Alguém tentou criar uma conta no zapfleet com este e-mail, mas ele já tem uma conta.
Para entrar, use a página de login: {login}

Se não foi você, ignore esta mensagem.
"""


def token_hash(token: str) -> str:
    """What is stored of a link's token."""
    return hashlib.sha256(token.encode()).hexdigest()


class SignUps:
    """Sign-ups that wait for their e-mail link."""

    def __init__(self, db: Database, accounts: AccountManager, identity: Identity,
                 mailer: Mailer | None, region: str = "BR", clock: Callable[[], datetime] = utcnow):
        self.db, self.accounts, self.identity, self.mailer = db, accounts, identity, mailer
        self.region, self.clock = region, clock

    @property
    def by_email(self) -> bool:
        """Whether sign-ups are confirmed by e-mail (SMTP_URL is set)."""
        return self.mailer is not None

    def request(self, data: Mapping[str, Any], link: Callable[[str], str], login_url: str) -> None:
        """Check the sign-up, then write to its address: the link, or that it has an account.
        The caller learns neither (the same answer, the same password hashing)."""
        sign_up = parse(RegistrationIn, data, region=self.region)
        password_hash = self.identity.hasher.hash(sign_up.password)
        token = secrets.token_urlsafe(32)
        with self.db.system() as conn:
            known = identity_sql.get_user_by_email(conn, sign_up.email) is not None
            if not known:
                sql.insert_request(conn, token_hash(token), sign_up.email, sign_up.name, sign_up.phone,
                                   password_hash, self.clock() + LINK_VALID)
        if known:
            self._send(sign_up.email, KNOWN_SUBJECT, KNOWN_BODY.format(login=login_url))
        else:
            self._send(sign_up.email, CONFIRM_SUBJECT, CONFIRM_BODY.format(name=sign_up.name, link=link(token)))

    def check(self, token: str) -> None:
        """NotFound unless this link still waits to be used."""
        with self.db.system() as conn:
            if sql.pending_request(conn, token_hash(token), self.clock()) is None:
                raise NotFound("this link is not valid any more: sign up again")

    def confirm(self, token: str, password: str) -> dict:
        """Create the account and first user of the sign-up this link and password confirm;
        {"account", "user"}. NotFound for a link that is unknown, used or expired."""
        with self.db.system() as conn:
            request = sql.pending_request(conn, token_hash(token), self.clock())
            if request is None:
                raise NotFound("this link is not valid any more: sign up again")
            if not verify_password(self.identity.hasher, request["password_hash"], password):
                raise Conflict("this is not the password chosen at sign-up")
            sql.mark_used(conn, request["id"], self.clock())
        return self._create(request)

    def _create(self, request: dict) -> dict:
        """The account and its first user, with the password hashed at sign-up."""
        account = self.accounts.create_account({"name": request["name"], "phone": request["phone"]})
        try:
            with unique_violation(Conflict, message_id("this e-mail has an account already: sign in")):
                with self.db.system() as conn:
                    user = identity_sql.insert_user(conn, account["id"], request["email"],
                                                    request["password_hash"], "member")
        except Conflict:
            self.accounts.delete_account(account["id"])
            raise
        return {"account": account, "user": user}

    def _send(self, to: str, subject: str, body: str) -> None:
        assert self.mailer is not None
        try:
            self.mailer.send(to, subject, body)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("sign-up e-mail not sent: %s", type(exc).__name__)
            raise Unavailable("the confirmation e-mail could not be sent; try again later") from None

    def forget_expired(self) -> None:
        """Delete sign-ups whose link expired a day ago or more (a dispatcher task)."""
        with self.db.system() as conn:
            sql.forget_old(conn, self.clock() - timedelta(days=1))
