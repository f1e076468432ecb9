"""End to end with two Evolution API servers, played by tests/support/evolution.py:
the admin adds them over the API, instances land on the chosen one, and each worker (a real
process under a real supervisord) talks to its own server with that server's key."""
from __future__ import annotations

import secrets
import threading

import pytest

from tests.support.clients import ADMIN_KEY
from tests.support.evolution import FakeEvolution
from tests.support.live import served
from tests.support.waiting import wait_until

KEY_A, KEY_B = ("evo-a-" + secrets.token_hex(8)), ("evo-b-" + secrets.token_hex(8))


@pytest.fixture
def evolutions():
    with FakeEvolution(KEY_A) as first, FakeEvolution(KEY_B) as second:
        yield first, second


@pytest.fixture
def live(clean_db, identity, supervisord, worker_config):
    with served(worker_config, clean_db, identity) as live:
        yield live


def add_server(live, name: str, evolution: FakeEvolution, key: str, **fields) -> dict:
    answer = live.call("POST", "/api/evolution-servers", ADMIN_KEY,
                       json={"name": name, "url": evolution.url, "api_key": key, **fields})
    assert answer.status_code == 201, answer.text
    return answer.json()


def connect_on_evolution(live, name: str, evolution: FakeEvolution) -> tuple[str, str, dict]:
    """A new account connected on the evolution engine; its QR comes from `evolution`."""
    account, key = live.register(name)
    instance_name = f"{name.lower().replace(' ', '-')}_whatsapp"

    def show_qr_once_created():
        wait_until(lambda: instance_name in evolution.instances, 30, f"{instance_name} on its server")
        evolution.show_qr(instance_name)
    threading.Thread(target=show_qr_once_created, daemon=True).start()
    connected = live.call("POST", f"/api/accounts/{account}/whatsapp/connect", key,
                          json={"engine": "evolution"})
    assert connected.status_code == 201, connected.text
    assert connected.json()["qr"]["code"] == evolution.instances[instance_name]["qr"]
    return account, key, connected.json()["instance"]


def status(live, account, key) -> str:
    return live.call("GET", f"/api/accounts/{account}/whatsapp", key).json()["status"]


def test_instances_land_on_the_chosen_server_and_talk_to_it(live, evolutions):
    first, second = evolutions
    server_a = add_server(live, "Evolution API 1", first, KEY_A, priority=10, capacity=1)
    server_b = add_server(live, "Evolution API 2", second, KEY_B, priority=5)

    alpha, alpha_key, alpha_instance = connect_on_evolution(live, "Loja Alpha", first)
    beta, beta_key, beta_instance = connect_on_evolution(live, "Loja Beta", second)
    assert alpha_instance["evolution_server_id"] == server_a["id"]  # the highest priority first
    assert beta_instance["evolution_server_id"] == server_b["id"]  # the first one is full
    assert set(first.instances) == {"loja-alpha_whatsapp"}
    assert set(second.instances) == {"loja-beta_whatsapp"}

    first.scan("loja-alpha_whatsapp", "5511911110000")
    second.scan("loja-beta_whatsapp", "5511922220000")
    wait_until(lambda: status(live, alpha, alpha_key) == status(live, beta, beta_key) == "connected",
               20, "both connected")
    sent = live.call("POST", f"/api/accounts/{beta}/send", beta_key,
                     json={"phone": "11 97777-6666", "message": "Seu horário está confirmado"})
    assert sent.status_code == 201, sent.text
    assert [call[2] for call in second.calls("POST", "/message/sendText/loja-beta_whatsapp")] == [
        {"number": "5511977776666", "text": "Seu horário está confirmado"}]
    assert first.calls("POST", "/message/sendText/") == []

    usage = live.call("GET", "/api/evolution-servers", ADMIN_KEY).json()
    assert [(s["name"], s["instances"], s["connected"], s["available"]) for s in usage["items"]] == [
        ("Evolution API 1", 1, 1, 0), ("Evolution API 2", 1, 1, 19)]
    assert (usage["totals"]["capacity"], usage["totals"]["connected"]) == (21, 2)

    assert live.call("DELETE", f"/api/instances/{alpha}", alpha_key).status_code == 204
    assert first.instances == {} and set(second.instances) == {"loja-beta_whatsapp"}
    assert live.call("DELETE", f"/api/evolution-servers/{server_a['id']}", ADMIN_KEY).status_code == 204
    refused = live.call("DELETE", f"/api/evolution-servers/{server_b['id']}", ADMIN_KEY)
    assert refused.status_code == 409
