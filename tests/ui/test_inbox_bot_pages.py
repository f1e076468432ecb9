"""The inbox marks what the bot, campaigns and notices wrote, and pauses the bot per conversation."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.support.clients import PASSWORD, csrf_token, signed_in


@pytest.fixture
def salon(app, managers):
    """A salon whose booking bot is on, with a customer's conversation: (account, client, url)."""
    created = managers.accounts.register_customer({"name": "Salão Bela", "email": "bela@example.com",
                                         "password": PASSWORD}, with_api_key=False)
    account = str(created["account"]["id"])
    message = managers.conversations.record_message(account, "5511987654321", "in", "Oi", "received")
    client = signed_in(app, "bela@example.com")
    return account, client, f"/a/{account}/inbox/{message['conversation_id']}"


def test_messages_the_service_wrote_are_marked_with_their_origin(salon, app):
    account, client, url = salon
    book = app.extensions["zapfleet"].appointments
    service = app.extensions["zapfleet"].catalog.create_service(account, {"name": "Corte", "duration_minutes": 30})
    book.create_appointment(account, {"phone": "5511987654321", "service_id": str(service["id"]),
                                      "starts_at": (datetime.now(timezone.utc) + timedelta(days=2)).isoformat()})
    page = client.get(url).get_data(as_text=True)
    assert '<span class="origin">appointment notice</span>' in page
    messages = client.get(url + ".json").get_json()["messages"]
    assert ['<span class="origin">appointment notice</span>' in m["html"] for m in messages] == [False, True]


def test_the_bot_is_paused_and_resumed_in_one_conversation(salon, managers):
    account, client, url = salon
    assert 'id="bot-toggle"' not in client.get(url).get_data(as_text=True)  # bot and auto-reply off
    managers.settings.update_messaging_settings(account, {"booking_bot": True})
    page = client.get(url).get_data(as_text=True)
    assert "The bot answers this customer." in page and ">Pause the bot here<" in page
    token = csrf_token(client, url)
    page = client.post(url + "/bot", data={"csrf_token": token, "paused": "1"},
                       follow_redirects=True).get_data(as_text=True)
    assert "The bot keeps quiet in this conversation for a day." in page
    assert "Bot paused here until" in page and ">Let the bot answer again<" in page
    conversation = url.rsplit("/", 1)[1]
    assert managers.bot.bot_state(account, conversation)["paused"] is True
    client.post(url + "/bot", data={"csrf_token": token, "paused": "0"})
    assert managers.bot.bot_state(account, conversation)["paused"] is False
