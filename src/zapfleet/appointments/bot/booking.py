"""The booking flow over WhatsApp: services as a numbered list, free slots, a slot
chosen by its number or as "14:30 amanhã", the appointment made and confirmed; "cancelar"
cancels the next appointment. The step of each conversation is stored in chat_states."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from zapfleet.appointments.book import book, cancel
from zapfleet.appointments.bot.parse import (
    choice_number,
    normalize,
    wants_booking,
    wants_cancel,
    wants_help,
    when,
)
from zapfleet.appointments.bot.turn import Turn
from zapfleet.appointments.notices import automatic_key, send_notice
from zapfleet.appointments.slots import fits, free_slots, span
from zapfleet.core.errors import Conflict
from zapfleet.db import appointments as appointments_sql
from zapfleet.db import catalog as catalog_sql
from zapfleet.db import chat_states as sql
from zapfleet.tenancy.account_settings import zone_of

STEP_TIMEOUT = timedelta(minutes=30)
MAX_OFFERED = 8
SHORT_DAYS = ("seg", "ter", "qua", "qui", "sex", "sáb", "dom")


def current_step(state: dict, now: datetime) -> str:
    """The conversation's step; a step left alone longer than STEP_TIMEOUT is over."""
    fresh = state["step_at"] is not None and now - state["step_at"] <= STEP_TIMEOUT
    return state["step"] if fresh else "idle"


def slot_label(slot: datetime, turn: Turn) -> str:
    """"hoje às 14:30", "amanhã às 09:00" or "sex 21/11 às 10:00"."""
    local, today = slot.astimezone(zone_of(turn.settings)), turn.local_now.date()
    days = (local.date() - today).days
    day = {0: "hoje", 1: "amanhã"}.get(days, f"{SHORT_DAYS[local.weekday()]} {local:%d/%m}")
    return f"{day} às {local:%H:%M}"


def handle(turn: Turn, state: dict) -> bool:
    """Answer the message when it belongs to the booking flow; False when it does not."""
    step, norm = current_step(state, turn.now), turn.norm
    if step == "idle":
        return _idle(turn, norm)
    if wants_cancel(norm):
        turn.reply("booking_aborted")
        _save(turn, "idle")
    elif wants_booking(norm):
        _offer_services(turn)
    elif wants_help(norm):
        turn.reply("booking_help")
        _save(turn, step, state["data"])
    elif step == "choosing_service":
        _choose_service(turn, norm, state["data"])
    else:
        _choose_slot(turn, norm, state["data"])
    return True


def _idle(turn: Turn, norm: str) -> bool:
    if wants_cancel(norm):
        _cancel_next(turn)
    elif wants_booking(norm):
        _offer_services(turn)
    elif wants_help(norm):
        turn.reply("booking_help")
    else:
        return False
    return True


def _save(turn: Turn, step: str, data: dict[str, Any] | None = None) -> None:
    sql.save_step(turn.conn, turn.conversation_id, step, data or {}, turn.now)


def _services(turn: Turn) -> list[dict]:
    return catalog_sql.list_services(turn.conn, turn.account_id, active_only=True)


def _offer_services(turn: Turn) -> None:
    services = _services(turn)
    if not services:
        turn.reply("booking_no_services")
        return _save(turn, "idle")
    lines = "\n".join(f"{n}. {s['name']} ({s['duration_minutes']} min)"
                      for n, s in enumerate(services, 1))
    turn.reply("booking_services", services=lines)
    _save(turn, "choosing_service", {"service_ids": [str(s["id"]) for s in services]})


def _choose_service(turn: Turn, norm: str, data: dict) -> None:
    by_id = {str(s["id"]): s for s in _services(turn)}
    offered = [by_id[i] for i in data.get("service_ids", []) if i in by_id]
    number = choice_number(norm)
    if number is not None and 1 <= number <= len(offered):
        return _offer_slots(turn, offered[number - 1])
    named = [s for s in offered if normalize(s["name"]) in norm]
    if named:
        return _offer_slots(turn, named[0])
    turn.reply("booking_help")
    _save(turn, "choosing_service", data)


