"""End to end over real HTTP with the real engines: the app, a real supervisord, real workers,
PostgreSQL; an Evolution API server played by tests/support/evolution.py, and a neonize worker
whose connection goes to a closed loopback port (no network needed)."""
from __future__ import annotations

import secrets
import threading

import pytest

from tests.support.evolution import FakeEvolution
from tests.support.http import free_port
from tests.support.live import all_messages, served
from tests.support.waiting import wait_until

KEY = "evo-live-" + secrets.token_hex(8)


@pytest.fixture
def evolution():
    with FakeEvolution(KEY) as server:
        yield server


@pytest.fixture
def live(clean_db, identity, supervisord, worker_config, evolution):
    config = worker_config.with_overrides(evolution_url=evolution.url, evolution_api_key=KEY,
                                          whatsapp_proxy=f"socks5://127.0.0.1:{free_port()}")
    with served(config, clean_db, identity) as live:
        yield live


def whatsapp(live, account, key) -> dict:
    return live.call("GET", f"/api/accounts/{account}/whatsapp", key).json()


def test_an_evolution_account_links_sends_receives_and_is_deleted_there(live, evolution):
    account, key = live.register("Clínica Sorriso")
    name = "clinica-sorriso_whatsapp"

    def show_qr_once_created():
        wait_until(lambda: name in evolution.instances, 30, "the instance on the server")
        evolution.show_qr(name)
    threading.Thread(target=show_qr_once_created, daemon=True).start()
    connected = live.call("POST", f"/api/accounts/{account}/whatsapp/connect", key,
                          json={"engine": "evolution"})
    assert connected.status_code == 201, connected.text
    assert connected.json()["instance"]["engine"] == "evolution"
    assert connected.json()["qr"]["code"] == evolution.instances[name]["qr"]
    evolution.scan(name, "5511988880000")
    wait_until(lambda: whatsapp(live, account, key)["status"] == "connected", 20, "connected")
    assert whatsapp(live, account, key)["phone"] == "5511988880000"

    sent = live.call("POST", f"/api/accounts/{account}/send", key,
                     json={"phone": "11 97777-6666", "message": "Sua consulta é amanhã"})
    assert sent.status_code == 201, sent.text
    [(_, _, body)] = evolution.calls("POST", f"/message/sendText/{name}")
    assert body == {"number": "5511977776666", "text": "Sua consulta é amanhã"}
    provider_id = sent.json()["message"]["provider_message_id"]
    evolution.receipt(name, provider_id, "READ")
    evolution.incoming(name, "5511977776666@s.whatsapp.net", {"conversation": "Confirmado!"})
    wait_until(lambda: sorted(m["status"] for m in all_messages(live, account, key)) == ["read", "received"],
               20, "the receipt and the reply")

    assert live.call("DELETE", f"/api/instances/{account}", key).status_code == 204
    assert name not in evolution.instances


def test_a_neonize_account_without_network_says_why(live):
    account, key = live.register("Academia Forte")
    connected = live.call("POST", f"/api/accounts/{account}/whatsapp/connect", key,
                          json={"engine": "neonize"})
    assert connected.status_code == 201, connected.text
    assert connected.json()["qr"] is None
    assert connected.json()["instance"]["status"] == "disconnected"
    wait_until(lambda: (whatsapp(live, account, key)["last_error"] or "").startswith(
        "cannot reach WhatsApp: connection refused"), 20, "the reason")
    pair = live.call("POST", f"/api/accounts/{account}/whatsapp/pair", key, json={"phone": "5511988880000"})
    assert pair.status_code == 409 and "QR code is shown" in pair.json()["error"]["message"]
