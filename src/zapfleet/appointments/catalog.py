"""An account's services: what customers book, with its duration."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from zapfleet.appointments.shapes import ServiceIn, ServiceOrder, ServicePatch
from zapfleet.core.errors import Conflict, InvalidInput, NotFound, message_id
from zapfleet.core.shapes import parse
from zapfleet.core.unique import unique_violation
from zapfleet.db import Database
from zapfleet.db import catalog as sql

DUPLICATE = message_id("a service with this name already exists")
EVERY_SERVICE_ONCE = "must list each of the account's services once"


def service_fields(data: Mapping[str, Any], partial: bool) -> dict[str, Any]:
    """The checked columns of a service from a request body (a patch: only those sent)."""
    return parse(ServicePatch if partial else ServiceIn, data).model_dump(exclude_unset=partial)


class ServiceCatalog:
    """Create, read, change and delete an account's services."""

    def __init__(self, db: Database):
        self.db = db

    def list_services(self, account_id: UUID) -> list[dict]:
        """Every service, in display order."""
        with self.db.tenant(account_id) as conn:
            return sql.list_services(conn, account_id)

    def create_service(self, account_id: UUID, data: Mapping[str, Any]) -> dict:
        """Add a service (name and duration_minutes required)."""
        fields = service_fields(data, partial=False)
        with unique_violation(Conflict, DUPLICATE), self.db.tenant(account_id) as conn:
            if data.get("position") is None:  # at the end of the list
                fields["position"] = sql.next_position(conn, account_id)
            return sql.insert_service(conn, account_id, fields)

    def get_service(self, account_id: UUID, service_id: UUID) -> dict:
        """One service."""
        with self.db.tenant(account_id) as conn:
            service = sql.get_service(conn, account_id, service_id)
        if service is None:
            raise NotFound("no such service")
        return service

    def update_service(self, account_id: UUID, service_id: UUID, data: Mapping[str, Any]) -> dict:
        """Change a service (booked appointments keep their times)."""
        changes = service_fields(data, partial=True)
        with unique_violation(Conflict, DUPLICATE), self.db.tenant(account_id) as conn:
            service = sql.update_service(conn, account_id, service_id, changes)
        if service is None:
            raise NotFound("no such service")
        return service

    def delete_service(self, account_id: UUID, service_id: UUID) -> None:
        """Delete a service; its appointments keep the service's name."""
        with self.db.tenant(account_id) as conn:
            if not sql.delete_service(conn, account_id, service_id):
                raise NotFound("no such service")

    def reorder_services(self, account_id: UUID, data: Mapping[str, Any]) -> list[dict]:
        """Put the services in the order of {ids} (each of them once); the list in that order."""
        ids = parse(ServiceOrder, data).ids
        with self.db.tenant(account_id) as conn:
            current = {row["id"] for row in sql.list_services(conn, account_id)}
            if len(ids) != len(current) or set(ids) != current:
                raise InvalidInput("ids", EVERY_SERVICE_ONCE)
            sql.set_positions(conn, account_id, ids)
            return sql.list_services(conn, account_id)

    def move_service(self, account_id: UUID, service_id: UUID, step: int) -> list[dict]:
        """Move one service up (step -1) or down (+1) the list; the list in its new order."""
        ids = [row["id"] for row in self.list_services(account_id)]
        if service_id not in ids:
            raise NotFound("no such service")
        at = ids.index(service_id)
        to = min(max(at + step, 0), len(ids) - 1)
        ids.insert(to, ids.pop(at))
        return self.reorder_services(account_id, {"ids": [str(i) for i in ids]})
