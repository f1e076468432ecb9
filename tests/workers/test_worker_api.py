"""The worker's HTTP API (workers/README.md), against a real worker process."""
from __future__ import annotations

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.waiting import wait_until
from tests.support.worker_calls import send_and_wait_until_read

ROUTES = [("GET", "/health"), ("GET", "/status"), ("GET", "/qr"), ("GET", "/qr?format=png"),
          ("POST", "/send"), ("POST", "/logout"), ("POST", "/engine/link"),
          ("POST", "/engine/inject"), ("GET", "/nowhere")]


def error_of(response, status: int) -> dict:
    """The error body of an answer that must have this status."""
    assert response.status_code == status, response.text
    return response.json()["error"]


@pytest.mark.parametrize("token", ["", "wrong", "Bearer"])
def test_every_route_needs_the_worker_token(worker, token):
    for method, path in ROUTES:
        error = error_of(worker.call(method, path, {}, token=token), 401)
        assert error["code"] == "unauthorized", (method, path)
    raw = worker.call("GET", "/health", token="", headers={"Authorization": worker.token})
    assert error_of(raw, 401)["code"] == "unauthorized"
    assert worker.call("GET", "/status").json()["state"] == "waiting_qr"  # nothing happened


def test_health_and_status(worker):
    health = worker.call("GET", "/health").json()
    assert health == {"ok": True, "instance": worker.instance_id, "engine": "sandbox",
                      "state": "waiting_qr"}
    status = worker.call("GET", "/status").json()
    assert status == {"state": "waiting_qr", "phone": None, "reason": None, "until": None,
                      "engine": "sandbox", "label": "sandbox"}


