"""Rate limits: sign-ups and sign-ins per address, sends per account, answered 429 with
Retry-After in the one error shape."""
from __future__ import annotations

import pytest

from tests.support.clients import PASSWORD, csrf_token, english_client
from web import create_app


@pytest.fixture
def limited(config, clean_db, identity):
    """An app whose limits are low enough to reach in a test."""
    limits = config.with_overrides(rate_limits=True, signup_rate_limit="2 per hour",
                                   login_rate_limit="3 per minute", send_rate_limit="2 per minute")
    return english_client(create_app(limits, db=clean_db, identity=identity))


def _sign_up(client, n, address="203.0.113.9"):
    return client.post("/api/register", environ_base={"REMOTE_ADDR": address}, json={
        "name": f"Loja {n}", "email": f"loja{n}@example.com", "password": PASSWORD})


def test_sign_ups_are_limited_per_address(limited):
    assert [_sign_up(limited, n).status_code for n in range(3)] == [201, 201, 429]
    refused = _sign_up(limited, 3)
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) > 0
    assert _sign_up(limited, 4, address="198.51.100.7").status_code == 201


def test_sends_are_limited_per_account(limited):
    tenants = [_sign_up(limited, n, address=f"198.51.100.{n}").get_json() for n in range(2)]
    headers = [{"Authorization": f"Bearer {t['api_key']['key']}"} for t in tenants]
    url = "/api/accounts/{}/send"
    body = {"phone": "5511988887777", "message": "Oi"}
    first = [limited.post(url.format(tenants[0]["account"]["id"]), headers=headers[0], json=body).status_code
             for _ in range(3)]
    assert 429 not in first[:2] and first[2] == 429
    other = limited.post(url.format(tenants[1]["account"]["id"]), headers=headers[1], json=body)
    assert other.status_code != 429


def test_sign_ins_are_limited_per_address(limited):
    token = csrf_token(limited, "/login")
    answers = [limited.post("/login", environ_base={"REMOTE_ADDR": "203.0.113.5"}, data={
        "email": "x@example.com", "password": "wrong password!!", "csrf_token": token}).status_code
        for _ in range(4)]
    assert answers == [401, 401, 401, 429]


def test_calls_without_the_key_do_not_use_up_an_accounts_sends(limited):
    tenant = _sign_up(limited, 9).get_json()
    url = f"/api/accounts/{tenant['account']['id']}/send"
    body = {"phone": "5511988887777", "message": "Oi"}
    strangers = [limited.post(url, headers={"Authorization": "Bearer zf_nope"}, json=body).status_code
                 for _ in range(3)]
    assert 429 not in strangers
    owner = limited.post(url, headers={"Authorization": f"Bearer {tenant['api_key']['key']}"}, json=body)
    assert owner.status_code in (201, 202)
