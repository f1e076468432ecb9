"""Metrics: messages per day, WhatsApp bookings per month, reply rate per week; per account and
for the whole platform."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.support.clock import Clock
from web import create_app
from zapfleet.messaging.metrics import Metrics

SP = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=SP)  # Friday


@pytest.fixture
def app(config, clean_db, identity):
    return create_app(config, db=clean_db, identity=identity,
                      metrics=Metrics(clean_db, clock=Clock(NOW)))


def _message(db, account_id, phone, direction, at, status=None):
    """A message stored at a given moment (what happened on earlier days)."""
    with db.system() as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO contacts (account_id, phone) VALUES (%s, %s)"
                    " ON CONFLICT (account_id, phone) DO UPDATE SET phone = EXCLUDED.phone RETURNING id",
                    (account_id, phone))
        contact = cur.fetchone()["id"]
        cur.execute("INSERT INTO conversations (account_id, contact_id) VALUES (%s, %s)"
                    " ON CONFLICT (account_id, contact_id) DO UPDATE SET contact_id = EXCLUDED.contact_id"
                    " RETURNING id", (account_id, contact))
        conversation = cur.fetchone()["id"]
        cur.execute("INSERT INTO messages (account_id, conversation_id, direction, body, status,"
                    " created_at, sent_at) VALUES (%s, %s, %s, 'x', %s, %s, %s)",
                    (account_id, conversation, direction, status or ("read" if direction == "out"
                                                                     else "received"), at,
                     at if direction == "out" and status != "failed" else None))
        return contact


def _appointment(db, account_id, contact, source, created_at):
    with db.system() as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO appointments (account_id, contact_id, service_name, starts_at, ends_at,"
                    " source, created_at) VALUES (%s, %s, 'Corte', %s, %s, %s, %s)",
                    (account_id, contact, created_at + timedelta(days=1),
                     created_at + timedelta(days=1, hours=1), source, created_at))


@pytest.fixture
def history(register, clean_db):
    """Two accounts with a week of messages and some bookings."""
    a, b = register("Barbearia"), register("Academia")
    monday = datetime(2026, 11, 16, 10, 0, tzinfo=SP)
    ana = _message(clean_db, a.id, "5511900000001", "out", monday)
    _message(clean_db, a.id, "5511900000001", "in", monday + timedelta(hours=2))  # Ana replies
    _message(clean_db, a.id, "5511900000002", "out", monday)  # Bruno never replies
    _message(clean_db, a.id, "5511900000003", "out", monday, status="failed")
    _message(clean_db, a.id, "5511900000001", "in", NOW - timedelta(hours=1))
    _message(clean_db, a.id, "5511900000001", "in", monday - timedelta(days=7))  # a week before
    _appointment(clean_db, a.id, ana, "whatsapp", monday)
    _appointment(clean_db, a.id, ana, "whatsapp", datetime(2026, 10, 5, 10, 0, tzinfo=SP))
    _appointment(clean_db, a.id, ana, "api", monday)
    _message(clean_db, b.id, "5511900000009", "out", monday + timedelta(days=1))
    return a, b


def test_an_accounts_series_in_its_time_zone_without_gaps(client, history):
    a, _ = history
    answer = client.get(f"/api/accounts/{a.id}/metrics?days=7&weeks=2&months=3", headers=a.headers)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["time_zone"] == "America/Sao_Paulo"
    days = {d["date"]: (d["sent"], d["received"]) for d in body["messages_per_day"]}
    assert list(days) == [f"2026-11-{n}" for n in range(14, 21)]
    assert days["2026-11-16"] == (2, 1) and days["2026-11-20"] == (0, 1) and days["2026-11-17"] == (0, 0)
    weeks = body["reply_rate_per_week"]
    assert [w["week_start"] for w in weeks] == ["2026-11-09", "2026-11-16"]
    assert weeks[1] == {"week_start": "2026-11-16", "messaged": 3, "replied": 1, "rate": 0.3333}
    assert weeks[0]["rate"] is None
    months = {m["month"]: (m["booked_whatsapp"], m["booked_total"]) for m in body["appointments_per_month"]}
    assert months == {"2026-09": (0, 0), "2026-10": (1, 1), "2026-11": (1, 2)}


def test_the_platform_adds_every_account_up_for_the_owner(client, history, admin_headers):
    a, b = history
    assert client.get("/api/metrics", headers=a.headers).status_code == 403
    body = client.get("/api/metrics?days=7", headers=admin_headers).get_json()
    days = {d["date"]: d["sent"] for d in body["messages_per_day"]}
    assert days["2026-11-16"] == 2 and days["2026-11-17"] == 1
    totals = {row["name"]: (row["sent"], row["received"], row["booked_whatsapp"]) for row in body["accounts"]}
    assert totals == {"Barbearia": (2, 2, 1), "Academia": (1, 0, 0)}


@pytest.mark.parametrize("query", ["days=0", "days=x", "weeks=500", "months=-1"])
def test_bad_spans_are_a_400(client, history, query):
    a, _ = history
    answer = client.get(f"/api/accounts/{a.id}/metrics?{query}", headers=a.headers)
    assert answer.status_code == 400
    assert answer.get_json()["error"]["message"].startswith(query.split("=")[0])
