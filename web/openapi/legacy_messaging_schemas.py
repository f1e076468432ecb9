"""OpenAPI schemas of issue 6: settings, campaign runs, scheduled messages, services,
appointments, the bot's state per conversation, and metrics."""
from __future__ import annotations

from typing import Any

from web.openapi.legacy_schemas import described, nullable, obj, page_of, record, ref, string, timestamp, uuid
from zapfleet.appointments.book import SOURCES
from zapfleet.appointments.book import STATUSES as APPOINTMENT_STATUSES

Schema = dict[str, Any]
WAITING_REASONS = ("not_connected", "window", "daily_cap", "gap")


def integer(description: str, **constraints: Any) -> Schema:
    """An integer with a description."""
    return {"type": "integer", **constraints, "description": description}


def boolean(description: str) -> Schema:
    """A boolean with a description."""
    return {"type": "boolean", "description": description}


def _appointment_schemas() -> dict[str, Schema]:
    service_fields = {
        "name": string("The service's name.", maxLength=100),
        "duration_minutes": integer("How long it takes.", minimum=5, maximum=720),
        "price_cents": nullable(integer("Its price in cents, shown nowhere yet.", minimum=0)),
        "active": boolean("Offered by the booking bot."),
        "position": integer("Display order.", minimum=0, maximum=10000),
    }
    service = record({"id": uuid("The service's id."), "account_id": uuid("The account."),
                      **service_fields, "created_at": timestamp("Created."),
                      "updated_at": timestamp("Last changed.")}, "Something customers book.")
    service_input = obj(service_fields, "A new service.", required=("name", "duration_minutes"))
    local = record({"date": string("DD/MM/YYYY"), "time": string("HH:MM"),
                    "weekday": string("In Portuguese.")}, "The start in the account's time zone.")
    appointment = record({
        "id": uuid("The appointment's id."), "account_id": uuid("The account."),
        "contact_id": uuid("The contact."), "phone": string("The contact's phone."),
        "contact_name": string("The contact's name."),
        "service_id": nullable(uuid("The service; null when deleted or given by name.")),
        "service_name": string("The service's name when booked."),
        "starts_at": timestamp("Start."), "ends_at": timestamp("End."),
        "status": string("Its status.", enum=list(APPOINTMENT_STATUSES)),
        "source": string("api, or whatsapp when the bot booked it.", enum=list(SOURCES)),
        "notes": string("Notes."), "remind_at": nullable(timestamp("When the reminder goes out.")),
        "reminder_sent_at": nullable(timestamp("When it went out.")),
        "cancelled_at": nullable(timestamp("When it was cancelled.")),
        "created_at": timestamp("Booked."), "updated_at": timestamp("Last changed."),
        "local": local,
    }, "An appointment of a contact.")
    flags = {"notify": described({"type": "boolean", "default": True}, "Send the WhatsApp notice."),
             "allow_overlap": described({"type": "boolean", "default": False},
                                        "Book even when it overlaps another appointment.")}
    new = obj({"contact_id": uuid("The contact; or give phone (and name)."),
               "phone": string("The contact's phone (created when new)."), "name": string("Its name."),
               "service_id": uuid("The service; or give service and duration_minutes."),
               "service": string("A service name."), "duration_minutes": integer("Its duration."),
               "starts_at": string("ISO 8601; without an offset it is the account's local time."),
               "notes": string("Notes.", maxLength=2000), **flags},
              "A new appointment.", required=("starts_at",))
    changes = obj({"starts_at": new["properties"]["starts_at"], "service_id": uuid("Another service."),
                   "notes": string("Notes."), "status": string("cancelled cancels it with its notice.",
                                                               enum=list(APPOINTMENT_STATUSES)), **flags},
                  "Changes; a new start time is confirmed again and reminded anew.")
    slot = record({"starts_at": timestamp("Start."), "ends_at": timestamp("End."), **local["properties"]},
                  "A free slot.")
    return {"Service": service, "ServiceInput": service_input,
            "ServiceChanges": {**service_input, "required": []},
            "ServiceList": record({"items": {"type": "array", "items": ref("Service")}}, "Services."),
            "Appointment": appointment, "AppointmentInput": new, "AppointmentChanges": changes,
            "AppointmentCancel": obj({"notify": flags["notify"]}, "Optional."),
            "AppointmentPage": page_of("Appointment", "A page of appointments by start time."),
            "Slots": record({"service": ref("Service"), "slots": {"type": "array", "items": slot}},
                            "Free slots of a service."),
            "Notice": record({"message": ref("OutboxMessage")}, "The notice, queued.")}


def messaging_schemas() -> dict[str, Schema]:
    """The schemas of issue 6's routes, by name."""
    return {**_appointment_schemas()}
