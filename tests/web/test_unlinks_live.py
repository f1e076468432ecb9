"""Unlinks that must not be forgotten, end to end: an account on an Evolution server (played by
tests/support/evolution.py) is deleted while that server fails; the unlink is kept, shown to the
admin, and the dispatcher's retry (a real `python -m workers.unlink`) deletes the instance there
once the server is back, leaving another account's instance of the same name alone."""
from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from tests.support.clients import ADMIN_KEY, PASSWORD, signed_in
from tests.support.evolution import FakeEvolution
from tests.support.waiting import wait_until
from tests.web.test_evolution_servers_live import (  # noqa: F401 - live is a fixture
    add_server, connect_on_evolution, live, status)
from zapfleet.core.errors import Conflict

KEY = "evo-" + secrets.token_hex(8)
NAME = "loja-alpha_whatsapp"


@pytest.fixture
def evolution():
    with FakeEvolution(KEY) as server:
        yield server


def _dashboard(live):
    """The owner's browser, signed in (the owner is created by the first call)."""
    try:
        live.app.extensions["zapfleet"].identity.create_user("owner@example.com", PASSWORD, None)
    except Conflict:
        pass
    return signed_in(live.app, "owner@example.com")


def _unlinks(live) -> dict:
    answer = live.call("GET", "/api/unlinks", ADMIN_KEY)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_an_unlink_that_failed_is_kept_shown_and_retried_until_it_happens(evolution, live, worker_config):
    add_server(live, "Evolution API 1", evolution, KEY)
    account, key, instance = connect_on_evolution(live, "Loja Alpha", evolution)
    evolution.scan(NAME, "5511911110000")
    wait_until(lambda: status(live, account, key) == "connected", 20, "linked")

    evolution.failing = True
    assert live.call("DELETE", f"/api/accounts/{account}", ADMIN_KEY).status_code == 204
    assert NAME in evolution.instances  # the phone is still linked there
    [pending] = _unlinks(live)["items"]
    assert (pending["instance_id"], pending["reason"], pending["done_at"]) == (instance["id"], "deleted", None)
    assert "502" in pending["last_error"] or "Bad Gateway" in pending["last_error"]
    kept = Path(worker_config.var_dir) / "unlinks" / pending["id"]
    assert kept.is_dir()  # the session it needs survives the instance

    page = _dashboard(live).get("/admin").get_data(as_text=True)
    assert "Phones still linked to removed instances: 1" in page and NAME in page

    live.instances.unlinks.retry_due()  # the server still fails: one more attempt recorded
    [failed] = _unlinks(live)["items"]
    assert failed["attempts"] == 1 and failed["done_at"] is None and NAME in evolution.instances
    assert "Bad Gateway" in failed["last_error"]
    assert failed["next_attempt_at"] > pending["next_attempt_at"]
    live.instances.unlinks.retry_due()  # not due yet: nothing happens
    assert _unlinks(live)["items"][0]["attempts"] == 1

    evolution.failing = False
    with live.app.extensions["zapfleet"].db.system() as conn, conn.cursor() as cur:
        cur.execute("UPDATE unlinks SET next_attempt_at = now()")  # the retry time has come
    live.instances.unlinks.retry_due()
    listed = _unlinks(live)
    assert listed["pending"] == 0 and listed["items"][0]["done_at"] is not None
    assert NAME not in evolution.instances and not kept.exists()
    assert "still linked" not in _dashboard(live).get("/admin").get_data(as_text=True)


def test_switching_engines_while_the_server_fails_keeps_the_unlink_too(evolution, live):
    add_server(live, "Evolution API 1", evolution, KEY)
    account, key, instance = connect_on_evolution(live, "Loja Alpha", evolution)
    evolution.failing = True
    switched = live.call("PATCH", f"/api/accounts/{account}/whatsapp", key, json={"engine": "sandbox"})
    assert switched.status_code == 200, switched.text
    [pending] = _unlinks(live)["items"]
    assert (pending["reason"], pending["engine"], pending["account_id"]) == ("engine_switched", "evolution", account)
    evolution.failing = False
    live.instances.unlinks.retry_due()
    assert _unlinks(live)["pending"] == 0 and NAME not in evolution.instances


def test_a_sandbox_instance_has_nothing_left_to_unlink(live):
    account, key = live.register("Loja Gama")
    live.call("POST", f"/api/accounts/{account}/whatsapp/connect", key)
    live.call("POST", f"/api/accounts/{account}/whatsapp/stop", key)  # its worker cannot answer
    assert live.call("DELETE", f"/api/accounts/{account}", ADMIN_KEY).status_code == 204
    assert _unlinks(live)["items"] == []  # its phone lived only in the wiped session folder


def test_the_unlinks_are_the_admins_only(live):
    account, key = live.register("Loja Beta")
    assert live.call("GET", "/api/unlinks", key).status_code == 403
