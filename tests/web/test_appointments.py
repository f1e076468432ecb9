"""Services and appointments: booking, notices on create/move/cancel, reminders, the notice routes."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.support.clock import Clock
from web import create_app
from zapfleet.appointments.book import AppointmentBook
from zapfleet.appointments.notices import ReminderRunner

SP = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2026, 11, 16, 9, 0, tzinfo=SP)  # a Monday


@pytest.fixture
def clock():
    return Clock(NOW)


@pytest.fixture
def app(config, clean_db, identity, clock):
    """The app with its appointment book on the test's clock."""
    return create_app(config, db=clean_db, identity=identity,
                      appointments=AppointmentBook(clean_db, clock=clock))


@pytest.fixture
def clinic(client, register):
    """An account with one 30-minute service; (tenant, base url, service)."""
    tenant = register("Clínica Sorriso")
    base = f"/api/accounts/{tenant.id}"
    service = client.post(f"{base}/services", json={"name": "Limpeza", "duration_minutes": 30},
                          headers=tenant.headers)
    assert service.status_code == 201, service.get_json()
    return tenant, base, service.get_json()


def _book(client, clinic, starts_at, **extra):
    tenant, base, service = clinic
    body = {"phone": "11 98765-4321", "name": "Ana Lima", "service_id": service["id"],
            "starts_at": starts_at, **extra}
    return client.post(f"{base}/appointments", json=body, headers=tenant.headers)


def _notices(db, account_id):
    with db.system() as conn, conn.cursor() as cur:
        cur.execute("SELECT body, idempotency_key, deadline_at FROM messages WHERE account_id = %s"
                    " AND origin = 'notice' ORDER BY created_at, id", (account_id,))
        return cur.fetchall()


def test_services_are_managed_per_account(client, clinic):
    tenant, base, service = clinic
    assert client.post(f"{base}/services", json={"name": "Limpeza", "duration_minutes": 20},
                       headers=tenant.headers).status_code == 409
    bad = client.post(f"{base}/services", json={"name": "X", "duration_minutes": 2},
                      headers=tenant.headers)
    assert bad.status_code == 400 and bad.get_json()["error"]["message"].startswith("duration_minutes")
    changed = client.patch(f"{base}/services/{service['id']}", json={"duration_minutes": 45},
                           headers=tenant.headers)
    assert changed.get_json()["duration_minutes"] == 45
    assert [s["name"] for s in client.get(f"{base}/services", headers=tenant.headers)
            .get_json()["items"]] == ["Limpeza"]
    assert client.delete(f"{base}/services/{service['id']}", headers=tenant.headers).status_code == 204


def test_booking_sends_the_confirmation_in_the_accounts_time_zone(client, clinic, clean_db):
    tenant, _, _ = clinic
    answer = _book(client, clinic, "2026-11-20T14:30:00")  # no offset: the account's local time
    assert answer.status_code == 201, answer.get_json()
    appointment = answer.get_json()
    assert appointment["starts_at"] == "2026-11-20T17:30:00+00:00"
    assert appointment["local"] == {"date": "20/11/2026", "time": "14:30", "weekday": "sexta-feira"}
    assert appointment["status"] == "scheduled" and appointment["source"] == "api"
    assert appointment["remind_at"] == "2026-11-19T17:30:00+00:00"
    [notice] = _notices(clean_db, tenant.id)
    assert notice["body"] == ("Olá Ana! Seu agendamento de Limpeza está confirmado para "
                              "sexta-feira, 20/11/2026 às 14:30. Para cancelar, responda CANCELAR. "
                              "Clínica Sorriso")
    assert notice["deadline_at"] <= datetime(2026, 11, 20, 14, 30, tzinfo=SP)


def test_an_overlapping_booking_is_refused_unless_allowed(client, clinic):
    assert _book(client, clinic, "2026-11-20T14:30:00-03:00").status_code == 201
    clash = _book(client, clinic, "2026-11-20T14:45:00-03:00", phone="11911112222")
    assert clash.status_code == 409
    assert _book(client, clinic, "2026-11-20T14:45:00-03:00", phone="11911112222",
                 allow_overlap=True).status_code == 201
    assert _book(client, clinic, "2026-11-20T15:15:00-03:00", phone="11911113333").status_code == 201


@pytest.mark.parametrize("body, field", [
    ({"starts_at": "sexta"}, "starts_at"), ({"service_id": None, "starts_at": "2026-11-20T10:00"}, "service_id"),
    ({"phone": None, "starts_at": "2026-11-20T10:00"}, "contact_id"),
    ({"service_id": None, "service": "Avulso", "duration_minutes": 0,
      "starts_at": "2026-11-20T10:00"}, "duration_minutes")])
def test_bad_bookings_name_the_field(client, clinic, body, field):
    tenant, base, service = clinic
    full = {"phone": "11987654321", "service_id": service["id"], **body}
    answer = client.post(f"{base}/appointments", json=full, headers=tenant.headers)
    assert answer.status_code == 400 and answer.get_json()["error"]["message"].startswith(field)


