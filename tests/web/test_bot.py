"""The bot, through the worker events a customer's messages arrive as: booking flow, cancelling,
opt-out keywords, the pause after a person's reply, the away message outside business hours."""
from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.support.clock import Clock
from web import create_app
from zapfleet.appointments.bot.responder import Responder
from zapfleet.db import instances as instances_sql
from zapfleet.core.security import worker_token

SP = ZoneInfo("America/Sao_Paulo")
MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=SP)
CUSTOMER = "5511987654321"
BOT_ORIGINS = ("bot", "notice", "auto_reply")


@pytest.fixture
def clock():
    return Clock(MONDAY)


@pytest.fixture
def app(config, clean_db, identity, clock):
    """The app whose bot runs on the test's clock."""
    return create_app(config, db=clean_db, identity=identity, responder=Responder(clock=clock))


class Chat:
    """One account's WhatsApp, seen from the customer's side."""

    def __init__(self, client, tenant, instance, headers, db):
        self.client, self.tenant, self.instance, self.headers, self.db = (
            client, tenant, instance, headers, db)
        self.base = f"/api/accounts/{tenant.id}"

    def say(self, text: str, phone: str = CUSTOMER, event: dict | None = None) -> list[str]:
        """The customer writes (or the worker reports an event again); the account's answers."""
        before = len(self.replies(phone))
        event = event or self.event(text, phone)
        answer = self.client.post("/internal/events", headers=self.headers, json={
            "instance_id": str(self.instance["id"]), "events": [event]})
        assert answer.status_code == 200 and answer.get_json()["applied"] == 1, answer.get_json()
        return self.replies(phone)[before:]

    @staticmethod
    def event(text: str, phone: str = CUSTOMER) -> dict:
        """A worker's message.in event."""
        return {"id": str(uuid.uuid4()), "type": "message.in", "at": "2026-11-16T12:00:00Z",
                "data": {"provider_message_id": f"p-{uuid.uuid4()}", "phone": phone, "text": text,
                         "name": "Ana Lima"}}

    def replies(self, phone: str = CUSTOMER) -> list[str]:
        with self.db.system() as conn, conn.cursor() as cur:
            cur.execute("SELECT m.body FROM messages m JOIN conversations c ON c.id = m.conversation_id"
                        " JOIN contacts k ON k.id = c.contact_id WHERE m.account_id = %s AND k.phone = %s"
                        " AND m.origin = ANY(%s) ORDER BY m.created_at, m.id",
                        (self.tenant.id, phone, list(BOT_ORIGINS)))
            return [row["body"] for row in cur.fetchall()]

    def settings(self, **changes) -> None:
        answer = self.client.patch(f"{self.base}/settings", json=changes, headers=self.tenant.headers)
        assert answer.status_code == 200, answer.get_json()

    def appointments(self) -> list[dict]:
        return self.client.get(f"{self.base}/appointments", headers=self.tenant.headers).get_json()["items"]


@pytest.fixture
def chat(client, register, clean_db, config):
    """A clinic with two services, the booking bot on, and its worker's event credentials."""
    tenant = register("Clínica Sorriso")
    with clean_db.system() as conn:
        instance = instances_sql.insert_instance(conn, tenant.id, "sorriso_whatsapp", None, "sandbox")
    headers = {"Authorization": f"Bearer {worker_token(config.secret_key, str(instance['id']))}"}
    chat = Chat(client, tenant, instance, headers, clean_db)
    for position, (name, minutes) in enumerate((("Limpeza", 30), ("Clareamento", 60))):
        client.post(f"{chat.base}/services", headers=tenant.headers,
                    json={"name": name, "duration_minutes": minutes, "position": position})
    chat.settings(booking_bot=True)
    return chat


