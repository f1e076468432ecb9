"""Instance routes: the platform admin sees all, an account key its own."""
from flask import Blueprint, request

from web.api.whatsapp import qr_response
from web.auth import account_scoped, admin_only, current_principal
from web.jsonio import json_body
from web.managers import managers
from web.openapi.common import LIFECYCLE_ERRORS, QR_DESCRIPTION, QR_IMAGES
from web.openapi.declare import shapes
from zapfleet.core.errors import NotFound
from zapfleet.core.shapes import parse
from zapfleet.fleet.node_shapes import PinIn, PlacedInstance
from zapfleet.fleet.shapes import Instance, InstanceList, QrCode, QrQuery

bp = Blueprint("instances", __name__, url_prefix="/api/instances")
NO_INSTANCE = " 404 when the account has no instance."
NO_SUCH_INSTANCE = "no such instance"


def lifecycle(summary: str, description: str):
    """The declaration of a start, stop, restart or logout of an account's worker."""
    return shapes(tag="Instances", summary=summary, access="account", description=description + NO_INSTANCE,
                  responses={200: (Instance, "The instance.")}, errors=LIFECYCLE_ERRORS)


@bp.get("")
@shapes(tag="Instances", summary="List instances", access="any", responses={200: InstanceList},
        description="Every instance for the platform admin; the account's own (zero or one) for an "
                    "account key.")
def list_instances():
    """Every instance for the admin; an account's own for an account key."""
    principal = current_principal()
    return {"items": managers().instances.list(None if principal.is_admin else principal.account_id)}


@bp.post("/<uuid:account_id>/start")
@lifecycle("Start the worker", "Sets the desired state to running and starts the worker.")
@account_scoped
def start(account_id):
    """Start the account's worker."""
    return managers().instances.start(account_id)


@bp.post("/<uuid:account_id>/stop")
@lifecycle("Stop the worker", "Stops the worker; it stays stopped until started.")
@account_scoped
def stop(account_id):
    """Stop the account's worker (it stays stopped until started)."""
    return managers().instances.stop(account_id)


@bp.post("/<uuid:account_id>/restart")
@lifecycle("Restart the worker", "Stops and starts the worker; the session survives.")
@account_scoped
def restart(account_id):
    """Restart the account's worker; the session survives."""
    return managers().instances.restart(account_id)


@bp.get("/<uuid:account_id>/qr")
@shapes(tag="WhatsApp", summary="Get the QR code", access="account", query=QrQuery,
        description=QR_DESCRIPTION, responses={200: QR_IMAGES}, models=(QrCode,), errors=(503,))
@account_scoped
def qr(account_id):
    """The current QR (?format=json|png|svg)."""
    return qr_response(account_id, request.args.get("format", "json"))


@bp.post("/<uuid:account_id>/logout")
@lifecycle("Unlink the phone", "Unlinks the phone from the worker; a new QR follows.")
@account_scoped
def logout(account_id):
    """Unlink the phone; a new QR follows."""
    return managers().instances.logout(account_id)


@bp.delete("/<uuid:account_id>")
@shapes(tag="Instances", summary="Delete the instance", access="account",
        description="Stops the worker, removes its program and wipes its session. This cannot be "
                    "undone." + NO_INSTANCE, responses={204: "The instance is gone."}, errors=LIFECYCLE_ERRORS)
@account_scoped
def delete(account_id):
    """The company cancels: stop the worker, remove its program, wipe its session."""
    managers().instances.delete(account_id)
    return "", 204


def instance_by_id(instance_id) -> dict:
    """The instance with this id (the admin's pin addresses instances by their own id, not by
    account, so that account keys meet 403 here, not 404); NotFound when there is none."""
    for instance in managers().instances.list(None):
        if instance["id"] == instance_id:
            return instance
    raise NotFound(NO_SUCH_INSTANCE)


@bp.put("/<uuid:instance_id>/node")
@shapes(tag="Nodes", summary="Pin an instance to a node", access="admin", body=PinIn,
        description="Pins the instance to a node that is answering: when it runs elsewhere, its node "
                    "stops its worker and hands it over there (its session follows). null unpins it: "
                    "it stays where it is, and failover or a drain may move it again. 404 for an "
                    "unknown instance, or a node that is unknown or not answering.",
        responses={200: (PlacedInstance, "The instance, pinned (moving_to set while it is handed "
                                         "over) or unpinned.")}, errors=(404,))
@admin_only
def pin_instance(instance_id):
    """Pin the instance to a live node ({"node_id"}), or unpin it (null)."""
    target = parse(PinIn, json_body()).node_id
    instance = instance_by_id(instance_id)
    managers().nodes.pin(instance, target)
    if instance["node_id"] is not None and target not in (None, instance["node_id"]):
        managers().nodes.poke(instance, "sync")  # its node's agent hands it over now
    return managers().instances.get(instance["account_id"])
