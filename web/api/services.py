"""An account's services: what customers book, with its duration."""
from flask import Blueprint, current_app

from web.auth import account_scoped
from web.jsonio import json_body

bp = Blueprint("services", __name__, url_prefix="/api/accounts/<uuid:account_id>/services")


def book():
    """The app's AppointmentBook."""
    return current_app.extensions["zapfleet.appointments"]


@bp.get("")
@account_scoped
def list_services(account_id):
    """Every service, in display order."""
    return {"items": book().list_services(account_id)}


@bp.post("")
@account_scoped
def create_service(account_id):
    """Add a service."""
    return book().create_service(account_id, json_body()), 201


@bp.get("/<uuid:service_id>")
@account_scoped
def get_service(account_id, service_id):
    """One service."""
    return book().get_service(account_id, service_id)


@bp.patch("/<uuid:service_id>")
@account_scoped
def update_service(account_id, service_id):
    """Change a service."""
    return book().update_service(account_id, service_id, json_body())


@bp.delete("/<uuid:service_id>")
@account_scoped
def delete_service(account_id, service_id):
    """Delete a service."""
    book().delete_service(account_id, service_id)
    return "", 204
