"""Sign-up confirmed by e-mail (SMTP_URL set): the answer never tells whether an address has an
account; the address gets the link (or a note that it has one); the link's page asks for the
password chosen at sign-up. The e-mail goes through a real SMTP server (aiosmtpd)."""
from __future__ import annotations

import re
import threading
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from tests.support.clients import ADMIN_KEY, bearer, csrf_token, english_client
from tests.support.http import free_port
from zapfleet.assembly import mailer

PASSWORD = "correct horse battery"


class Inbox:
    """An SMTP server on this machine that keeps what it receives."""

    def __init__(self):
        self.messages: list = []
        self.received = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.received.set()
        return "250 OK"

    def last(self, to: str):
        [message] = [m for m in self.messages if m["To"] == to][-1:]
        return message

    def link(self, to: str) -> str:
        return re.search(r"(http\S+/signup/confirm/\S+)", self.last(to).get_content()).group(1)


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


@pytest.fixture
def config(config, inbox):
    _, port = inbox
    return config.with_overrides(smtp_url=f"smtp://127.0.0.1:{port}",
                                 mail_from="zapfleet <no-reply@example.com>",
                                 public_url="https://zap.example.com")


def _sign_up(client, email: str, name: str = "Salão Bela"):
    return client.post("/api/register", json={"name": name, "email": email, "password": PASSWORD})


def _existing(managers, email: str) -> None:
    managers.accounts.register_customer({"name": "Oficina", "email": email, "password": PASSWORD})


def test_signing_up_never_tells_whether_the_address_has_an_account(client, inbox, managers):
    mail, _ = inbox
    _existing(managers, "dono@example.com")
    first = _sign_up(client, "nova@example.com")
    again = _sign_up(client, "dono@example.com")
    assert first.status_code == again.status_code == 202
    assert first.get_json() == again.get_json()
    assert "Confirme seu cadastro" in mail.last("nova@example.com")["Subject"]
    assert "já tem uma conta" in mail.last("dono@example.com")["Subject"]
    assert mail.link("nova@example.com").startswith("https://zap.example.com/signup/confirm/")


def test_the_link_with_the_password_creates_the_account_once(client, inbox, app):
    mail, _ = inbox
    _sign_up(client, "nova@example.com", "Clínica Sorriso")
    path = mail.link("nova@example.com").removeprefix("https://zap.example.com")
    browser = english_client(app)
    page = browser.get(path)
    assert page.status_code == 200 and "password" in page.get_data(as_text=True)
    wrong = browser.post(path, data={"password": "somebody else's", "csrf_token": csrf_token(browser, path)})
    assert wrong.status_code == 409
    done = browser.post(path, data={"password": PASSWORD, "csrf_token": csrf_token(browser, path)})
    assert done.status_code == 302  # signed in, on the account's pages
    accounts = client.get("/api/accounts", headers=bearer(ADMIN_KEY)).get_json()["items"]
    assert [a["name"] for a in accounts] == ["Clínica Sorriso"]
    assert browser.get(path).status_code == 404  # used


def test_the_sign_up_page_says_check_your_e_mail(app, inbox):
    mail, _ = inbox
    browser = english_client(app)
    page = browser.post("/signup", data={"name": "Loja", "email": "loja@example.com", "password": PASSWORD,
                                         "csrf_token": csrf_token(browser, "/signup")})
    assert page.status_code == 200 and "check your e-mail" in page.get_data(as_text=True).lower()
    assert mail.last("loja@example.com") is not None


def test_an_unreachable_mail_server_is_a_503_for_every_address(client, managers):
    _existing(managers, "dono@example.com")
    managers.signups.mailer.port = free_port()  # nothing listens there
    assert _sign_up(client, "nova@example.com").status_code == 503
    assert _sign_up(client, "dono@example.com").status_code == 503


def test_smtp_without_public_url_is_refused_at_start(config):
    """Links built from the request's Host header would let a caller point them elsewhere."""
    with pytest.raises(ValueError, match="SMTP_URL needs PUBLIC_URL"):
        mailer(config.with_overrides(public_url=""))
