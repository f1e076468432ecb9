"""What survives a kill -9: the linked session, the send de-duplication and unsent events."""
from __future__ import annotations

from tests.support.waiting import wait_until
from tests.support.http import Recorder, free_port
from tests.support.worker_calls import send_and_wait_until_read


def test_a_restarted_worker_comes_back_linked_and_still_dedupes(linked, receiver):
    first = send_and_wait_until_read(linked, receiver, "m-before-crash")
    qr_events = len(receiver.events("qr"))
    linked.kill()
    linked.start()
    status = linked.call("GET", "/status").json()
    assert status["state"] == "connected" and status["phone"] is not None
    assert linked.call("GET", "/qr").status_code == 404
    connected = wait_until(lambda: len(receiver.events("connection")) >= 3
                           and receiver.events("connection"), what="the connected event again")
    assert connected[-1]["data"] == {"state": "connected", "phone": status["phone"], "reason": None}
    again = linked.call("POST", "/send", {"message_id": "m-before-crash", "phone": "5511999990000",
                                          "text": "oi"})
    assert again.status_code == 200 and again.json() == first
    send_and_wait_until_read(linked, receiver, "m-after-crash")
    # events the kill caught between their delivery and its acknowledgement come again, with
    # their ids (the control plane ignores them); a second send would bring new ones
    receipts = {e["id"]: e["data"]["status"] for e in receiver.events("message.status")
                if e["data"]["message_id"] == "m-before-crash"}
    assert list(receipts.values()) == ["sent", "delivered", "read"]
    assert len(receiver.events("qr")) == qr_events  # no new QR was shown


def test_events_spooled_while_the_control_plane_fails_survive_a_crash(make_worker, receiver):
    receiver.status = 500
    worker = make_worker().start()
    worker.link()
    wait_until(lambda: len(receiver.answered(ok=False)) >= 2, what="failed deliveries")
    worker.kill()
    worker.start()
    send = worker.call("POST", "/send", {"message_id": "m-1", "phone": "5511999990000", "text": "oi"})
    assert send.status_code == 200
    failed_before = len(receiver.answered(ok=False))
    wait_until(lambda: len(receiver.answered(ok=False)) > failed_before, what="a retry")
    receiver.status = 200
    wait_until(lambda: receiver.statuses("m-1") == ["sent", "delivered", "read"], what="the receipts")
    tried = {e["id"] for r in receiver.answered(ok=False) for e in r["json"]["events"]}
    acknowledged = [e["id"] for e in receiver.events()]
    assert len(acknowledged) == len(set(acknowledged))  # none delivered twice
    assert tried <= set(acknowledged)  # none lost
    kinds = [(e["type"], e["data"].get("state")) for e in receiver.events()][:4]
    assert kinds == [("qr", None), ("connection", "waiting_qr"), ("connection", "connected"),
                     ("connection", "connected")]  # before the crash, then after the restart
    wait_until(lambda: (worker.session_dir / "events.jsonl").read_text() == "", what="an empty spool")


def test_events_wait_for_a_control_plane_that_is_down(make_worker):
    port = free_port()  # nothing listens there yet
    worker = make_worker(control_url=f"http://127.0.0.1:{port}").start()
    worker.link()
    assert len((worker.session_dir / "events.jsonl").read_text().splitlines()) == 3
    receiver = Recorder(port=port)
    receiver.start()
    try:
        wait_until(lambda: len(receiver.events()) == 3, what="the spooled events")
        assert [e["type"] for e in receiver.events()] == ["qr", "connection", "connection"]
    finally:
        receiver.close()


def test_sigterm_exits_cleanly_and_reports_the_receipts_still_due(make_worker, receiver):
    worker = make_worker(env={"SANDBOX_RECEIPT_DELAY": "60"}).start()
    worker.link()
    send = worker.call("POST", "/send", {"message_id": "m-slow", "phone": "5511999990000", "text": "oi"})
    assert send.status_code == 200
    assert worker.terminate() == 0
    assert receiver.statuses("m-slow") == ["sent", "delivered", "read"]
    assert (worker.session_dir / "events.jsonl").read_text() == ""
