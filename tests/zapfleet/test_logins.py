"""Sign-in limits: every attempt is counted before its password is checked, so parallel attempts
cannot slip past the limit."""
from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from tests.support.clients import PASSWORD
from tests.support.clock import Clock
from zapfleet.core.errors import InvalidInput, TooManyRequests
from zapfleet.tenancy.logins import LoginGuard


class CountingIdentity:
    """The real identity manager, counting how many passwords it was asked to check."""

    def __init__(self, identity):
        self.identity, self.checks, self.lock = identity, 0, threading.Lock()

    def authenticate(self, email, password):
        with self.lock:
            self.checks += 1
        return self.identity.authenticate(email, password)


@pytest.fixture
def member(identity, managers):
    account = managers.accounts.create_account({"name": "Clínica"})
    return identity.create_user("ana@example.com", PASSWORD, account["id"])


def _attempt(guard, password, address="203.0.113.9"):
    try:
        return guard.sign_in("ana@example.com", password, address)
    except TooManyRequests:
        return "limited"


def test_forty_parallel_wrong_passwords_check_at_most_five(clean_db, identity, member):
    counting = CountingIdentity(identity)
    guard = LoginGuard(clean_db, counting, per_email=5)
    threads = [threading.Thread(target=_attempt, args=(guard, "wrong password!!")) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counting.checks == 5
    assert _attempt(guard, PASSWORD) == "limited"  # the right one too, while the limit holds


def test_a_good_sign_in_clears_the_email_and_the_limit_ends_with_its_window(clean_db, identity, member):
    clock = Clock(datetime.now(UTC))
    guard = LoginGuard(clean_db, identity, per_email=3, clock=clock)
    assert _attempt(guard, "wrong password!!") is None
    assert _attempt(guard, PASSWORD)["email"] == "ana@example.com"
    for _ in range(3):
        assert _attempt(guard, "wrong password!!") is None
    assert _attempt(guard, PASSWORD) == "limited"
    assert _attempt(guard, PASSWORD, address="198.51.100.7") == "limited"  # per e-mail, from anywhere
    clock.advance(minutes=16)
    assert _attempt(guard, PASSWORD)["email"] == "ana@example.com"


def test_one_address_trying_many_emails_is_limited(clean_db, identity, member):
    guard = LoginGuard(clean_db, identity, per_email=5, per_address=4)
    for n in range(4):
        assert guard.sign_in(f"guess{n}@example.com", "wrong password!!", "203.0.113.9") is None
    assert _attempt(guard, PASSWORD) == "limited"
    assert _attempt(guard, PASSWORD, address="198.51.100.7")["email"] == "ana@example.com"


@pytest.mark.parametrize(("password", "message"), [
    ("password", "must be 10 to 200 characters"), ("12345678", "must be 10 to 200 characters"),
    (" " * 12, "must not be blank or contain control characters"),
    ("\x00" * 12, "must not be blank or contain control characters"),
    ("1234567890", "is too easy to guess"), ("qwertyuiop", "is too easy to guess"),
    ("ana@example.com1", "is too easy to guess"),
])
def test_weak_passwords_are_refused(identity, password, message):
    with pytest.raises(InvalidInput) as err:
        identity.create_user("ana@example.com", password, None)
    assert err.value.field == "password" and err.value.detail.startswith(message)
