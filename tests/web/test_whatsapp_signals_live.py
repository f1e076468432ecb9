"""What customers see besides messages, end to end with a real sandbox worker: blue ticks when the
inbox opens a conversation, "typing…" before the service's own messages, declined calls with an
answer, and what a deleted message leaves (settings send_read_receipts, typing_indicator,
reject_calls, keep_deleted_messages); and sends that do not wait for the worker."""
from __future__ import annotations

import pytest
import requests

from tests.support.live import all_messages, linked, phone_got
from tests.support.waiting import wait_until

CUSTOMER = "5511944445555"


def _settings(live, account, key, **changes):
    answer = live.call("PATCH", f"/api/accounts/{account}/settings", key, json=changes)
    assert answer.status_code == 200, answer.text


def _customer_writes(live, account, key, text: str) -> dict:
    live.call("POST", f"/api/accounts/{account}/sandbox/inbound", key, json={"phone": CUSTOMER, "message": text})
    return wait_until(lambda: next((m for m in all_messages(live, account, key) if m["body"] == text), None),
                      30, f"the message {text!r}")


@pytest.mark.parametrize("on", [True, False], ids=["receipts on", "receipts off"])
def test_opening_a_conversation_marks_its_messages_read_on_whatsapp_once(live, on):
    account, key = linked(live, "Salão Azul")
    _settings(live, account, key, send_read_receipts=on)
    first, second = (_customer_writes(live, account, key, text) for text in ("Oi", "Tem horário?"))
    conversations = live.app.extensions["zapfleet"].conversations
    conversations.open_conversation(account, first["conversation_id"])
    conversations.open_conversation(account, first["conversation_id"])  # nothing new is unread
    reads = [(got["phone"], sorted(got["read"])) for got in phone_got(live, account) if "read" in got]
    both = sorted([first["provider_message_id"], second["provider_message_id"]])
    assert reads == ([(CUSTOMER, both)] if on else [])


@pytest.mark.parametrize("on", [True, False], ids=["typing on", "typing off"])
def test_the_services_own_messages_show_typing_first_and_api_sends_do_not(live, on):
    account, key = linked(live, "Clínica Leve")
    _settings(live, account, key, typing_indicator=on, booking_bot=True)
    live.call("POST", f"/api/accounts/{account}/services", key, json={"name": "Limpeza", "duration_minutes": 30})
    _customer_writes(live, account, key, "agendar")
    live.dispatch()
    live.call("POST", f"/api/accounts/{account}/send", key, json={"phone": CUSTOMER, "message": "Olá!"})
    bot, api = wait_until(lambda: len(got := phone_got(live, account)) >= 2 and got, 30, "two messages")
    assert bot["text"].startswith("Olá") and "Limpeza" in bot["text"] and api["text"] == "Olá!"
    assert (bot["typing_seconds"] > 1.0) is on and api["typing_seconds"] == 0


def test_calls_ring_unless_the_account_declines_them_with_its_answer(live):
    account, key = linked(live, "Academia Força")
    call = f"/api/accounts/{account}/sandbox/call"
    assert live.call("POST", call, key, json={"phone": CUSTOMER}).status_code == 202
    # the worker reports its events in order: once this message is stored, so was the call
    _customer_writes(live, account, key, "alô?")
    _settings(live, account, key, reject_calls=True, templates={"call_rejected": "Só mensagens, {name}!"})
    declined = live.call("POST", call, key, json={"phone": CUSTOMER}).json()["call_id"]
    wait_until(lambda: {"call_rejected": declined} in phone_got(live, account), 30, "the declined call")
    live.dispatch()
    answers = wait_until(lambda: [g for g in phone_got(live, account) if g.get("text")], 30, "the answer")
    assert [a["text"] for a in answers] == ["Só mensagens,!"]  # no name: its space goes too
    assert len([g for g in phone_got(live, account) if "call_rejected" in g]) == 1  # the first one rang
    [message] = [m for m in all_messages(live, account, key) if m["direction"] == "out"]
    assert message["origin"] == "auto_reply"


@pytest.mark.parametrize("keep", [True, False], ids=["kept", "wiped"])
def test_a_message_deleted_for_everyone_is_kept_only_when_the_account_asks(live, keep):
    account, key = linked(live, "Loja Sol")
    _settings(live, account, key, keep_deleted_messages=keep)
    message = _customer_writes(live, account, key, "meu CPF é 123")
    live.call("POST", f"/api/accounts/{account}/sandbox/inbound", key, json={"phone": CUSTOMER, "message": "x"})
    live.instances.engine_action(account, "delete", {"provider_message_id": message["provider_message_id"]})
    deleted = wait_until(lambda: next((m for m in all_messages(live, account, key)
                                       if m["id"] == message["id"] and m["deleted_at"]), None), 30, "the deletion")
    assert deleted["body"] == ""
    assert deleted["previous_bodies"] == (["meu CPF é 123"] if keep else [])


@pytest.mark.parametrize("how", ["body", "header"])
def test_a_send_that_does_not_wait_is_stored_then_handed_over_by_the_dispatcher_once(live, how):
    account, key = linked(live, "Envio em massa")
    body = {"phone": "11987654321", "message": "Promoção!", "idempotency_key": "bulk-1"}
    url, headers = f"{live.base}/api/accounts/{account}/send", {"Authorization": f"Bearer {key}"}
    if how == "body":
        answer = requests.post(url, json={**body, "wait": False}, headers=headers, timeout=30)
    else:
        answer = requests.post(url, json=body, headers={**headers, "Prefer": "respond-async"}, timeout=30)
    assert answer.status_code == 202 and answer.json()["message"]["status"] == "queued"
    assert answer.json()["message"]["lease_until"] is None
    assert phone_got(live, account) == []  # not handed over by the send route
    live.dispatch()
    live.dispatch()
    assert [got["text"] for got in phone_got(live, account)] == ["Promoção!"]