def _offer_slots(turn: Turn, service: dict, day=None, template: str = "booking_slots") -> None:
    busy = appointments_sql.busy(turn.conn, turn.account_id, *span(turn.settings, turn.now, day))
    duration = timedelta(minutes=service["duration_minutes"])
    slots = free_slots(turn.settings, duration, turn.now, busy, day=day, limit=MAX_OFFERED)
    if not slots and day is None:
        turn.reply("booking_no_slots", service=service["name"], days=turn.settings["booking_days"])
        return _save(turn, "idle")
    if not slots:  # nothing that day: offer the next free ones
        return _offer_slots(turn, service, template="booking_slot_taken")
    lines = "\n".join(f"{n}. {slot_label(s, turn)}" for n, s in enumerate(slots, 1))
    turn.reply(template, service=service["name"], slots=lines)
    _save(turn, "choosing_slot", {"service_id": str(service["id"]),
                                  "slots": [s.isoformat() for s in slots]})


def _choose_slot(turn: Turn, norm: str, data: dict) -> None:
    service = catalog_sql.get_service(turn.conn, turn.account_id, UUID(data["service_id"]))
    if service is None or not service["active"]:
        return _offer_services(turn)
    offered = [datetime.fromisoformat(s) for s in data.get("slots", [])]
    number = choice_number(norm)
    if number is not None and 1 <= number <= len(offered):
        return _book(turn, service, offered[number - 1])
    day, at = when(norm, turn.local_now)
    if at is not None:
        start = _resolve(turn, service, day, at, offered)
        if start is not None:
            return _book(turn, service, start)
        return _offer_slots(turn, service, day=day, template="booking_slot_taken")
    if day is not None:
        return _offer_slots(turn, service, day=day)
    turn.reply("booking_help")
    _save(turn, "choosing_slot", data)


def _resolve(turn: Turn, service: dict, day, at, offered: list[datetime]) -> datetime | None:
    """The slot a day and time name (the offered one at that time when no day is said)."""
    zone = zone_of(turn.settings)
    if day is None:
        matching = [s for s in offered if s.astimezone(zone).time() == at]
        if matching:
            return matching[0]
    today = turn.local_now.date()
    days = [day] if day else [today + timedelta(days=n) for n in range(turn.settings["booking_days"])]
    for current in days:
        start = datetime.combine(current, at, tzinfo=zone)
        if _bookable(turn, service, start):
            return start
    return None


def _bookable(turn: Turn, service: dict, start: datetime) -> bool:
    duration = timedelta(minutes=service["duration_minutes"])
    first, last = span(turn.settings, turn.now)
    lead = timedelta(minutes=turn.settings["booking_lead_minutes"])
    return (turn.now + lead <= start < last and first <= start
            and fits(turn.settings["business_hours"], zone_of(turn.settings), start, duration)
            and not appointments_sql.busy(turn.conn, turn.account_id, start, start + duration))


def _book(turn: Turn, service: dict, start: datetime) -> None:
    if not _bookable(turn, service, start):
        return _offer_slots(turn, service, template="booking_slot_taken")
    try:
        appointment = book(turn.conn, turn.account_id, turn.contact["id"], service, start,
                           settings=turn.settings, now=turn.now, source="whatsapp")
    except Conflict:
        return _offer_slots(turn, service, template="booking_slot_taken")
    message = send_notice(turn.conn, appointment, "confirmation",
                          automatic_key(appointment, "confirmation"), now=turn.now,
                          deadline=turn.deadline)
    turn.replies.append(message)
    _save(turn, "idle")


def _cancel_next(turn: Turn) -> None:
    appointment = appointments_sql.next_for_contact(turn.conn, turn.account_id, turn.contact["id"],
                                                    turn.now)
    if appointment is None:
        turn.reply("booking_nothing_to_cancel")
        return
    cancelled = cancel(turn.conn, appointment, turn.now)
    turn.replies.append(send_notice(turn.conn, cancelled, "cancellation",
                                    automatic_key(cancelled, "cancellation"), now=turn.now,
                                    deadline=turn.deadline))
