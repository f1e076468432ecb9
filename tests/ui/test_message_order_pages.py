"""In the inbox's thread, a message arriving live takes its place in the order messages were
stored (seq): an away message stamped a hair before the customer's message that triggered it
(and with a smaller id) still shows after it."""
from __future__ import annotations

import uuid
from datetime import timedelta

import psycopg2
from playwright.sync_api import expect


def _store_customer_then_away(database_url, account: str, conversation: str) -> None:
    """A customer's message and the away message it triggered, stored in that order in one
    transaction, the away message stamped a millisecond earlier and with a smaller id."""
    customer_id, away_id = uuid.UUID(int=(2 << 124) | 2), uuid.UUID(int=(1 << 124) | 1)
    with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT clock_timestamp()")
        now = cur.fetchone()[0]
        for message_id, direction, body, status, origin, at in (
                (customer_id, "in", "Vocês abrem sábado?", "received", None, now),
                (away_id, "out", "Estamos fora do horário.", "sent", "auto_reply",
                 now - timedelta(milliseconds=1))):
            cur.execute("INSERT INTO messages (id, account_id, conversation_id, direction, body, status,"
                        " origin, created_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                        (str(message_id), account, conversation, direction, body, status, origin, at, at))
        cur.execute("UPDATE conversations SET last_message_at = %s WHERE id = %s", (now, conversation))
    conn.close()


def test_in_the_browser_a_live_away_message_shows_after_the_message_that_triggered_it(ui, database_url):
    page = ui.page()
    ui.sign_up(page, "Salão Bela")
    account = page.url.rstrip("/").rsplit("/", 1)[-1]
    first = ui.managers.conversations.record_message(account, "11 98765-4321", "in", "Oi!", "received")
    conversation = str(first["conversation_id"])
    page.goto(f"/a/{account}/inbox/{conversation}")
    bubbles = page.locator("#thread .bubble .text")
    expect(bubbles).to_have_text(["Oi!"])
    _store_customer_then_away(database_url, account, conversation)
    expect(bubbles).to_have_text(["Oi!", "Vocês abrem sábado?", "Estamos fora do horário."], timeout=15_000)
    page.reload()
    expect(bubbles).to_have_text(["Oi!", "Vocês abrem sábado?", "Estamos fora do horário."])
