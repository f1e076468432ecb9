"""An account's services: what customers book, with its duration."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from zapfleet.appointments.shapes import ServiceIn, ServicePatch
from zapfleet.core.errors import Conflict, NotFound
from zapfleet.core.shapes import parse
from zapfleet.core.unique import unique_violation
from zapfleet.db import Database
from zapfleet.db import catalog as sql

DUPLICATE = "a service with this name already exists"


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
