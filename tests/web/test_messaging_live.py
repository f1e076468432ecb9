"""End to end with real parts: the app over HTTP, a real supervisord with sandbox workers, and real
dispatcher processes (`python -m zapfleet dispatcher`) that a test kills with SIGKILL."""
from __future__ import annotations

import json
import signal
import uuid
from pathlib import Path

import pytest
import requests

from tests.support.live import Dispatchers, Server
from tests.support.waiting import wait_until
from zapfleet.core.security import worker_token
from zapfleet.fleet.supervisor import Supervisor

FAST = {"min_gap_seconds": 0, "max_gap_seconds": 0, "window_start": "00:00",
        "window_end": "23:59", "warmup_days": 0}


class Live:
    """The app on its bind address, dispatcher processes, and calls as one account."""

    def __init__(self, server: Server, config, database_url: str):
        self.server, self.config, self.database_url = server, config, database_url
        self.base = config.control_url
        self.dispatchers = Dispatchers(config, database_url)

    def call(self, method: str, path: str, key: str, **kwargs) -> requests.Response:
        return requests.request(method, self.base + path, timeout=30, **kwargs,
                                headers={"Authorization": f"Bearer {key}"})

    def linked_account(self, name: str) -> tuple[str, str]:
        """A new account whose sandbox phone is linked (its QR link opened)."""
        body = requests.post(self.base + "/api/register", timeout=30, json={
            "name": name, "email": f"{uuid.uuid4().hex[:8]}@example.com",
            "password": "correct horse battery"}).json()
        account, key = body["account"]["id"], body["api_key"]["key"]
        connected = self.call("POST", f"/api/accounts/{account}/whatsapp/connect", key).json()
        assert requests.get(connected["qr"]["code"], timeout=30).status_code == 200
        wait_until(lambda: self.call("GET", f"/api/accounts/{account}/whatsapp", key)
                   .json()["status"] == "connected", 20, "the sandbox phone to link")
        return account, key


@pytest.fixture
def live(clean_db, identity, supervisord, worker_config, database_url):
    config = worker_config.with_overrides(webhook_allow_private=True)
    server = Server(config, db=clean_db, identity=identity,
                    supervisor=Supervisor.from_config(config))
    live = Live(server, config, database_url)
    yield live
    live.dispatchers.stop_all()
    instances = server.app.extensions["zapfleet"].instances
    for instance in instances.list(None):
        instances.delete(instance["account_id"])
    server.shutdown()


def _campaign_messages(db, account_id: str) -> list[dict]:
    with db.system() as conn, conn.cursor() as cur:
        cur.execute("SELECT m.id, m.status, r.phone FROM campaign_recipients r"
                    " JOIN messages m ON m.id = r.message_id WHERE r.account_id = %s"
                    " ORDER BY r.position", (account_id,))
        return cur.fetchall()


def _worker_sends(live: Live, account_id: str) -> list[str]:
    """The message ids the account's worker handed to (sandbox) WhatsApp, from its own log."""
    instance = live.server.app.extensions["zapfleet"].instances.get(account_id)
    path = Path(live.config.var_dir) / "sessions" / str(instance["id"]) / "sent.jsonl"
    return [json.loads(line)["message_id"] for line in path.read_text().splitlines() if line]


def _start_campaign(live: Live, account: str, key: str, recipients: int) -> str:
    base = f"/api/accounts/{account}"
    live.call("PATCH", f"{base}/settings", key, json={"pacing": FAST})
    for n in range(recipients):
        live.call("POST", f"{base}/contacts", key, json={
            "phone": f"11 9{n:04d}-{n:04d}", "name": f"Cliente {n}", "tags": ["clientes"]})
    campaign = live.call("POST", f"{base}/campaigns", key, json={
        "name": "Semana do cliente", "message": "Oi {name}! Semana do cliente com 15% off.",
        "target_tags": ["clientes"]}).json()
    started = live.call("POST", f"{base}/campaigns/{campaign['id']}/start", key)
    assert started.status_code == 200, started.text
    return campaign["id"]


def _progress(live: Live, account: str, key: str, campaign: str) -> dict:
    return live.call("GET", f"/api/accounts/{account}/campaigns/{campaign}/progress", key).json()


