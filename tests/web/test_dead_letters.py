"""No event can block an account's stream: malformed events, events a handler or the database
refuses, and texts of any size are put aside or stored, and what comes after them applies; the
platform admin lists what was put aside and retries it."""
from __future__ import annotations

import pytest

from tests.web.test_events import _event, _post, worker  # noqa: F401 - the fixture

INBOUND = {"provider_message_id": "p1", "phone": "5511987654321", "text": "Oi", "name": "Ana"}


def _bodies(client, tenant) -> list[str]:
    conversations = client.get(f"/api/accounts/{tenant.id}/conversations", headers=tenant.headers)
    return [m["body"] for c in conversations.get_json()["items"] for m in client.get(
        f"/api/accounts/{tenant.id}/conversations/{c['id']}/messages",
        headers=tenant.headers).get_json()["items"]]


def _dead_letters(client, admin_headers) -> dict:
    answer = client.get("/api/dead-letters", headers=admin_headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


@pytest.mark.parametrize("bad, why", [
    ({"type": "message.in", "data": INBOUND}, "events[1].id: must be a UUID"),
    ({"id": "5e0c5b8e-32f5-4b8e-9a55-2d3c0f8f7d11", "type": "teleport", "data": {}},
     "events[1].type: unknown event type 'teleport'"),
    ("not an event", "events[1]: must be an object with id, type and data"),
    (_event("message.in", {**INBOUND, "phone": "12"}), "phone:")])
def test_a_malformed_event_is_put_aside_and_the_rest_applies(client, worker, admin_headers, bad, why):
    tenant, instance, headers = worker
    before = _event("message.in", {**INBOUND, "provider_message_id": "p0", "text": "antes"})
    after = _event("message.in", {**INBOUND, "provider_message_id": "p2", "text": "depois"})
    answer = _post(client, instance, headers, [before, bad, after])
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["applied"] == 2 and [r["index"] for r in body["rejected"]] == [1]
    assert body["rejected"][0]["error"].startswith(why)
    assert _bodies(client, tenant) == ["antes", "depois"]
    [put_aside] = _dead_letters(client, admin_headers)["items"]
    assert put_aside["error"].startswith(why) and put_aside["instance_id"] == str(instance["id"])
    assert put_aside["resolved_at"] is None


def test_an_event_a_handler_fails_on_is_put_aside_and_retried_once_fixed(client, worker, managers,
                                                                          admin_headers):
    tenant, instance, headers = worker
    events = managers.events
    working = events.handlers["qr"]

    def broken(*_args):
        raise RuntimeError("a bug in the QR handler")
    events.handlers["qr"] = broken
    answer = _post(client, instance, headers, [_event("qr", {"code": "http://x/sandbox/scan/a"}),
                                               _event("message.in", INBOUND)])
    assert answer.get_json()["applied"] == 1 and _bodies(client, tenant) == ["Oi"]
    [put_aside] = _dead_letters(client, admin_headers)["items"]
    assert put_aside["error"] == "RuntimeError: a bug in the QR handler"
    retried = client.post(f"/api/dead-letters/{put_aside['id']}/retry", headers=admin_headers)
    assert retried.status_code == 200 and retried.get_json()["resolved_at"] is None
    assert retried.get_json()["retries"] == 1
    events.handlers["qr"] = working  # the bug is fixed
    retried = client.post(f"/api/dead-letters/{put_aside['id']}/retry", headers=admin_headers)
    assert retried.get_json()["resolved_at"] is not None
    status = client.get(f"/api/accounts/{tenant.id}/whatsapp", headers=tenant.headers).get_json()
    assert status["status"] == "waiting_qr" and status["qr_code"] == "http://x/sandbox/scan/a"
    assert _dead_letters(client, admin_headers)["pending"] == 0


def test_a_text_of_a_megabyte_is_kept_cut_to_whatsapp_s_longest(client, worker):
    tenant, instance, headers = worker
    long = _event("message.in", {**INBOUND, "text": "á" * 1_000_000})
    answer = _post(client, instance, headers, [long, _event("message.in", {**INBOUND, "provider_message_id": "p2",
                                                                            "text": "depois"})])
    assert answer.status_code == 200 and answer.get_json() == {"applied": 2, "rejected": []}
    assert [len(b) for b in _bodies(client, tenant)] == [65536, 6]


def test_the_dead_letters_are_the_admins_only(client, worker):
    tenant, _, _ = worker
    assert client.get("/api/dead-letters", headers=tenant.headers).status_code == 403


def test_a_batch_sent_again_puts_nothing_aside_twice(client, worker, admin_headers):
    """A worker sends its batch again after a 503: what was put aside stays there once."""
    _, instance, headers = worker
    batch = [{"id": "5e0c5b8e-32f5-4b8e-9a55-2d3c0f8f7d11", "type": "teleport", "data": {}}]
    for _ in range(2):
        assert _post(client, instance, headers, batch).get_json()["applied"] == 0
    assert _dead_letters(client, admin_headers)["pending"] == 1
