"""Campaigns: create, read, update, delete."""
from __future__ import annotations

from typing import Any, Mapping
from urllib.parse import urlparse
from uuid import UUID

from zapfleet import validation
from zapfleet.db import campaigns as sql
from zapfleet.errors import InvalidInput, NotFound


def _url(data: Mapping[str, Any], field: str) -> str | None:
    value = validation.text(data, field, max_len=2000)
    if not value:
        return None
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise InvalidInput(field, "must be an http(s) URL")
    return value


class CampaignsMixin:
    """An account's campaigns."""

    def create_campaign(self, account_id: UUID, data: Mapping[str, Any]) -> dict:
        """Create a draft campaign (name required)."""
        fields = self._campaign_fields(data, partial=False)
        with self.db.tenant(account_id) as conn:
            return sql.insert_campaign(conn, account_id, fields)

    def get_campaign(self, account_id: UUID, campaign_id: UUID) -> dict:
        """One campaign."""
        with self.db.tenant(account_id) as conn:
            campaign = sql.get_campaign(conn, account_id, campaign_id)
        if campaign is None:
            raise NotFound("no such campaign")
        return campaign

    def list_campaigns(self, account_id: UUID) -> list[dict]:
        """An account's campaigns, newest first."""
        with self.db.tenant(account_id) as conn:
            return sql.list_campaigns(conn, account_id)

    def update_campaign(self, account_id: UUID, campaign_id: UUID, data: Mapping[str, Any]) -> dict:
        """Change a campaign's name, message, link, QR-code URL or target tags."""
        changes = self._campaign_fields(data, partial=True)
        with self.db.tenant(account_id) as conn:
            campaign = sql.update_campaign(conn, account_id, campaign_id, changes)
        if campaign is None:
            raise NotFound("no such campaign")
        return campaign

    def delete_campaign(self, account_id: UUID, campaign_id: UUID) -> None:
        """Delete a campaign."""
        with self.db.tenant(account_id) as conn:
            if not sql.delete_campaign(conn, account_id, campaign_id):
                raise NotFound("no such campaign")

    @staticmethod
    def _campaign_fields(data: Mapping[str, Any], partial: bool) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        if not partial or "name" in data:
            fields["name"] = validation.text(data, "name", max_len=200, required=True)
        if "message" in data:
            fields["message"] = validation.text(data, "message", max_len=4096) or ""
        for field in ("link", "qr_code_url"):
            if field in data:
                fields[field] = _url(data, field)
        if "target_tags" in data:
            fields["target_tags"] = validation.tags(data["target_tags"], "target_tags")
        return fields
