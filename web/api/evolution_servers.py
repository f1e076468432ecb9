"""The platform's Evolution API servers: the platform admin adds, reads, changes and
deletes them; each comes with its usage. The API key is accepted, never shown."""
from flask import Blueprint

from web.auth import admin_only
from web.jsonio import json_body
from web.managers import managers

bp = Blueprint("evolution_servers", __name__, url_prefix="/api/evolution-servers")


@bp.get("")
@admin_only
def list_evolution_servers():
    """Every server with its usage, the totals, and the environment's server."""
    return managers().evolution_servers.list()


@bp.post("")
@admin_only
def create_evolution_server():
    """Add a server."""
    return managers().evolution_servers.create(json_body()), 201


@bp.get("/<uuid:server_id>")
@admin_only
def get_evolution_server(server_id):
    """One server with its usage."""
    return managers().evolution_servers.get(server_id)


@bp.patch("/<uuid:server_id>")
@admin_only
def update_evolution_server(server_id):
    """Change a server's settings (its workers follow at the next reconcile)."""
    return managers().evolution_servers.update(server_id, json_body())


@bp.delete("/<uuid:server_id>")
@admin_only
def delete_evolution_server(server_id):
    """Delete a server that serves no instance (409 otherwise)."""
    managers().evolution_servers.delete(server_id)
    return "", 204
