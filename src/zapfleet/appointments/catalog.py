"""An account's services: what customers book, with its duration."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from zapfleet.core import validation
from zapfleet.core.errors import Conflict, InvalidInput, NotFound
from zapfleet.core.unique import unique_violation
from zapfleet.db import Database
from zapfleet.db import catalog as sql

DUPLICATE = "a service with this name already exists"


def _whole(data: Mapping[str, Any], field: str, low: int, high: int) -> int:
    value = data.get(field)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(field, f"must be a whole number from {low} to {high}")
    return value


def service_fields(data: Mapping[str, Any], partial: bool) -> dict[str, Any]:
    """The checked columns of a service from a request body."""
    fields: dict[str, Any] = {}
    if not partial or "name" in data:
        fields["name"] = validation.text(data, "name", max_len=100, required=True)
    if not partial or "duration_minutes" in data:
        fields["duration_minutes"] = _whole(data, "duration_minutes", 5, 720)
    if data.get("price_cents") is not None:
        fields["price_cents"] = _whole(data, "price_cents", 0, 100_000_000)
    elif "price_cents" in data:
        fields["price_cents"] = None
    if "active" in data:
        fields["active"] = validation.boolean(data, "active")
    if "position" in data:
        fields["position"] = _whole(data, "position", 0, 10000)
    return fields


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