def test_a_dispatcher_killed_mid_campaign_then_two_at_once_miss_no_one_and_repeat_no_one(live, clean_db):
    account, key = live.linked_account("Loja Centro")
    campaign = _start_campaign(live, account, key, recipients=12)
    first = live.dispatchers.start()
    wait_until(lambda: len(_campaign_messages(clean_db, account)) >= 4, 60, "a few campaign messages")
    first.send_signal(signal.SIGKILL)  # in the middle of the run, wherever it is
    first.wait(timeout=10)
    halfway = len(_campaign_messages(clean_db, account))
    assert halfway < 12
    live.dispatchers.start(), live.dispatchers.start()  # two take over at once
    wait_until(lambda: _progress(live, account, key, campaign)["counts"]["read"] == 12, 90,
               "every recipient's message to be read")
    messages = _campaign_messages(clean_db, account)
    assert len(messages) == len({m["phone"] for m in messages}) == 12
    sends = _worker_sends(live, account)
    assert sorted(sends) == sorted(str(m["id"]) for m in messages)  # each handed over exactly once
    progress = _progress(live, account, key, campaign)
    assert progress["status"] == "completed" and progress["counts"]["total"] == 12


def test_a_campaign_waits_while_the_number_is_stopped_and_goes_on_when_it_is_back(live, clean_db):
    account, key = live.linked_account("Pet Shop")
    campaign = _start_campaign(live, account, key, recipients=4)
    assert live.call("POST", f"/api/instances/{account}/stop", key).status_code == 200
    live.dispatchers.start()
    wait_until(lambda: (_progress(live, account, key, campaign)["waiting"] or {}).get("reason")
               == "not_connected", 30, "the campaign to wait for the number")
    assert _campaign_messages(clean_db, account) == []
    assert live.call("POST", f"/api/instances/{account}/start", key).status_code == 200
    wait_until(lambda: _progress(live, account, key, campaign)["counts"]["read"] == 4, 60,
               "the campaign to finish once the number is back")


def _bot_replies(live: Live, account: str, key: str) -> list[dict]:
    base = f"/api/accounts/{account}/conversations"
    conversations = live.call("GET", base, key).json()["items"]
    messages = [m for c in conversations
                for m in live.call("GET", f"{base}/{c['id']}/messages", key).json()["items"]]
    return [m for m in messages if m["direction"] == "out"]


def _customer_says(live: Live, account: str, key: str, text: str) -> dict:
    """Inject the customer's message; the account's next reply once WhatsApp has delivered it."""
    before = len(_bot_replies(live, account, key))
    sent = live.call("POST", f"/api/accounts/{account}/sandbox/inbound", key,
                     json={"phone": "5511987654321", "message": text})
    assert sent.status_code == 202, sent.text
    replies = wait_until(lambda: [m for m in _bot_replies(live, account, key)[before:]
                                  if m["status"] == "read"], 30, f"the answer to {text!r}")
    return replies[0]


