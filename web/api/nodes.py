"""The fleet's nodes (the machines that run the workers): the platform admin reads them with
their usage and health, and changes their capacity, priority, active and drain flags."""
from __future__ import annotations

from flask import Blueprint

from web.auth import admin_only
from web.jsonio import json_body
from web.managers import managers
from web.openapi.declare import shapes
from zapfleet.fleet.node_shapes import Node, NodeList, NodePatch

bp = Blueprint("nodes", __name__, url_prefix="/api/nodes")
TAG = "Nodes"


@bp.get("")
@shapes(tag=TAG, summary="List nodes", access="admin", responses={200: NodeList},
        description="Every node, highest priority first, with its instances (running, connected, "
                    "pinned), places left, usage, health (its last heartbeat) and the totals.")
@admin_only
def list_nodes():
    """Every node with its usage and health, and the totals."""
    return managers().nodes.list()


@bp.get("/<uuid:node_id>")
@shapes(tag=TAG, summary="Get a node", access="admin", description="One node with its usage and health.",
        responses={200: Node}, errors=(404,))
@admin_only
def get_node(node_id):
    """One node with its usage and health."""
    return managers().nodes.get(node_id)


@bp.patch("/<uuid:node_id>")
@shapes(tag=TAG, summary="Change a node", access="admin", body=NodePatch,
        description="Changes the fields sent. A node that is not active keeps its instances but gets "
                    "no new one; a draining node hands its unpinned instances to other nodes, one at "
                    "a time. A capacity below its instances only stops new ones.",
        responses={200: (Node, "The changed node.")}, errors=(404,))
@admin_only
def update_node(node_id):
    """Change a node's active, capacity, priority or drain."""
    return managers().nodes.update(node_id, json_body())
