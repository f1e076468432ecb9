"""Real worker processes on the real engines: neonize without network, Evolution against a
local server that follows its contract."""
from __future__ import annotations

import secrets
import signal

import pytest

from tests.support.evolution import FakeEvolution
from tests.support.waiting import wait_until
from tests.support.http import free_port

NAME = "clinica-alpha_whatsapp"


def connection_reasons(receiver) -> list[str]:
    return [e["data"]["reason"] or "" for e in receiver.events("connection")]


@pytest.fixture
def offline_neonize(make_worker):
    """A neonize worker whose connection goes to a closed loopback port (no network)."""
    worker = make_worker(engine="neonize",
                         env={"WHATSAPP_PROXY": f"socks5://127.0.0.1:{free_port()}"})
    return worker.start()


def test_a_neonize_worker_without_network_answers_and_says_why(offline_neonize, receiver):
    worker = offline_neonize
    assert worker.call("GET", "/health").json()["engine"] == "neonize"
    wait_until(lambda: len(receiver.events("connection")) >= 2, what="two failed attempts")
    assert connection_reasons(receiver)[:2] == [
        "cannot reach WhatsApp: connection refused; next attempt in 2 s",
        "cannot reach WhatsApp: connection refused; next attempt in 4 s"]
    status = worker.call("GET", "/status").json()
    assert (status["state"], status["label"]) == ("disconnected", "WhatsApp (neonize)")
    assert worker.process.poll() is None  # retrying, not crash-looping
    send = worker.call("POST", "/send", {"message_id": "m-1", "phone": "5511999990000", "text": "oi"})
    assert send.status_code == 409 and send.json()["error"]["code"] == "not_connected"
    pair = worker.call("POST", "/engine/pair", {"phone": "5511999990000"})
    assert pair.status_code == 409
    assert (worker.session_dir / "whatsapp.sqlite3").exists()


def test_a_neonize_worker_stops_cleanly_on_sigterm(offline_neonize, receiver):
    wait_until(lambda: receiver.events("connection"), what="a first attempt")
    offline_neonize.process.send_signal(signal.SIGTERM)
    assert offline_neonize.process.wait(timeout=20) == 0


def test_an_evolution_worker_links_sends_and_receives(make_worker, receiver):
    key = "global-" + secrets.token_hex(12)
    with FakeEvolution(key) as evolution:
        worker = make_worker(engine="evolution", name=NAME,
                             env={"EVOLUTION_URL": evolution.url, "EVOLUTION_API_KEY": key}).start()
        wait_until(lambda: NAME in evolution.instances, what="the instance on the Evolution server")
        code = evolution.show_qr(NAME)
        assert evolution.instances[NAME]["webhook"]["url"].startswith(f"http://127.0.0.1:{worker.port}/")
        wait_until(lambda: worker.call("GET", "/qr").json()["code"] == code, what="the QR at the worker")
        evolution.scan(NAME, "5511988880000")
        wait_until(lambda: worker.call("GET", "/status").json()["state"] == "connected", what="linked")
        sent = worker.call("POST", "/send", {"message_id": "m-1", "phone": "5511977776666", "text": "oi"})
        assert sent.status_code == 200 and sent.json()["status"] == "sent"
        evolution.incoming(NAME, "5511977776666@s.whatsapp.net", {"conversation": "quero agendar"})
        evolution.receipt(NAME, sent.json()["provider_message_id"], "READ")
        wait_until(lambda: receiver.events("message.in") and len(receiver.events("message.status")) == 2,
                   what="the message and the receipt")
        assert receiver.events("message.in")[0]["data"]["text"] == "quero agendar"
        assert [e["data"]["status"] for e in receiver.events("message.status")] == ["sent", "read"]
        assert [e["data"]["state"] for e in receiver.events("connection")][-1] == "connected"
        evolution.not_on_whatsapp.add("5511900000000")
        refused = worker.call("POST", "/send", {"message_id": "m-2", "phone": "5511900000000", "text": "oi"})
        assert refused.json()["status"] == "failed" and "not on WhatsApp" in refused.json()["error"]
        again = worker.call("POST", "/send", {"message_id": "m-2", "phone": "5511900000000", "text": "oi"})
        assert again.json() == refused.json()  # recorded: never sent twice
        assert len(evolution.calls("POST", f"/message/sendText/{NAME}")) == 2
        worker.terminate()
    assert key not in worker.log_path.read_text()