def test_the_reminder_goes_once_n_hours_before(client, clinic, clean_db, clock):
    tenant, base, _ = clinic
    _book(client, clinic, "2026-11-20T14:30:00-03:00")
    _book(client, clinic, "2026-11-16T17:00:00-03:00", phone="11911112222")  # 8 h ahead: none
    runner = ReminderRunner(clean_db, clock=clock)
    assert runner.run_due() == 0
    clock.now = datetime(2026, 11, 19, 14, 30, tzinfo=SP)
    assert runner.run_due() == 1
    assert runner.run_due() == 0
    reminder = _notices(clean_db, tenant.id)[-1]
    assert reminder["body"].startswith("Olá Ana! Lembrete: Limpeza sexta-feira, 20/11/2026 às 14:30")


def test_changing_reminder_hours_moves_pending_reminders(client, clinic, managers, clock):
    tenant, base, _ = clinic
    managers.settings.clock = clock
    appointment = _book(client, clinic, "2026-11-20T14:30:00-03:00").get_json()
    client.patch(f"{base}/settings", json={"reminder_hours": 2}, headers=tenant.headers)
    moved = client.get(f"{base}/appointments/{appointment['id']}", headers=tenant.headers).get_json()
    assert moved["remind_at"] == "2026-11-20T15:30:00+00:00"


def test_cancelling_sends_the_notice_once(client, clinic, clean_db):
    tenant, base, _ = clinic
    appointment = _book(client, clinic, "2026-11-20T14:30:00-03:00").get_json()
    cancelled = client.post(f"{base}/appointments/{appointment['id']}/cancel", headers=tenant.headers)
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    again = client.post(f"{base}/appointments/{appointment['id']}/cancel", headers=tenant.headers)
    assert again.status_code == 409
    assert _notices(clean_db, tenant.id)[-1]["body"].startswith(
        "Olá Ana, seu agendamento de Limpeza de sexta-feira, 20/11/2026 às 14:30 foi cancelado.")


def test_moving_an_appointment_confirms_the_new_time(client, clinic, clean_db):
    tenant, base, _ = clinic
    appointment = _book(client, clinic, "2026-11-20T14:30:00-03:00").get_json()
    moved = client.patch(f"{base}/appointments/{appointment['id']}",
                         json={"starts_at": "2026-11-21T10:00:00-03:00"}, headers=tenant.headers)
    assert moved.status_code == 200 and moved.get_json()["local"]["time"] == "10:00"
    assert moved.get_json()["ends_at"] == "2026-11-21T13:30:00+00:00"
    bodies = [n["body"] for n in _notices(clean_db, tenant.id)]
    assert len(bodies) == 2 and "21/11/2026 às 10:00" in bodies[1]


def test_notices_are_resent_on_demand_and_only_when_they_fit(client, clinic, clean_db):
    tenant, base, _ = clinic
    appointment = _book(client, clinic, "2026-11-20T14:30:00-03:00", notify=False).get_json()
    assert _notices(clean_db, tenant.id) == []
    one = f"{base}/appointments/{appointment['id']}/whatsapp"
    for kind in ("confirmation", "confirmation", "reminder"):
        sent = client.post(f"{one}/{kind}", headers=tenant.headers)
        assert sent.status_code == 201 and sent.get_json()["message"]["origin"] == "notice"
    assert client.post(f"{one}/cancellation", headers=tenant.headers).status_code == 409
    assert len(_notices(clean_db, tenant.id)) == 3


def test_seed_000s_routes_reach_only_the_appointments_own_account(client, clinic, register,
                                                                  admin_headers):
    tenant, _, _ = clinic
    appointment = _book(client, clinic, "2026-11-20T14:30:00-03:00").get_json()
    seed = f"/api/appointments/{appointment['id']}/whatsapp"
    assert client.post(f"{seed}/reminder", headers=tenant.headers).status_code == 201
    assert client.post(f"{seed}/confirmation", headers=admin_headers).status_code == 201
    rival = register("Clínica Rival")
    for kind in ("confirmation", "reminder", "cancellation"):
        answer = client.post(f"{seed}/{kind}", headers=rival.headers)
        assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "not_found"
    assert client.post(f"{seed}/reminder").status_code == 401
    unknown = "/api/appointments/00000000-0000-0000-0000-000000000000/whatsapp/reminder"
    assert client.post(unknown, headers=tenant.headers).status_code == 404


def test_free_slots_of_a_service(client, clinic):
    tenant, base, service = clinic
    _book(client, clinic, "2026-11-20T09:30:00-03:00")
    slots = client.get(f"{base}/appointments/slots?service_id={service['id']}&date=2026-11-20",
                       headers=tenant.headers)
    assert slots.status_code == 200, slots.get_json()
    times = [s["time"] for s in slots.get_json()["slots"]]
    assert times[:3] == ["09:00", "10:00", "10:30"] and times[-1] == "17:30"
    missing = client.get(f"{base}/appointments/slots", headers=tenant.headers)
    assert missing.status_code == 400


def test_appointments_are_listed_by_start_between_dates(client, clinic):
    tenant, base, _ = clinic
    for day in (18, 20, 19):
        _book(client, clinic, f"2026-11-{day}T10:00:00-03:00")
    page = client.get(f"{base}/appointments?from=2026-11-19&to=2026-11-21&limit=1",
                      headers=tenant.headers).get_json()
    rest = client.get(f"{base}/appointments?from=2026-11-19&to=2026-11-21&cursor={page['next_cursor']}",
                      headers=tenant.headers).get_json()
    assert [a["local"]["date"] for a in page["items"] + rest["items"]] == ["19/11/2026", "20/11/2026"]
