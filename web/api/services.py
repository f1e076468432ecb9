"""An account's services: what customers book, with its duration."""
from flask import Blueprint

from web.auth import account_scoped
from web.jsonio import json_body
from web.managers import managers

bp = Blueprint("services", __name__, url_prefix="/api/accounts/<uuid:account_id>/services")


@bp.get("")
@account_scoped
def list_services(account_id):
    """Every service, in display order."""
    return {"items": managers().catalog.list_services(account_id)}


@bp.post("")
@account_scoped
def create_service(account_id):
    """Add a service."""
    return managers().catalog.create_service(account_id, json_body()), 201


@bp.get("/<uuid:service_id>")
@account_scoped
def get_service(account_id, service_id):
    """One service."""
    return managers().catalog.get_service(account_id, service_id)


@bp.patch("/<uuid:service_id>")
@account_scoped
def update_service(account_id, service_id):
    """Change a service."""
    return managers().catalog.update_service(account_id, service_id, json_body())


@bp.delete("/<uuid:service_id>")
@account_scoped
def delete_service(account_id, service_id):
    """Delete a service."""
    managers().catalog.delete_service(account_id, service_id)
    return "", 204
