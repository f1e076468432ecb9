"""Tenant webhooks: configuration, signatures, retries, and per-account independence."""
from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.clock import Clock
from tests.support.http import Recorder
from zapfleet.core.errors import InvalidInput, NotFound
from zapfleet.messaging.webhooks import MAX_ATTEMPTS, WebhookManager, retry_delay, sign


@pytest.fixture
def clock():
    # a minute ahead of the database, which stamps new rows with its own now()
    return Clock(datetime.now(timezone.utc) + timedelta(minutes=1))


@pytest.fixture
def hooks(clean_db, clock):
    return WebhookManager(clean_db, clock=clock, rng=lambda: 1.0, allow_private=True, timeout=5)


def _account(managers, name="Clínica Sorriso"):
    return managers.accounts.create_account({"name": name})["id"]


def _queue(db, account_id, event="message.received", data=None):
    delivery_id = uuid.uuid4()
    with db.tenant(account_id) as conn:
        queued = WebhookManager.enqueue(conn, account_id, event, data or {"n": 1}, delivery_id)
    return delivery_id, queued


def _deliveries(hooks, account_id):
    return hooks.list_deliveries(account_id)["items"]


def test_signature_is_hmac_sha256_over_timestamp_and_body():
    expected = hmac.new(b"whsec_x", b"1700000000.{}", hashlib.sha256).hexdigest()
    assert sign("whsec_x", "1700000000", b"{}") == "sha256=" + expected


def test_retry_delay_grows_exponentially_with_jitter_and_a_cap():
    assert retry_delay(1, lambda: 0.0) == 5 and retry_delay(1, lambda: 1.0) == 10
    assert retry_delay(3, lambda: 1.0) == 40
    assert retry_delay(30, lambda: 1.0) == 3600 and retry_delay(30, lambda: 0.0) == 1800


def test_configure_returns_the_secret_once_and_get_hides_it(hooks, managers):
    account = _account(managers)
    created = hooks.configure(account, {"url": "https://example.com/hook"})
    assert created["secret"].startswith("whsec_") and created["events"]
    shown = hooks.get(account)
    assert "secret" not in shown and created["secret"].startswith(shown["secret_hint"][:-1])
    changed = hooks.configure(account, {"url": "https://example.com/other", "events": ["qr"]})
    assert "secret" not in changed and changed["events"] == ["qr"]
    rotated = hooks.configure(account, {"url": "https://example.com/other", "rotate_secret": True})
    assert rotated["secret"] != created["secret"]


@pytest.mark.parametrize("data, field", [
    ({}, "url"), ({"url": "ftp://x"}, "url"), ({"url": "https://x", "events": ["nope"]}, "events"),
    ({"url": "https://x", "events": []}, "events"), ({"url": "https://x", "enabled": "yes"}, "enabled"),
])
def test_bad_configuration_names_the_field(hooks, managers, data, field):
    with pytest.raises(InvalidInput) as error:
        hooks.configure(_account(managers), data)
    assert error.value.field == field


def test_only_subscribed_events_of_an_enabled_hook_are_queued(hooks, managers, clean_db):
    account = _account(managers)
    assert _queue(clean_db, account)[1] is False  # no webhook yet
    hooks.configure(account, {"url": "https://example.com/h", "events": ["qr"]})
    assert _queue(clean_db, account, "message.received")[1] is False
    assert _queue(clean_db, account, "qr")[1] is True
    hooks.configure(account, {"url": "https://example.com/h", "events": ["qr"], "enabled": False})
    assert _queue(clean_db, account, "qr")[1] is False


def test_a_replayed_event_is_queued_once(hooks, managers, clean_db):
    account = _account(managers)
    hooks.configure(account, {"url": "https://example.com/h"})
    delivery_id = uuid.uuid4()
    with clean_db.tenant(account) as conn:
        assert WebhookManager.enqueue(conn, account, "qr", {}, delivery_id)
        assert not WebhookManager.enqueue(conn, account, "qr", {}, delivery_id)


