"""The OpenAPI paths and schemas of the platform's Evolution API servers (seed 001)."""
from __future__ import annotations

from typing import Any

from web.openapi.common import json_body, json_response, no_content, operation
from web.openapi.legacy_schemas import described, nullable, obj, record, ref, string, timestamp, uuid
from zapfleet.fleet.evolution_servers import DEFAULT_CAPACITY, MAX_CAPACITY, MAX_PRIORITY

Spec = dict[str, Any]

BASE = "/api/evolution-servers"
ONE = f"{BASE}/{{server_id}}"


def _count(description: str, minimum: int = 0, **more: Any) -> Spec:
    return {"type": "integer", "minimum": minimum, **more, "description": description}


def _inputs() -> dict[str, Spec]:
    """What the admin sends: every field when adding, any of them when changing."""
    return {
        "name": string("A name to tell it by, unique.", minLength=1, maxLength=100),
        "url": string("The server's base URL, http(s), e.g. https://evo1.example.com (not a route "
                      "such as /message/sendText).", format="uri", maxLength=500),
        "api_key": string("Its global API key (AUTHENTICATION_API_KEY): stored encrypted, never "
                          "shown again; no blanks, quotes or backslashes.", maxLength=500,
                          writeOnly=True),
        "webhook_base": nullable(string(
            "How it reaches the workers: http(s)://host (the worker's port is appended) or a URL "
            "with {port}; null for EVOLUTION_WEBHOOK_BASE's.", maxLength=500)),
        "capacity": _count("How many WhatsApp instances it may serve.", 1, maximum=MAX_CAPACITY,
                           default=DEFAULT_CAPACITY),
        "priority": _count("Higher goes first while it has room.", maximum=MAX_PRIORITY, default=0),
        "active": described({"type": "boolean", "default": True},
                            "False: it keeps its instances but gets no new one."),
    }


def evolution_schemas() -> dict[str, Spec]:
    """The schemas of the Evolution server routes, by name."""
    inputs = _inputs()
    shown = {name: schema for name, schema in inputs.items() if name != "api_key"}
    usage = {
        "instances": _count("The WhatsApp instances placed on it."),
        "connected": _count("Of those, the ones linked to a phone now."),
        "available": _count("Places left (capacity minus instances, at least 0)."),
        "usage_percent": _count("Instances as a percentage of the capacity."),
    }
    server = record({"id": uuid("The server's id."), **shown, **usage,
                     "created_at": timestamp("When it was added."),
                     "updated_at": timestamp("When it last changed.")},
                    "An Evolution API server with its usage; the API key is never shown.")
    totals = record({
        "servers": _count("Servers in the table."), "active": _count("Of those, the active ones."),
        "capacity": _count("The active servers' capacities, added up."),
        "available": _count("Places left on the active servers."),
        "instances": _count("Instances on the table's servers."),
        "connected": _count("Of those, the ones linked now."),
    }, "The figures of every server together.")
    environment = nullable(record({
        "url": string("EVOLUTION_URL."),
        "webhook_base": nullable(string("EVOLUTION_WEBHOOK_BASE.")),
        "used_for_new_instances": described(
            {"type": "boolean"}, "True while no server of the table is active."),
        "instances": _count("Instances placed on it."),
        "connected": _count("Of those, the ones linked now."),
    }, "The server set in the environment (read-only); null when EVOLUTION_URL and "
       "EVOLUTION_API_KEY are not set."))
    listed = record({"items": {"type": "array", "items": ref("EvolutionServer")},
                     "totals": ref("EvolutionTotals"), "environment": environment},
                    "Every server, highest priority first, with the totals.")
    return {"EvolutionServer": server, "EvolutionTotals": totals, "EvolutionServerList": listed,
            "EvolutionServerInput": obj(inputs, "A server to add.", required=("name", "url", "api_key")),
            "EvolutionServerChanges": obj(inputs, "The fields to change.")}


def evolution_operations() -> list[tuple[str, str, Spec]]:
    """The (path, method, operation) of every Evolution server route."""
    tag, server = "Evolution servers", json_response("The server.", "EvolutionServer")
    return [
        (BASE, "get", operation(
            "list_evolution_servers", tag, "List Evolution servers",
            "Every server with its instances, connected count, capacity and places left (seed "
            "001's usage figures), their totals, and the server set in the environment.",
            access="admin", ok=(200, json_response("The servers.", "EvolutionServerList")))),
        (BASE, "post", operation(
            "create_evolution_server", tag, "Add an Evolution server",
            "Adds a server. A new evolution instance goes to an active server with room: the "
            "highest priority, then the least used share of its capacity.",
            access="admin", body=json_body("EvolutionServerInput"), error_statuses=(400, 409),
            ok=(201, json_response("The new server.", "EvolutionServer")))),
        (ONE, "get", operation(
            "get_evolution_server", tag, "Get an Evolution server", "One server with its usage.",
            access="admin", error_statuses=(404,), ok=(200, server))),
        (ONE, "patch", operation(
            "update_evolution_server", tag, "Change an Evolution server",
            "Changes the fields sent. Its workers get a new URL, key or webhook base at the next "
            "reconcile (within 30 s). A capacity below its instances only stops new ones.",
            access="admin", body=json_body("EvolutionServerChanges"), error_statuses=(400, 404, 409),
            ok=(200, json_response("The changed server.", "EvolutionServer")))),
        (ONE, "delete", operation(
            "delete_evolution_server", tag, "Delete an Evolution server",
            "Deletes a server that serves no instance; 409 while one lives there (switch or "
            "delete those first, or set active to false).",
            access="admin", error_statuses=(404, 409), ok=no_content("The server is gone."))),
    ]
