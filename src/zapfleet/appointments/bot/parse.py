"""Reading what a customer writes in Portuguese: intents, a choice's number, a day and a time."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta

BOOKING = re.compile(r"\b(agendar|agendamento|agende|marcar|reservar|reserva)\b")
CANCEL = re.compile(r"\b(cancelar|cancela|cancele|desmarcar)\b")
HELP = ("ajuda", "menu", "help", "opcoes", "?")
NUMBER = re.compile(r"^(?:n|numero|opcao)?\s*(\d{1,2})\s*(?:[-).]\s*.*)?$")
WEEKDAYS = ("segunda", "terca", "quarta", "quinta", "sexta", "sabado", "domingo")
_DAY_MONTH = re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b")
_DAY_ONLY = re.compile(r"\bdia (\d{1,2})\b")
_TIME = re.compile(r"\b(\d{1,2})(?::(\d{2})|h(\d{2})?|\s*horas?\b)")
_AT_HOUR = re.compile(r"\bas (\d{1,2})\b")


def normalize(text: str) -> str:
    """Lower case, without accents, single spaces, no punctuation around it."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"\s+", " ", plain).strip(" .,!;\t\n")


def is_keyword(norm: str, keywords: list[str]) -> bool:
    """True when the whole message is one of the keywords (any case, with or without accents)."""
    return norm in {normalize(keyword) for keyword in keywords}


def wants_booking(norm: str) -> bool:
    """The customer asks to book ("quero agendar", "marcar um horário")."""
    return bool(BOOKING.search(norm))


def wants_cancel(norm: str) -> bool:
    """The customer asks to cancel ("cancelar", "quero desmarcar")."""
    return bool(CANCEL.search(norm))


def wants_help(norm: str) -> bool:
    """The customer asks for the options."""
    return norm in HELP


def choice_number(norm: str) -> int | None:
    """The number of a choice: "2", "2 - Corte", "opção 2"; None for anything else."""
    match = NUMBER.match(norm)
    return int(match.group(1)) if match else None


def _date_of(norm: str, today: date) -> date | None:
    if "depois de amanha" in norm:
        return today + timedelta(days=2)
    if re.search(r"\bamanha\b", norm):
        return today + timedelta(days=1)
    if re.search(r"\bhoje\b", norm):
        return today
    for index, name in enumerate(WEEKDAYS):
        if re.search(rf"\b{name}\b", norm):
            return today + timedelta(days=(index - today.weekday()) % 7)
    return _numeric_date(norm, today)


def _next_month(today: date, day: int) -> date:
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return date(year, month, day)


def _numeric_date(norm: str, today: date) -> date | None:
    """25/11, 25/11/2026 or "dia 25": the next such day from today."""
    try:
        if match := _DAY_MONTH.search(norm):
            day, month, year = int(match.group(1)), int(match.group(2)), match.group(3)
            if year:
                return date(2000 + int(year) if len(year) == 2 else int(year), month, day)
            found = date(today.year, month, day)
            return found if found >= today else date(today.year + 1, month, day)
        if match := _DAY_ONLY.search(norm):
            day = int(match.group(1))
            return today.replace(day=day) if day >= today.day else _next_month(today, day)
    except ValueError:
        return None
    return None


def _time_of(norm: str) -> time | None:
    text = _DAY_MONTH.sub(" ", norm)
    match = _TIME.search(text)
    hour, minute = (int(match.group(1)), int(match.group(2) or match.group(3) or 0)) if match else (None, 0)
    if hour is None and (at := _AT_HOUR.search(text)):
        hour = int(at.group(1))
    if hour is None or hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def when(norm: str, now_local: datetime) -> tuple[date | None, time | None]:
    """The day and the time a message names ("14:30 amanhã", "sexta às 9h", "25/11 15h")."""
    return _date_of(norm, now_local.date()), _time_of(norm)
