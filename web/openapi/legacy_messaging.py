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
from zapfleet.db.recipients import STATUSES as RECIPIENT_STATUSES

Spec = dict[str, Any]
Ops = list[tuple[str, str, Spec]]


def _optional(schema: str) -> Spec:
    return json_body(schema, required=False)


def _campaign_action(action: str, summary: str, description: str, body: Spec | None = None) -> tuple:
    return (f"{ACCOUNT}/campaigns/{{campaign_id}}/{action}", "post", operation(
        f"{action}_campaign", "Campaigns", summary, description, access="account", body=body,
        error_statuses=(400, 409) if body else (409,),
        ok=(200, json_response("The campaign.", "Campaign"))))


def _campaign_run_operations() -> Ops:
    one = f"{ACCOUNT}/campaigns/{{campaign_id}}"
    status = {"type": "string", "enum": list(RECIPIENT_STATUSES)}
    return [
        (f"{ACCOUNT}/campaigns/audience", "get", operation(
            "campaign_audience", "Campaigns", "Count an audience",
            "How many contacts (not opted out) have any of the tags, e.g. before saving a campaign; "
            "with no tag, every contact that did not opt out.",
            access="account", error_statuses=(400,),
            parameters=[query("tags", "Tags, repeated (?tags=a&tags=b) or separated by commas.")],
            ok=(200, json_response("The count.", "Audience")))),
        _campaign_action("start", "Start a campaign",
                         "Starts a draft (or a scheduled one) now, or schedules it with send_at. The "
                         "recipients are fixed at the start: contacts with any target tag (every "
                         "contact when there is none), not opted out, each phone once. Messages then leave one "
                         "at a time, paced per number "
                         "(settings.pacing), only while the number is connected.",
                         _optional("CampaignStart")),
        _campaign_action("pause", "Pause a campaign", "Stops sending until it is resumed."),
        _campaign_action("resume", "Resume a campaign", "Goes on sending a paused campaign."),
        _campaign_action("cancel", "Cancel a campaign",
                         "Ends it; recipients not yet messaged are cancelled, and so is a message "
                         "not yet taken by WhatsApp."),
        (f"{one}/progress", "get", operation(
            "campaign_progress", "Campaigns", "Get a campaign's progress",
            "Recipients per status, the pacing and what a running campaign waits for.",
            access="account", ok=(200, json_response("The progress.", "CampaignProgress")))),
        (f"{one}/recipients", "get", operation(
            "list_recipients", "Campaigns", "List a campaign's recipients",
            "A page of recipients in send order, with each one's status.", access="account",
            error_statuses=(400,), parameters=[query("status", "Only this status.", status),
                                               *page_parameters("recipients")],
            ok=(200, json_response("A page of recipients.", "RecipientPage")))),
    ]


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
    return [*_campaign_run_operations(),
            *_service_operations(), *_appointment_operations()]
