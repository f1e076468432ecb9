"""Reading and changing an account's messaging settings (validated, merged key by key)."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from zapfleet.core.clock import utcnow
from zapfleet.core.errors import NotFound
from zapfleet.db import Database
from zapfleet.db import appointments as appointments_sql
from zapfleet.db import settings as sql
from zapfleet.tenancy.account_settings import effective, merged
from zapfleet.tenancy.settings_shapes import validate_changes
from zapfleet.tenancy.templates import CAMPAIGN_PLACEHOLDERS, PLACEHOLDERS


def settings_view(stored: Mapping[str, Any] | None) -> dict:
    """The effective settings and, for forms, the placeholders each template may use."""
    placeholders = {name: list(names) for name, names in PLACEHOLDERS.items()}
    return {"settings": effective(stored), "placeholders": placeholders,
            "campaign_placeholders": list(CAMPAIGN_PLACEHOLDERS)}


class SettingsManager:
    """An account's time zone, business hours, bot switches, pacing and templates."""

    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow):
        self.db, self.clock = db, clock

    def get_messaging_settings(self, account_id: UUID) -> dict:
        """Every messaging setting (defaults where none is stored)."""
        with self.db.tenant(account_id) as conn:
            account = sql.get_settings(conn, account_id)
        if account is None:
            raise NotFound("no such account")
        return settings_view(account["settings"])

    def update_messaging_settings(self, account_id: UUID, data: Mapping[str, Any]) -> dict:
        """Change some settings (groups such as templates merge key by key; null resets)."""
        changes = validate_changes(data)
        with self.db.tenant(account_id) as conn:
            account = sql.get_settings(conn, account_id, for_update=True)
            if account is None:
                raise NotFound("no such account")
            stored = merged(account["settings"] or {}, changes)
            sql.save_settings(conn, account_id, stored)
            if "reminder_hours" in changes:
                hours = effective(stored)["reminder_hours"]
                appointments_sql.reschedule_reminders(conn, account_id, hours, self.clock())
        return settings_view(stored)