def test_qr_as_json_png_and_svg(worker):
    body = worker.call("GET", "/qr?format=json").json()
    assert body["state"] == "waiting_qr"
    assert body["code"].startswith(f"{worker.control_url}/sandbox/scan/{worker.instance_id}.")
    assert worker.call("GET", "/qr").json() == body
    png = worker.call("GET", "/qr?format=png")
    assert png.headers["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG\r\n\x1a\n")
    svg = worker.call("GET", "/qr?format=svg")
    assert svg.headers["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    assert "format" in error_of(worker.call("GET", "/qr?format=gif"), 400)["message"]


def test_linking_with_the_qr_token_connects_and_reports_events(worker, receiver):
    code = worker.call("GET", "/qr").json()["code"]
    answer = worker.link()
    assert answer["state"] == "connected" and re.fullmatch(r"5500\d{9}", answer["phone"])
    status = worker.call("GET", "/status").json()
    assert (status["state"], status["phone"]) == ("connected", answer["phone"])
    assert error_of(worker.call("GET", "/qr"), 404)["code"] == "not_found"
    events = wait_until(lambda: len(receiver.events()) >= 3 and receiver.events(), what="3 events")
    assert [(e["type"], e["data"].get("state")) for e in events] == [
        ("qr", None), ("connection", "waiting_qr"), ("connection", "connected")]
    assert events[0]["data"] == {"code": code}
    assert events[2]["data"] == {"state": "connected", "phone": answer["phone"], "reason": None}
    for request in receiver.requests:
        assert request["path"] == "/internal/events"
        assert request["authorization"] == f"Bearer {worker.token}"
        assert request["json"]["instance_id"] == worker.instance_id
    assert all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d.*\+00:00$", e["at"]) for e in events)


def test_a_wrong_or_missing_link_token_is_rejected(worker):
    stale = f"{worker.instance_id}.not-the-current-one"
    assert error_of(worker.call("POST", "/engine/link", {"token": stale}), 409)["code"] == "conflict"
    assert "token" in error_of(worker.call("POST", "/engine/link", {}), 400)["message"]
    assert worker.call("GET", "/status").json()["state"] == "waiting_qr"


def test_sending_when_not_linked_is_a_conflict(worker):
    answer = worker.call("POST", "/send", {"message_id": "m-1", "phone": "5511999990000", "text": "oi"})
    assert error_of(answer, 409)["code"] == "not_connected"


def test_sending_when_linked_reports_sent_delivered_read(linked, receiver):
    answer = linked.call("POST", "/send", {"message_id": "m-1", "phone": "5511999990000", "text": "oi"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["message_id"] == "m-1" and body["status"] == "sent"
    assert body["provider_message_id"].startswith("sandbox-")
    wait_until(lambda: len(receiver.statuses("m-1")) >= 3, what="three receipts")
    assert receiver.statuses("m-1") == ["sent", "delivered", "read"]
    receipts = receiver.events("message.status")
    assert {e["data"]["provider_message_id"] for e in receipts} == {body["provider_message_id"]}


def test_the_same_message_id_is_sent_once(linked, receiver):
    first = send_and_wait_until_read(linked, receiver, "m-dup")
    again = linked.call("POST", "/send", {"message_id": "m-dup", "phone": "5511999990000",
                                          "text": "another text"})
    assert again.status_code == 200 and again.json() == first
    send_and_wait_until_read(linked, receiver, "m-after")
    assert receiver.statuses("m-dup") == ["sent", "delivered", "read"]


def test_concurrent_identical_sends_send_once(linked, receiver):
    payload = {"message_id": "m-race", "phone": "5511999990000", "text": "oi"}
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: linked.call("POST", "/send", payload), range(8)))
    assert {a.status_code for a in answers} == {200}
    assert len({a.json()["provider_message_id"] for a in answers}) == 1
    send_and_wait_until_read(linked, receiver, "m-after")
    assert receiver.statuses("m-race") == ["sent", "delivered", "read"]


@pytest.mark.parametrize("body, field", [
    (b"{not json", "body"), (b"[1, 2]", "body"),
    (b'{"message_id": "m", "text": "oi"}', "phone"),
    (b'{"message_id": "m", "phone": "  ", "text": "oi"}', "phone"),
    (b'{"message_id": "m", "phone": "5511999990000"}', "text"),
    (b'{"message_id": "m", "phone": "5511999990000", "text": 5}', "text"),
    (b'{"message_id": " ", "phone": "5511999990000", "text": "oi"}', "message_id"),
    (b'{"phone": "5511999990000", "text": "oi"}', "message_id")])
def test_a_bad_send_body_is_invalid_input_naming_the_field(linked, body, field):
    error = error_of(linked.call("POST", "/send", data=body), 400)
    assert error["code"] == "invalid_input" and error["message"].startswith(f"{field}:")


def test_unknown_actions_and_routes_are_not_found(worker):
    assert error_of(worker.call("POST", "/engine/explode", {}), 404)["code"] == "not_found"
    assert error_of(worker.call("POST", "/engine/Bad..Name", {}), 404)["code"] == "not_found"
    assert error_of(worker.call("GET", "/send"), 404)["code"] == "not_found"


def test_inject_makes_a_message_arrive(worker, receiver):
    reply = {"phone": "5511988887777", "text": "quero agendar"}
    assert error_of(worker.call("POST", "/engine/inject", reply), 409)["code"] == "not_connected"
    worker.link()
    assert "text" in error_of(worker.call("POST", "/engine/inject", {"phone": "55119"}), 400)["message"]
    answer = worker.call("POST", "/engine/inject", reply)
    assert answer.status_code == 200, answer.text
    provider_id = answer.json()["provider_message_id"]
    [event] = wait_until(lambda: receiver.events("message.in"), what="message.in")
    assert event["data"] == {"provider_message_id": provider_id, "phone": reply["phone"],
                             "text": reply["text"], "name": None, "type": "text"}


def test_logout_wipes_the_session_and_shows_a_new_qr(linked, receiver):
    before = len(receiver.events())
    assert linked.call("POST", "/logout", {}).json() == {"state": "logged_out"}
    assert not (linked.session_dir / "sandbox.json").exists()
    wait_until(lambda: len(receiver.events()) >= before + 3, what="three events after logout")
    tail = receiver.events()[before:]
    assert [(e["type"], e["data"].get("state")) for e in tail] == [
        ("connection", "logged_out"), ("qr", None), ("connection", "waiting_qr")]
    assert tail[0]["data"]["phone"] is None
    current = linked.call("GET", "/qr").json()
    assert current == {"code": tail[1]["data"]["code"], "state": "waiting_qr"}
    assert linked.link()["state"] == "connected"  # the account can link again


def test_the_worker_refuses_to_start_without_a_token(make_worker):
    worker = make_worker()
    done = subprocess.run(worker.command(), env=worker.env(with_token=False), cwd=worker.log_path.parent,
                          capture_output=True, timeout=30)
    assert done.returncode == 2 and b"ZAPFLEET_WORKER_TOKEN" in done.stderr


def test_an_unknown_engine_is_refused(make_worker):
    worker = make_worker()
    done = subprocess.run(worker.command(engine="nope"), env=worker.env(), capture_output=True,
                          timeout=30)
    assert done.returncode == 2 and b"unknown engine 'nope'" in done.stderr
