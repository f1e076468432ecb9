"""The appointments and services pages: book with the free-time picker, cancel with or without a
notice, re-send notices, services with prices; the confirmation reaches the sandbox phone."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.support.clients import PASSWORD, csrf_token, signed_in
from tests.support.pages import link_sandbox_phone, open_more_actions

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def _next_weekday(weekday: int = 1) -> datetime:
    """A coming Tuesday (open 09:00-18:00 by default), at midnight in São Paulo."""
    today = datetime.now(SAO_PAULO).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


@pytest.fixture
def salon(app, managers):
    """A salon with one service and a signed-in member: (account, client, token, service)."""
    created = managers.accounts.register_customer({"name": "Salão Bela", "email": "bela@example.com",
                                         "password": PASSWORD}, with_api_key=False)
    account = str(created["account"]["id"])
    service = app.extensions["zapfleet"].catalog.create_service(
        account, {"name": "Corte", "duration_minutes": 30, "price_cents": 4500})
    client = signed_in(app, "bela@example.com")
    return account, client, csrf_token(client, f"/a/{account}/appointments"), service


def _book(client, account, token, service, day: datetime, time: str = "14:30", **fields):
    return client.post(f"/a/{account}/appointments", data={
        "csrf_token": token, "service_id": str(service["id"]), "phone": "11 98765-4321",
        "name": "Ana Souza", "date": day.date().isoformat(), "time": time, "notify": "on", **fields})


def test_no_appointments_yet_says_what_to_do(salon):
    account, client, _token, _service = salon
    page = client.get(f"/a/{account}/appointments").get_data(as_text=True)
    assert "No appointments from this day on." in page and "Corte (30 min)" in page


def test_booking_in_local_time_lists_the_appointment_on_its_day_and_queues_the_confirmation(salon, app):
    account, client, token, service = salon
    day = _next_weekday()
    response = _book(client, account, token, service, day)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Booked: Corte on {day:%d/%m/%Y} at 14:30." in page
    assert f"Tuesday, {day:%Y-%m-%d}" in page and "14:30–15:00" in page and "Ana Souza" in page
    [appointment] = app.extensions["zapfleet"].appointments.list_appointments(account, {})["items"]
    assert appointment["starts_at"] == day.replace(hour=14, minute=30)
    conversation = app.extensions["zapfleet"].conversations.list_conversations(account)["items"][0]
    [message] = app.extensions["zapfleet"].conversations.list_messages(account, conversation["id"])["items"]
    assert message["origin"] == "notice" and "está confirmado" in message["body"]


def test_on_portuguese_pages_a_day_reads_with_its_portuguese_weekday_and_dd_mm_yyyy(salon):
    account, client, token, service = salon
    day = _next_weekday()
    _book(client, account, token, service, day)
    client.set_cookie("lang", "pt_BR")
    page = client.get(f"/a/{account}/appointments").get_data(as_text=True)
    assert f"<h3>Terça-feira, {day:%d/%m/%Y}</h3>" in page
    assert f"{day:%Y-%m-%d}</h3>" not in page and "+55 11 98765-4321" in page


def test_a_bad_booking_shows_the_error_at_its_field_and_keeps_what_was_typed(salon):
    account, client, token, service = salon
    day = _next_weekday()
    response = _book(client, account, token, service, day, phone="123")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="f-phone"[^>]*aria-invalid="true"', page) and 'value="Ana Souza"' in page
    response = _book(client, account, token, service, day, time="")
    assert re.search(r'id="f-time"[^>]*aria-invalid="true"', response.get_data(as_text=True))
    _book(client, account, token, service, day)
    page = _book(client, account, token, service, day, time="14:45").get_data(as_text=True)
    assert "the time overlaps another appointment" in page


def test_free_times_skip_the_booked_ones(salon):
    account, client, token, service = salon
    day = _next_weekday()
    _book(client, account, token, service, day, time="09:00")
    slots = client.get(f"/a/{account}/appointments/slots.json?service_id={service['id']}"
                       f"&date={day.date().isoformat()}").get_json()["slots"]
    assert [s["time"] for s in slots[:3]] == ["09:30", "10:00", "10:30"]
    bad = client.get(f"/a/{account}/appointments/slots.json?service_id={service['id']}&date=amanhã")
    assert bad.status_code == 400 and bad.get_json()["error"]["message"].startswith("date")


def test_cancel_without_notice_then_resend_the_cancellation(salon, app):
    account, client, token, service = salon
    _book(client, account, token, service, _next_weekday(), notify="")
    book = app.extensions["zapfleet"].appointments
    [appointment] = book.list_appointments(account, {})["items"]
    base = f"/a/{account}/appointments/{appointment['id']}"
    page = client.post(base + "/cancel", data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "The appointment was cancelled." in page
    assert app.extensions["zapfleet"].conversations.list_conversations(account)["items"] == []
    page = client.post(base + "/cancellation", data={"csrf_token": token, "status": "all"},
                       follow_redirects=True).get_data(as_text=True)
    assert "The cancellation notice was sent again." in page and "Cancelled" in page
    page = client.post(base + "/reminder", data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "the appointment is cancelled: no reminder to send" in page


def test_services_are_added_priced_the_brazilian_way_edited_and_deleted(salon, app):
    account, client, token, service = salon
    base = f"/a/{account}/services"
    page = client.get(base).get_data(as_text=True)
    assert 'value="45,00"' in page and 'value="Corte"' in page
    response = client.post(base, data={"csrf_token": token, "name": "Escova", "duration_minutes": "45",
                                       "price": "R$ 1.234,5x", "active": "on"})
    assert response.status_code == 400
    assert re.search(r'id="new-price"[^>]*aria-invalid="true"', response.get_data(as_text=True))
    client.post(base, data={"csrf_token": token, "name": "Escova", "duration_minutes": "45",
                            "price": "R$ 1.234,50", "active": "on"})
    book = app.extensions["zapfleet"].catalog
    escova = [s for s in book.list_services(account) if s["name"] == "Escova"][0]
    assert (escova["price_cents"], escova["active"]) == (123450, True)
    response = client.post(f"{base}/{service['id']}", data={"csrf_token": token, "name": "Corte",
                                                            "duration_minutes": "3", "price": ""})
    assert re.search(rf'id="s-{service["id"]}-duration_minutes"[^>]*aria-invalid="true"',
                     response.get_data(as_text=True))
    client.post(f"{base}/{service['id']}", data={"csrf_token": token, "name": "Corte masculino",
                                                 "duration_minutes": "40", "price": ""})
    saved = book.get_service(account, service["id"])
    assert (saved["name"], saved["duration_minutes"], saved["price_cents"], saved["active"]) == \
        ("Corte masculino", 40, None, False)
    client.post(f"{base}/{escova['id']}/delete", data={"csrf_token": token})
    assert [s["name"] for s in book.list_services(account)] == ["Corte masculino"]


def test_in_the_browser_a_booking_picks_a_free_time_and_the_confirmation_reaches_the_phone(ui):
    page = ui.page()
    ui.sign_up(page, "Salão Bela")
    account = link_sandbox_phone(page)
    ui.dispatchers.start()
    page.goto(f"/a/{account}/services")
    expect(page.get_by_text("No services yet.")).to_be_visible()
    page.get_by_label("Name").fill("Manicure")
    page.get_by_label("Duration (minutes)").fill("45")
    page.get_by_label("Price (R$, optional)").fill("35,00")
    page.get_by_role("button", name="Add service").click()
    expect(page.get_by_text("The service Manicure was added.")).to_be_visible()
    ui.shot(page, "services")
    page.get_by_role("link", name="← Appointments").click()
    expect(page.get_by_text("No appointments from this day on.")).to_be_visible()
    day = _next_weekday()
    page.get_by_label("Phone number").fill("11 98765-4321")
    page.get_by_label("Name", exact=True).fill("Ana Souza")
    page.get_by_label("Service").select_option(label="Manicure (45 min)")
    page.get_by_label("Date").fill(day.date().isoformat())
    page.locator("#slots").get_by_role("button", name="10:30").click()
    expect(page.get_by_label("Time", exact=True)).to_have_value("10:30")
    ui.shot(page, "appointment-book")
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_text(f"Booked: Manicure on {day:%d/%m/%Y} at 10:30.")).to_be_visible()
    expect(page.locator("#agenda")).to_contain_text("10:30–11:15")
    ui.shot(page, "appointments")
    page.goto(f"/a/{account}/sandbox-phone?phone=5511987654321")  # the customer's chat
    expect(page.locator("#thread .bubble.outbound .text")).to_contain_text(
        f"Olá Ana! Seu agendamento de Manicure está confirmado para terça-feira, {day:%d/%m/%Y} às 10:30",
        timeout=30_000)
    ui.shot(page, "appointment-confirmation-on-phone")


def test_in_the_browser_cancelling_waits_in_more_actions_beside_the_everyday_buttons(ui):
    email = "bela-cancel@example.com"
    created = ui.managers.accounts.register_customer(
        {"name": "Salão Bela", "email": email, "password": PASSWORD}, with_api_key=False)
    account = str(created["account"]["id"])
    service = ui.managers.catalog.create_service(account, {"name": "Corte", "duration_minutes": 30})
    day = _next_weekday()
    ui.managers.appointments.create_appointment(account, {
        "phone": "11987654321", "service_id": str(service["id"]), "notify": False,
        "starts_at": f"{day.date().isoformat()}T10:00:00"})
    page = ui.page(width=390, height=844)
    ui.sign_in(page, email)
    page.goto(f"/a/{account}/appointments")
    row = page.locator("#agenda .row-actions")
    expect(row.get_by_role("button", name="Done")).to_be_visible()
    open_more_actions(row, "Cancel appointment")
    row.get_by_label("Tell the customer on WhatsApp").uncheck()
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Cancel appointment").click()
    expect(page.get_by_text("The appointment was cancelled.")).to_be_visible()
    [appointment] = ui.managers.appointments.list_appointments(account, {"status": "cancelled"})["items"]
    assert appointment["status"] == "cancelled"
