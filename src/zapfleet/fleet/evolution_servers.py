"""The platform's Evolution API servers: their settings and usage, and the choice of
the server each new evolution instance goes to.

The server set in the environment (EVOLUTION_URL, EVOLUTION_API_KEY, EVOLUTION_WEBHOOK_BASE)
is the implicit one: new instances go there only while no server of the table is active, and
instances placed there (no server row) stay there.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import psycopg2.errors

from zapfleet.config import Config
from zapfleet.core.errors import Conflict, InvalidInput, NotFound, Unavailable, message_id
from zapfleet.core.security import SecretBox
from zapfleet.core.shapes import parse
from zapfleet.core.unique import unique_violation
from zapfleet.db import Database
from zapfleet.db import evolution_servers as sql
from zapfleet.fleet.evolution_shapes import EvolutionServerIn, EvolutionServerPatch

log = logging.getLogger("zapfleet.evolution")

NO_SERVER = ("the evolution engine needs an Evolution API server: the platform admin adds one "
             "(POST /api/evolution-servers) or sets EVOLUTION_URL and EVOLUTION_API_KEY")
FULL = ("every Evolution API server is full: there is no room for another WhatsApp number; "
        "ask the platform admin to add a server or raise a server's capacity")
NO_SUCH_SERVER = "no such Evolution server"


@dataclass(frozen=True)
class ServerSettings:
    """What a worker needs to reach its Evolution server."""

    url: str
    api_key: str = field(repr=False)
    webhook_base: str


def best_server(candidates: list[dict]) -> dict | None:
    """The choice of a server: among active servers with room, the highest priority, then the least
    used (the lowest share of its capacity taken), then the fewest instances, then the oldest."""
    roomy = [s for s in candidates if s["active"] and s["instances"] < s["capacity"]]
    return min(roomy, default=None, key=lambda s: (
        -s["priority"], s["instances"] / s["capacity"], s["instances"], s["created_at"]))


def with_room(server: dict) -> dict:
    """A server row as the API shows it: usage figures added, never the API key."""
    taken = server["instances"]
    return {**server, "available": max(server["capacity"] - taken, 0),
            "usage_percent": round(100 * taken / server["capacity"])}


class EvolutionServers:
    """Create, list, change and delete servers; place evolution instances on them."""

    def __init__(self, db: Database, config: Config):
        self.db, self.config = db, config
        self._box: SecretBox | None = None

    @property
    def box(self) -> SecretBox:
        """The cipher of the stored API keys (made on first use: it needs SECRET_KEY)."""
        if self._box is None:
            self._box = SecretBox(self.config.secret_key)
        return self._box

    def environment_configured(self) -> bool:
        """True when EVOLUTION_URL and EVOLUTION_API_KEY name an implicit server."""
        return bool(self.config.evolution_url and self.config.evolution_api_key)

    def available(self) -> bool:
        """True when a new evolution instance has a server to go to (if it has room)."""
        if self.environment_configured():
            return True
        with self.db.system() as conn:
            return bool(sql.list_servers(conn, active_only=True))

    # -- the admin's API ------------------------------------------------------------------

    def list(self) -> dict:
        """Every server with its usage, the totals, and the environment's server (or None)."""
        with self.db.system() as conn:
            servers = [with_room(s) for s in sql.list_servers(conn)]
            environment = sql.environment_usage(conn) if self.environment_configured() else None
        active = [s for s in servers if s["active"]]
        totals = {"servers": len(servers), "active": len(active),
                  "capacity": sum(s["capacity"] for s in active),
                  "available": sum(s["available"] for s in active),
                  "instances": sum(s["instances"] for s in servers),
                  "connected": sum(s["connected"] for s in servers)}
        if environment is not None:
            environment = {"url": self.config.evolution_url,
                           "webhook_base": self.config.evolution_webhook_base or None,
                           "used_for_new_instances": not active, **environment}
        return {"items": servers, "totals": totals, "environment": environment}

    def get(self, server_id: UUID) -> dict:
        """One server with its usage; NotFound when there is none."""
        with self.db.system() as conn:
            server = sql.get_server(conn, server_id)
        if server is None:
            raise NotFound(NO_SUCH_SERVER)
        return with_room(server)

    def create(self, data: Mapping[str, Any]) -> dict:
        """Add a server {name, url, api_key, webhook_base?, capacity?, priority?, active?}."""
        fields = self._fields(data, creating=True)
        with unique_violation(Conflict, message_id("another Evolution server has this name or URL")):
            with self.db.system() as conn:
                server_id = sql.insert_server(conn, fields)
        return self.get(server_id)

    def update(self, server_id: UUID, data: Mapping[str, Any]) -> dict:
        """Change the fields sent; workers on it get the new settings at the next reconcile."""
        changes = self._fields(data, creating=False)
        with unique_violation(Conflict, message_id("another Evolution server has this name or URL")):
            with self.db.system() as conn:
                if not sql.update_server(conn, server_id, changes):
                    raise NotFound(NO_SUCH_SERVER)
        return self.get(server_id)

    def delete(self, server_id: UUID) -> None:
        """Delete a server that serves no instance; Conflict when one still lives there."""
        try:
            with self.db.system() as conn:
                sql.lock_servers(conn)  # no instance is placed on it meanwhile
                server = sql.get_server(conn, server_id)
                if server is None:
                    raise NotFound(NO_SUCH_SERVER)
                if server["instances"]:
                    raise Conflict(self._still_serves(server))
                sql.delete_server(conn, server_id)
        except psycopg2.errors.ForeignKeyViolation:
            raise Conflict("the Evolution server still serves WhatsApp instances") from None

    @staticmethod
    def _still_serves(server: dict) -> str:
        return (f"the Evolution server {server['name']!r} still serves {server['instances']} "
                "WhatsApp instance(s): switch or delete them first, or set active to false so "
                "that no new one goes there")

    def _fields(self, data: Mapping[str, Any], creating: bool) -> dict[str, Any]:
        """The validated columns of a create (defaults filled) or a change (fields sent)."""
        shape = EvolutionServerIn if creating else EvolutionServerPatch
        fields = parse(shape, data).model_dump(exclude_unset=not creating)
        if "api_key" in fields:
            fields["api_key_encrypted"] = self.box.seal(fields.pop("api_key"))
        return fields

    # -- placing instances and configuring their workers ----------------------------------

    def place(self, conn, engine: str) -> UUID | None:
        """The server for an instance going on `engine`, inside the caller's transaction (which
        then records it): None for other engines and for the environment's server.
        InvalidInput (engine) when there is no server at all; Unavailable when all are full."""
        if engine != "evolution":
            return None
        sql.lock_servers(conn)  # held until the caller's transaction ends: no overfilling
        active = sql.list_servers(conn, active_only=True)
        if not active:
            if self.environment_configured():
                return None
            raise InvalidInput("engine", NO_SERVER)
        chosen = best_server(active)
        if chosen is None:
            raise Unavailable(FULL)
        return chosen["id"]

    def settings(self, server_id: UUID | None) -> ServerSettings | None:
        """The settings of an instance's server (the environment's when None); None when it
        has none."""
        default_base = self.config.evolution_webhook_base
        if server_id is None:
            if not self.environment_configured():
                return None
            return ServerSettings(self.config.evolution_url, self.config.evolution_api_key, default_base)
        with self.db.system() as conn:
            row = sql.server_secret(conn, server_id)
        if row is None:
            return None
        key = self.box.open(row["api_key_encrypted"])
        if key is None:
            log.warning("the API key of the Evolution server %r cannot be decrypted (SECRET_KEY "
                        "changed since it was stored): set it again", row["name"])
        return ServerSettings(row["url"], key or "", row["webhook_base"] or default_base)
