"""An account's appointments, their free slots and WhatsApp notices, and the notice routes."""
from flask import Blueprint, request

from web.auth import account_scoped, current_principal
from web.jsonio import json_body
from web.managers import managers
from web.openapi.declare import shapes
from zapfleet.appointments.shapes import (
    Appointment,
    AppointmentCancel,
    AppointmentIn,
    AppointmentPage,
    AppointmentPatch,
    AppointmentQuery,
    Notice,
    SlotQuery,
    Slots,
)
from zapfleet.core.errors import NotFound

bp = Blueprint("appointments", __name__)
BASE = "/api/accounts/<uuid:account_id>/appointments"
ONE = BASE + "/<uuid:appointment_id>"
SEED = "/api/appointments/<uuid:appointment_id>/whatsapp"


def notice(kind: str, seed: bool = False):
    """The declaration of a route that sends an appointment's notice again."""
    where = "the form where the appointment names its account; " if seed else ""
    state = "cancelled" if kind == "cancellation" else "scheduled and still ahead"
    return shapes(tag="Appointments", summary=f"Send the {kind}", access="account",
                  description=f"Sends the {kind} notice again, now ({where}the appointment must be {state}).",
                  responses={201: (Notice, "The queued notice.")}, errors=(409,))


def optional_body() -> dict:
    """The JSON body when there is one (these routes need none)."""
    return json_body() if request.content_length else {}


@bp.get(BASE)
@shapes(tag="Appointments", summary="List appointments", access="account", query=AppointmentQuery,
        description="A page of appointments by start time.", responses={200: AppointmentPage})
@account_scoped
def list_appointments(account_id):
    """A page of appointments by start time (?from=&to=&status=&contact_id=&limit=&cursor=)."""
    return managers().appointments.list_appointments(account_id, request.args)


@bp.post(BASE)
@shapes(tag="Appointments", summary="Book an appointment", access="account", body=AppointmentIn,
        description="Books it (409 when it overlaps another, unless allow_overlap) and sends the "
                    "confirmation unless notify is false; the reminder follows reminder_hours before.",
        responses={201: Appointment}, errors=(409,))
@account_scoped
def create_appointment(account_id):
    """Book an appointment; the confirmation goes out unless notify is false."""
    return managers().appointments.create_appointment(account_id, json_body()), 201


@bp.get(BASE + "/slots")
@shapes(tag="Appointments", summary="List free slots", access="account", query=SlotQuery,
        description="The free slots of a service from business hours, its duration and the appointments.",
        responses={200: Slots})
@account_scoped
def list_slots(account_id):
    """The free slots of a service (?service_id=&date=YYYY-MM-DD)."""
    return managers().appointments.open_slots(account_id, request.args.get("service_id"), request.args.get("date"))


@bp.get(ONE)
@shapes(tag="Appointments", summary="Get an appointment", access="account", description="One appointment.",
        responses={200: Appointment})
@account_scoped
def get_appointment(account_id, appointment_id):
    """One appointment."""
    return managers().appointments.get_appointment(account_id, appointment_id)


@bp.patch(ONE)
@shapes(tag="Appointments", summary="Change an appointment", access="account", body=AppointmentPatch,
        description="Changes notes or status, or moves it (confirmed again, reminded anew).",
        responses={200: Appointment}, errors=(409,))
@account_scoped
def update_appointment(account_id, appointment_id):
    """Change notes, status or start time (a moved appointment is confirmed again)."""
    return managers().appointments.update_appointment(account_id, appointment_id, json_body())


@bp.delete(ONE)
@shapes(tag="Appointments", summary="Delete an appointment", access="account",
        description="Deletes it without telling the contact.", responses={204: "The appointment is gone."})
@account_scoped
def delete_appointment(account_id, appointment_id):
    """Delete an appointment without telling the contact."""
    managers().appointments.delete_appointment(account_id, appointment_id)
    return "", 204


@bp.post(ONE + "/cancel")
@shapes(tag="Appointments", summary="Cancel an appointment", access="account", body=AppointmentCancel,
        body_required=False, description="Cancels it and sends the cancellation notice unless notify is "
                                         "false.", responses={200: Appointment}, errors=(409,))
@account_scoped
def cancel_appointment(account_id, appointment_id):
    """Cancel an appointment; the cancellation notice goes out unless notify is false."""
    return managers().appointments.cancel_appointment(account_id, appointment_id, optional_body())


def _resend(account_id, appointment_id, kind: str):
    return {"message": managers().appointments.resend_notice(account_id, appointment_id, kind)}, 201


@bp.post(ONE + "/whatsapp/confirmation")
@notice("confirmation")
@account_scoped
def send_confirmation(account_id, appointment_id):
    """Send the confirmation again."""
    return _resend(account_id, appointment_id, "confirmation")


@bp.post(ONE + "/whatsapp/reminder")
@notice("reminder")
@account_scoped
def send_reminder(account_id, appointment_id):
    """Send a reminder now."""
    return _resend(account_id, appointment_id, "reminder")


@bp.post(ONE + "/whatsapp/cancellation")
@notice("cancellation")
@account_scoped
def send_cancellation(account_id, appointment_id):
    """Send the cancellation notice again (the appointment must be cancelled)."""
    return _resend(account_id, appointment_id, "cancellation")


def _seed_resend(appointment_id, kind: str):
    """The form where the appointment names its account; another account's id is a 404."""
    principal = current_principal()
    account_id = managers().appointments.account_of(appointment_id)
    if not principal.can_reach(account_id):
        raise NotFound("no such appointment")
    return _resend(account_id, appointment_id, kind)


@bp.post(SEED + "/confirmation")
@notice("confirmation", seed=True)
def seed_confirmation(appointment_id):
    """Send the confirmation again (a notice route)."""
    return _seed_resend(appointment_id, "confirmation")


@bp.post(SEED + "/reminder")
@notice("reminder", seed=True)
def seed_reminder(appointment_id):
    """Send a reminder now (a notice route)."""
    return _seed_resend(appointment_id, "reminder")


@bp.post(SEED + "/cancellation")
@notice("cancellation", seed=True)
def seed_cancellation(appointment_id):
    """Send the cancellation notice again (a notice route)."""
    return _seed_resend(appointment_id, "cancellation")
