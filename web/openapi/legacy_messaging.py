"""OpenAPI paths of issue 6: settings, campaign runs, scheduled messages, services, appointments,
the bot per conversation, metrics."""
from __future__ import annotations

from typing import Any

from web.openapi.common import (
    ACCOUNT,
    json_body,
    json_response,
    no_content,
    operation,
    page_parameters,
    query,
)

Spec = dict[str, Any]
Ops = list[tuple[str, str, Spec]]


def _optional(schema: str) -> Spec:
    return json_body(schema, required=False)


def _service_operations() -> Ops:
    base, one = f"{ACCOUNT}/services", f"{ACCOUNT}/services/{{service_id}}"
    service = json_response("The service.", "Service")
    return [
        (base, "get", operation("list_services", "Services", "List services",
                                "Every service, in display order.", access="account",
                                ok=(200, json_response("The services.", "ServiceList")))),
        (base, "post", operation("create_service", "Services", "Add a service",
                                 "Adds something customers can book.", access="account",
                                 body=json_body("ServiceInput"), error_statuses=(400, 409),
                                 ok=(201, service))),
        (one, "get", operation("get_service", "Services", "Get a service", "One service.",
                               access="account", ok=(200, service))),
        (one, "patch", operation("update_service", "Services", "Change a service",
                                 "Changes the fields sent.", access="account",
                                 body=json_body("ServiceChanges"), error_statuses=(400, 409),
                                 ok=(200, service))),
        (one, "delete", operation("delete_service", "Services", "Delete a service",
                                  "Deletes it; appointments keep its name.", access="account",
                                  ok=no_content("The service is gone."))),
    ]


def _notice(prefix: str, kind: str, seed: bool) -> tuple:
    name = f"{'seed' if seed else 'send'}_{kind}"
    where = "seed 000's form: the appointment names its account. " if seed else ""
    return (f"{prefix}/whatsapp/{kind}", "post", operation(
        name, "Appointments", f"Send the {kind}",
        f"Sends the {kind} notice again, now ({where}the appointment must be "
        f"{'cancelled' if kind == 'cancellation' else 'scheduled and still ahead'}).",
        access="account", error_statuses=(409,),
        ok=(201, json_response("The queued notice.", "Notice"))))


def _appointment_operations() -> Ops:
    base, one = f"{ACCOUNT}/appointments", f"{ACCOUNT}/appointments/{{appointment_id}}"
    appointment = json_response("The appointment.", "Appointment")
    moment = "ISO 8601; without an offset, the account's local time."
    return [
        (base, "get", operation(
            "list_appointments", "Appointments", "List appointments",
            "A page of appointments by start time.", access="account", error_statuses=(400,),
            parameters=[query("from", f"Starting at or after. {moment}"),
                        query("to", f"Starting before. {moment}"),
                        query("status", "Only this status."),
                        query("contact_id", "Only this contact's.", {"type": "string", "format": "uuid"}),
                        *page_parameters("appointments")],
            ok=(200, json_response("A page of appointments.", "AppointmentPage")))),
        (base, "post", operation(
            "create_appointment", "Appointments", "Book an appointment",
            "Books it (409 when it overlaps another, unless allow_overlap) and sends the "
            "confirmation unless notify is false; the reminder follows reminder_hours before.",
            access="account", body=json_body("AppointmentInput"), error_statuses=(400, 409),
            ok=(201, appointment))),
        (f"{base}/slots", "get", operation(
            "list_slots", "Appointments", "List free slots",
            "The free slots of a service from business hours, its duration and the appointments.",
            access="account", error_statuses=(400,),
            parameters=[query("service_id", "The service (required).", {"type": "string", "format": "uuid"}),
                        query("date", "One local day, YYYY-MM-DD; the next booking days when omitted.")],
            ok=(200, json_response("The slots.", "Slots")))),
        (one, "get", operation("get_appointment", "Appointments", "Get an appointment",
                               "One appointment.", access="account", ok=(200, appointment))),
        (one, "patch", operation(
            "update_appointment", "Appointments", "Change an appointment",
            "Changes notes or status, or moves it (confirmed again, reminded anew).",
            access="account", body=json_body("AppointmentChanges"), error_statuses=(400, 409),
            ok=(200, appointment))),
        (one, "delete", operation("delete_appointment", "Appointments", "Delete an appointment",
                                  "Deletes it without telling the contact.", access="account",
                                  ok=no_content("The appointment is gone."))),
        (f"{one}/cancel", "post", operation(
            "cancel_appointment", "Appointments", "Cancel an appointment",
            "Cancels it and sends the cancellation notice unless notify is false.",
            access="account", body=_optional("AppointmentCancel"), error_statuses=(400, 409),
            ok=(200, appointment))),
        *[_notice(one, kind, seed=False) for kind in ("confirmation", "reminder", "cancellation")],
        *[_notice("/api/appointments/{appointment_id}", kind, seed=True)
          for kind in ("confirmation", "reminder", "cancellation")],
    ]


def messaging_operations() -> Ops:
    """Every (path, method, operation) of issue 6."""
    return [
            *_service_operations(), *_appointment_operations()]
