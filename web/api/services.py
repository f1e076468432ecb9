"""An account's services: what customers book, with its duration."""
from flask import Blueprint

from web.auth import account_scoped
from web.jsonio import json_body
from web.managers import managers
from web.openapi.declare import shapes
from zapfleet.appointments.shapes import Service, ServiceIn, ServiceList, ServiceOrder, ServicePatch

bp = Blueprint("services", __name__, url_prefix="/api/accounts/<uuid:account_id>/services")


@bp.get("")
@shapes(tag="Services", summary="List services", access="account", description="Every service, in display "
        "order.", responses={200: ServiceList})
@account_scoped
def list_services(account_id):
    """Every service, in display order."""
    return {"items": managers().catalog.list_services(account_id)}


@bp.post("")
@shapes(tag="Services", summary="Add a service", access="account", body=ServiceIn,
        description="Adds something customers can book.", responses={201: Service}, errors=(409,))
@account_scoped
def create_service(account_id):
    """Add a service."""
    return managers().catalog.create_service(account_id, json_body()), 201


@bp.put("/order")
@shapes(tag="Services", summary="Reorder the services", access="account", body=ServiceOrder,
        description="Puts the services in the order of `ids` (every service once); the booking "
        "bot offers them in this order.", responses={200: ServiceList})
@account_scoped
def reorder_services(account_id):
    """Put the services in a new order."""
    return {"items": managers().catalog.reorder_services(account_id, json_body())}


@bp.get("/<uuid:service_id>")
@shapes(tag="Services", summary="Get a service", access="account", description="One service.",
        responses={200: Service})
@account_scoped
def get_service(account_id, service_id):
    """One service."""
    return managers().catalog.get_service(account_id, service_id)


@bp.patch("/<uuid:service_id>")
@shapes(tag="Services", summary="Change a service", access="account", body=ServicePatch,
        description="Changes the fields sent.", responses={200: Service}, errors=(409,))
@account_scoped
def update_service(account_id, service_id):
    """Change a service."""
    return managers().catalog.update_service(account_id, service_id, json_body())


@bp.delete("/<uuid:service_id>")
@shapes(tag="Services", summary="Delete a service", access="account",
        description="Deletes it; appointments keep its name.", responses={204: "The service is gone."})
@account_scoped
def delete_service(account_id, service_id):
    """Delete a service."""
    managers().catalog.delete_service(account_id, service_id)
    return "", 204