def test_the_full_booking_dialogue(chat):
    [services] = chat.say("Oi, quero agendar uma consulta")
    assert services == ("Olá Ana! Qual serviço você quer agendar? Responda com o número:\n"
                        "1. Limpeza (30 min)\n2. Clareamento (60 min)")
    [slots] = chat.say("2 - Clareamento")
    assert slots.startswith("Horários livres para Clareamento:\n1. hoje às 10:00\n2. hoje às 10:30\n")
    assert "5. amanhã às 09:00" in slots and slots.endswith('por exemplo "14:30 amanhã".')
    [confirmation] = chat.say("14:30 amanhã")
    assert confirmation.startswith("Olá Ana! Seu agendamento de Clareamento está confirmado para "
                                   "terça-feira, 17/11/2026 às 14:30.")
    [appointment] = chat.appointments()
    assert (appointment["source"], appointment["service_name"]) == ("whatsapp", "Clareamento")
    assert appointment["local"]["time"] == "14:30" and appointment["contact_name"] == "Ana Lima"
    assert chat.say("obrigada!") == []  # the flow is over; people answer the rest


def test_a_slot_by_its_number_and_a_taken_slot_offers_the_free_ones(chat, client):
    chat.say("agendar")
    chat.say("1")
    for text in ("agendar", "1", "1"):  # another customer takes today 10:00 first
        chat.say(text, phone="5511911112222")
    [taken] = chat.say("1")
    assert taken.startswith("Esse horário não está disponível. Escolha um destes:\n1. hoje às 10:30")
    [confirmation] = chat.say("1")
    assert "16/11/2026 às 10:30" in confirmation
    assert sorted(a["local"]["time"] for a in chat.appointments()) == ["10:00", "10:30"]


def test_cancelar_cancels_the_next_appointment(chat):
    assert chat.say("cancelar") == ["Você não tem nenhum agendamento para cancelar."]
    chat.say("agendar")
    chat.say("1")
    chat.say("sexta 15h")
    [notice] = chat.say("Quero cancelar o agendamento")
    assert notice.startswith("Olá Ana, seu agendamento de Limpeza de sexta-feira, 20/11/2026 às 15:00 "
                             "foi cancelado.")
    assert [a["status"] for a in chat.appointments()] == ["cancelled"]


def test_unknown_input_in_the_flow_gets_help_and_cancelar_leaves_it(chat):
    chat.say("agendar")
    assert chat.say("sei lá") == ["Para agendar, responda AGENDAR. Para cancelar seu próximo "
                                  "horário, responda CANCELAR."]
    assert chat.say("cancelar") == ["Tudo bem, nada foi agendado. Quando quiser, responda AGENDAR."]
    assert chat.say("1") == []


def test_the_flow_state_is_stored_so_a_new_process_goes_on(chat, config, clean_db, identity, clock):
    chat.say("agendar")
    restarted = create_app(config, db=clean_db, identity=identity,
                           responder=Responder(clock=clock)).test_client()
    chat.client = restarted
    [slots] = chat.say("Limpeza")
    assert slots.startswith("Horários livres para Limpeza:")


def test_a_step_left_alone_half_an_hour_is_over(chat, clock):
    chat.say("agendar")
    clock.advance(minutes=31)
    assert chat.say("1") == []


def test_a_replayed_event_answers_nothing_twice(chat):
    event = chat.event("agendar")
    first = chat.say("agendar", event=event)
    assert len(first) == 1 and chat.say("agendar", event=event) == []


def test_a_persons_reply_pauses_the_bot_in_that_conversation(chat, clock, app, clean_db):
    sent, _ = app.extensions["zapfleet"].outbox.send(
        chat.tenant.id, {"phone": CUSTOMER, "message": "Oi Ana, aqui é a Dra. Carla"})
    with clean_db.system() as conn, conn.cursor() as cur:  # written at the test clock's time
        cur.execute("UPDATE messages SET created_at = %s WHERE id = %s", (clock.now, sent["id"]))
    assert chat.say("agendar") == []
    assert len(chat.say("agendar", phone="5511911112222")) == 1  # others still get the bot
    clock.advance(minutes=61)
    assert len(chat.say("agendar")) == 1


