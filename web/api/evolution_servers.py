"""The platform's Evolution API servers: the platform admin adds, reads, changes and
deletes them; each comes with its usage. The API key is accepted, never shown."""
from flask import Blueprint

from web.auth import admin_only
from web.jsonio import json_body
from web.managers import managers
from web.openapi.declare import shapes
from zapfleet.fleet.evolution_shapes import (
    EvolutionServer,
    EvolutionServerIn,
    EvolutionServerList,
    EvolutionServerPatch,
)

bp = Blueprint("evolution_servers", __name__, url_prefix="/api/evolution-servers")
TAG = "Evolution servers"


@bp.get("")
@shapes(tag=TAG, summary="List Evolution servers", access="admin", responses={200: EvolutionServerList},
        description="Every server with its instances, connected count, capacity and places left, their "
                    "totals, and the server set in the environment.")
@admin_only
def list_evolution_servers():
    """Every server with its usage, the totals, and the environment's server."""
    return managers().evolution_servers.list()


@bp.post("")
@shapes(tag=TAG, summary="Add an Evolution server", access="admin", body=EvolutionServerIn,
        description="Adds a server. A new evolution instance goes to an active server with room: the "
                    "highest priority, then the least used share of its capacity.",
        responses={201: (EvolutionServer, "The new server.")}, errors=(409,))
@admin_only
def create_evolution_server():
    """Add a server."""
    return managers().evolution_servers.create(json_body()), 201


@bp.get("/<uuid:server_id>")
@shapes(tag=TAG, summary="Get an Evolution server", access="admin", description="One server with its usage.",
        responses={200: EvolutionServer}, errors=(404,))
@admin_only
def get_evolution_server(server_id):
    """One server with its usage."""
    return managers().evolution_servers.get(server_id)


@bp.patch("/<uuid:server_id>")
@shapes(tag=TAG, summary="Change an Evolution server", access="admin", body=EvolutionServerPatch,
        description="Changes the fields sent. Its workers get a new URL, key or webhook base at the next "
                    "reconcile (within 30 s). A capacity below its instances only stops new ones.",
        responses={200: (EvolutionServer, "The changed server.")}, errors=(404, 409))
@admin_only
def update_evolution_server(server_id):
    """Change a server's settings (its workers follow at the next reconcile)."""
    return managers().evolution_servers.update(server_id, json_body())


@bp.delete("/<uuid:server_id>")
@shapes(tag=TAG, summary="Delete an Evolution server", access="admin", responses={204: "The server is gone."},
        description="Deletes a server that serves no instance; 409 while one lives there (switch or "
                    "delete those first, or set active to false).", errors=(404, 409))
@admin_only
def delete_evolution_server(server_id):
    """Delete a server that serves no instance (409 otherwise)."""
    managers().evolution_servers.delete(server_id)
    return "", 204