def test_delivery_is_signed_and_recorded(hooks, managers, clean_db):
    account = _account(managers)
    with Recorder() as receiver:
        secret = hooks.configure(account, {"url": receiver.url})["secret"]
        delivery_id, _ = _queue(clean_db, account, data={"text": "olá"})
        [leased] = hooks.lease_due(10, [])
        assert hooks.deliver(leased) == "delivered"
    [request] = receiver.requests
    headers = request["headers"]
    assert headers["X-Zapfleet-Delivery"] == str(delivery_id)
    assert headers["X-Zapfleet-Event"] == "message.received"
    assert headers["X-Zapfleet-Signature"] == sign(secret, headers["X-Zapfleet-Timestamp"],
                                                   request["body"])
    assert request["json"]["data"] == {"text": "olá"} and request["json"]["account_id"] == str(account)
    [row] = _deliveries(hooks, account)
    assert row["status"] == "delivered" and row["last_status_code"] == 200 and row["attempts"] == 1


def test_failures_are_retried_with_backoff_then_given_up(hooks, managers, clean_db, clock):
    account = _account(managers)
    with Recorder(status=500) as receiver:
        hooks.configure(account, {"url": receiver.url})
        _queue(clean_db, account)
        [leased] = hooks.lease_due(10, [])
        assert hooks.deliver(leased) == "pending"
        assert hooks.lease_due(10, []) == []  # not due yet
        clock.advance(retry_delay(1, lambda: 1.0))
        for attempt in range(2, MAX_ATTEMPTS + 1):
            [leased] = hooks.lease_due(10, [])
            assert leased["attempts"] == attempt
            hooks.deliver(leased)
            clock.advance(3600)
    [row] = _deliveries(hooks, account)
    assert row["status"] == "failed" and row["last_status_code"] == 500
    assert len(receiver.requests) == MAX_ATTEMPTS


def test_an_unreachable_endpoint_is_retried_later(hooks, managers, clean_db):
    account = _account(managers)
    hooks.configure(account, {"url": "http://127.0.0.1:9/hook"})
    _queue(clean_db, account)
    [leased] = hooks.lease_due(10, [])
    assert hooks.deliver(leased) == "pending"
    [row] = _deliveries(hooks, account)
    assert row["last_status_code"] is None and "could not reach" in row["last_error"]


def test_private_addresses_are_refused_when_saved_and_when_called(clean_db, managers, clock, hooks):
    strict = WebhookManager(clean_db, clock=clock, allow_private=False)
    account = _account(managers)
    with Recorder() as receiver:
        with pytest.raises(InvalidInput) as err:
            strict.configure(account, {"url": receiver.url})
        assert err.value.field == "url" and "loopback address" in err.value.detail
        hooks.configure(account, {"url": receiver.url})  # saved while private targets were allowed
        _queue(clean_db, account)
        [leased] = strict.lease_due(10, [])
        assert strict.deliver(leased) == "pending"
    assert receiver.requests == []
    assert "points to a loopback address" in _deliveries(strict, account)[0]["last_error"]


def test_deliveries_of_one_account_are_never_seen_by_another(hooks, managers, clean_db):
    alpha, beta = _account(managers, "Alpha"), _account(managers, "Beta")
    hooks.configure(alpha, {"url": "https://example.com/a"})
    _queue(clean_db, alpha)
    assert len(_deliveries(hooks, alpha)) == 1 and _deliveries(hooks, beta) == []
    with pytest.raises(NotFound):
        hooks.get(beta)


def test_a_busy_account_is_not_leased_again(hooks, managers, clean_db):
    alpha, beta = _account(managers, "Alpha"), _account(managers, "Beta")
    for account in (alpha, beta):
        hooks.configure(account, {"url": "https://example.com/h"})
        _queue(clean_db, account)
    leased = hooks.lease_due(10, [alpha])
    assert [row["account_id"] for row in leased] == [beta]