def test_the_bot_is_paused_and_resumed_by_hand(chat, client, managers, clock):
    managers.bot.clock = clock
    chat.say("oi")
    [conversation] = client.get(f"{chat.base}/conversations", headers=chat.tenant.headers).get_json()["items"]
    bot = f"{chat.base}/conversations/{conversation['id']}/bot"
    paused = client.put(bot, json={"paused": True, "minutes": 120}, headers=chat.tenant.headers)
    assert paused.status_code == 200 and paused.get_json()["paused"] is True
    assert chat.say("agendar") == []
    resumed = client.put(bot, json={"paused": False}, headers=chat.tenant.headers)
    assert resumed.get_json()["paused"] is False
    assert len(chat.say("agendar")) == 1
    assert client.get(bot, headers=chat.tenant.headers).get_json()["step"] == "choosing_service"


def test_opt_out_keywords_opt_the_contact_out_of_campaigns(chat, client, managers):
    [reply] = chat.say("SAIR")
    assert reply == "Pronto, você não receberá mais nossas campanhas. Clínica Sorriso"
    [contact] = managers.contacts.list_contacts(chat.tenant.id, q=CUSTOMER)["items"]
    assert contact["opted_out"] is True
    chat.settings(opt_out_keywords=["PARAR"])
    chat.say("parar", phone="5511911112222")
    [other] = managers.contacts.list_contacts(chat.tenant.id, q="5511911112222")["items"]
    assert other["opted_out"] is True


def test_the_away_message_goes_outside_business_hours_once_per_interval(chat, clock):
    chat.settings(auto_reply=True, booking_bot=False)
    assert chat.say("Bom dia") == []  # Monday 09:00: open
    clock.now = datetime(2026, 11, 16, 19, 0, tzinfo=SP)
    assert chat.say("Oi, estão abertos?") == [
        "Olá! Estamos fora do horário de atendimento. Responderemos assim que possível. Clínica Sorriso"]
    assert chat.say("Alô?") == []
    clock.advance(hours=12, minutes=1)  # Tuesday 07:01, still closed, interval passed
    assert len(chat.say("Alô?")) == 1


def test_the_booking_bot_answers_at_night_instead_of_the_away_message(chat, clock):
    chat.settings(auto_reply=True)
    clock.now = datetime(2026, 11, 16, 22, 0, tzinfo=SP)
    [services] = chat.say("quero agendar")
    assert services.startswith("Olá Ana! Qual serviço")


def test_a_failing_bot_never_loses_the_inbound_message(config, clean_db, identity, register):
    def broken(*_args):
        raise RuntimeError("bug in the bot")
    app = create_app(config, db=clean_db, identity=identity, responder=broken)
    client, tenant = app.test_client(), register("Pet Shop")
    with clean_db.system() as conn:
        instance = instances_sql.insert_instance(conn, tenant.id, "pet_whatsapp", None, "sandbox")
    headers = {"Authorization": f"Bearer {worker_token(config.secret_key, str(instance['id']))}"}
    chat = Chat(client, tenant, instance, headers, clean_db)
    assert chat.say("agendar") == []
    [conversation] = client.get(f"{chat.base}/conversations", headers=tenant.headers).get_json()["items"]
    assert conversation["unread_count"] == 1


def test_the_bot_offers_the_services_in_the_order_the_account_set(chat, client):
    services = client.get(f"{chat.base}/services", headers=chat.tenant.headers).get_json()["items"]
    reversed_ids = [s["id"] for s in reversed(services)]
    answer = client.put(f"{chat.base}/services/order", json={"ids": reversed_ids},
                        headers=chat.tenant.headers)
    assert answer.status_code == 200, answer.get_json()
    [offer] = chat.say("quero agendar")
    assert offer.endswith("\n1. Clareamento (60 min)\n2. Limpeza (30 min)")
    [slots] = chat.say("1")
    assert slots.startswith("Horários livres para Clareamento:")