def test_the_whole_booking_dialogue_over_the_sandbox_phone(live):
    account, key = live.linked_account("Barbearia do Zé")
    base = f"/api/accounts/{account}"
    every_day = {day: ["00:00-24:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    live.call("PATCH", f"{base}/settings", key, json={"booking_bot": True, "business_hours": every_day})
    live.call("POST", f"{base}/services", key, json={"name": "Corte", "duration_minutes": 30})
    live.call("POST", f"{base}/services", key, json={"name": "Barba", "duration_minutes": 20})
    live.dispatchers.start()
    services = _customer_says(live, account, key, "Olá, quero agendar um horário")
    assert services["origin"] == "bot" and "1. Corte (30 min)\n2. Barba (20 min)" in services["body"]
    slots = _customer_says(live, account, key, "1")  # services in the owner's order
    first_slot = slots["body"].split("\n")[1]
    assert slots["body"].startswith("Horários livres para Corte:") and first_slot.startswith("1. ")
    confirmation = _customer_says(live, account, key, "1")
    assert confirmation["origin"] == "notice"
    assert "Seu agendamento de Corte está confirmado" in confirmation["body"]
    assert first_slot.rsplit(" ", 1)[-1] in confirmation["body"]  # the slot's HH:MM
    [appointment] = live.call("GET", f"{base}/appointments", key).json()["items"]
    assert (appointment["source"], appointment["status"]) == ("whatsapp", "scheduled")
    cancelled = _customer_says(live, account, key, "cancelar")
    assert "foi cancelado" in cancelled["body"]
    [appointment] = live.call("GET", f"{base}/appointments", key).json()["items"]
    assert appointment["status"] == "cancelled"


def test_odd_texts_from_whatsapp_never_block_the_stream(live):
    """What a customer's phone may send reaches a real worker: NUL, a lone surrogate, a text far
    longer than WhatsApp allows; each is stored cleaned (or cut) and the next message arrives."""
    account, key = live.linked_account("Clínica Sorriso")
    instance = live.server.app.extensions["zapfleet"].instances.get(account)
    worker = f"http://127.0.0.1:{instance['port']}/engine/inject"
    token = worker_token(live.config.secret_key, str(instance["id"]))
    for text in ["a\x00b", "oi \ud800!", "z" * 200_000, "tudo certo?"]:
        body = json.dumps({"phone": "5511987654321", "text": text})  # ASCII: escapes survive
        injected = requests.post(worker, data=body, timeout=10, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        assert injected.status_code == 200, injected.text
    base = f"/api/accounts/{account}/conversations"

    def bodies() -> list[str]:
        conversations = live.call("GET", base, key).json()["items"]
        return [m["body"] for c in conversations
                for m in live.call("GET", f"{base}/{c['id']}/messages", key).json()["items"]]
    wait_until(lambda: len(bodies()) == 4, 30, "the four messages")
    assert bodies() == ["ab", "oi \ufffd!", "z" * 65536, "tudo certo?"]


def test_a_message_typed_on_the_sandbox_phone_is_recorded_as_the_business_s(live):
    account, key = live.linked_account("Salão Bela")
    typed = live.call("POST", f"/api/accounts/{account}/sandbox/typed", key,
                      json={"phone": "5511987654321", "message": "Seu horário está confirmado"})
    assert typed.status_code == 202, typed.text
    base = f"/api/accounts/{account}/conversations"

    def messages() -> list[dict]:
        return [m for c in live.call("GET", base, key).json()["items"]
                for m in live.call("GET", f"{base}/{c['id']}/messages", key).json()["items"]]
    [message] = wait_until(messages, 30, "the phone's message")
    assert (message["direction"], message["origin"], message["body"]) == (
        "out", "phone", "Seu horário está confirmado")
    other, other_key = live.linked_account("Oficina")
    assert live.call("POST", f"/api/accounts/{account}/sandbox/typed", other_key,
                     json={"phone": "5511987654321", "message": "x"}).status_code == 404


def test_a_customer_reacts_edits_and_deletes_through_the_sandbox_phone(live):
    account, key = live.linked_account("Pet Shop Au")
    instance = live.server.app.extensions["zapfleet"].instances.get(account)
    worker = f"http://127.0.0.1:{instance['port']}/engine"
    token = {"Authorization": f"Bearer {worker_token(live.config.secret_key, str(instance['id']))}"}

    def act(name: str, **payload) -> None:
        assert requests.post(f"{worker}/{name}", json=payload, headers=token, timeout=10).status_code == 200
    act("inject", phone="5511987654321", text="Banho às 10h?")
    base = f"/api/accounts/{account}/conversations"

    def message() -> dict:
        [conversation] = live.call("GET", base, key).json()["items"]
        return live.call("GET", f"{base}/{conversation['id']}/messages", key).json()["items"][0]
    provider_id = wait_until(message, 30, "the customer's message")["provider_message_id"]
    act("react", phone="5511987654321", provider_message_id=provider_id, emoji="👍")
    act("edit", provider_message_id=provider_id, text="Banho às 11h?")
    wait_until(lambda: message()["body"] == "Banho às 11h?", 30, "the edit")
    assert message()["reactions"] == {"5511987654321": "👍"}
    act("delete", provider_message_id=provider_id)
    wait_until(lambda: message()["deleted_at"], 30, "the deletion")
    assert message()["body"] == ""
