"""Reading what customers write, and the slots offered from business hours."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from zapfleet.tenancy.account_settings import effective
from zapfleet.appointments.bot.parse import (choice_number, is_keyword, normalize, wants_booking, wants_cancel,
                                when)
from zapfleet.appointments.slots import fits, free_slots, is_open

SP = ZoneInfo("America/Sao_Paulo")
FRIDAY = datetime(2026, 11, 20, 10, 0, tzinfo=SP)


@pytest.mark.parametrize("text, expected", [
    ("14:30 amanhã", (date(2026, 11, 21), time(14, 30))),
    ("Amanhã às 9h", (date(2026, 11, 21), time(9, 0))),
    ("segunda 15h30", (date(2026, 11, 23), time(15, 30))),
    ("25/11 às 16 horas", (date(2026, 11, 25), time(16, 0))),
    ("dia 2 as 10", (date(2026, 12, 2), time(10, 0))),
    ("depois de amanhã 8:00", (date(2026, 11, 22), time(8, 0))),
    ("hoje", (date(2026, 11, 20), None)),
    ("às 17", (None, time(17, 0))),
    ("31/02 10h", (None, time(10, 0))),
    ("obrigada", (None, None)),
])
def test_days_and_times_in_portuguese(text, expected):
    assert when(normalize(text), FRIDAY) == expected


@pytest.mark.parametrize("text, number", [("2", 2), ("2 - Corte", 2), ("opção 3", 3), ("1.", 1),
                                          ("14:30", None), ("14h", None), ("quero 2 cortes", None)])
def test_a_choice_by_number(text, number):
    assert choice_number(normalize(text)) == number


def test_intents_and_keywords():
    assert wants_booking(normalize("Quero AGENDAR uma consulta"))
    assert wants_booking(normalize("posso marcar um horário?"))
    assert not wants_booking(normalize("qual o horário de vocês?"))
    assert wants_cancel(normalize("Cancelar")) and wants_cancel(normalize("preciso desmarcar"))
    assert is_keyword(normalize(" Sair! "), ["SAIR", "STOP"])
    assert not is_keyword(normalize("não quero sair hoje"), ["SAIR", "STOP"])


def settings(**changes):
    return effective({"business_hours": {"fri": ["09:00-12:00", "13:00-18:00"], "sat": [],
                                         "sun": []}, "booking_lead_minutes": 60, **changes})


def test_slots_follow_hours_duration_lead_time_and_appointments():
    busy = [{"starts_at": datetime(2026, 11, 20, 11, 0, tzinfo=SP),
             "ends_at": datetime(2026, 11, 20, 11, 30, tzinfo=SP)}]
    slots = free_slots(settings(), timedelta(minutes=60), FRIDAY, busy, day=FRIDAY.date(), limit=20)
    assert [s.strftime("%H:%M") for s in slots] == ["13:00", "13:30", "14:00", "14:30", "15:00",
                                                      "15:30", "16:00", "16:30", "17:00"]
    # 11:00 is taken, 11:30 would not end before the lunch break, 10:00 is inside the lead time


def test_slots_over_the_next_days_skip_closed_days_and_keep_a_few_per_day():
    slots = free_slots(settings(), timedelta(minutes=30), FRIDAY, [], limit=8, per_day=4)
    days = [s.date() for s in slots]
    assert days[:4] == [date(2026, 11, 20)] * 4 and days[4:] == [date(2026, 11, 23)] * 4


def test_opening_hours():
    hours = settings()["business_hours"]
    assert is_open(hours, SP, datetime(2026, 11, 20, 9, 0, tzinfo=SP))
    assert not is_open(hours, SP, datetime(2026, 11, 20, 12, 30, tzinfo=SP))
    assert not is_open(hours, SP, datetime(2026, 11, 21, 10, 0, tzinfo=SP))
    assert fits(hours, SP, datetime(2026, 11, 20, 17, 0, tzinfo=SP), timedelta(hours=1))
    assert not fits(hours, SP, datetime(2026, 11, 20, 11, 30, tzinfo=SP), timedelta(hours=1))
