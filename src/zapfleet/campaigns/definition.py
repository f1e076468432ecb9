"""Campaigns: create, read, update, delete (their run: campaign_lifecycle.py)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from zapfleet.campaigns.shapes import CampaignIn, CampaignPatch
from zapfleet.core.errors import Conflict, InvalidInput, NotFound, found
from zapfleet.core.shapes import parse
from zapfleet.core.vocabulary import EDITABLE_CAMPAIGN_STATUSES
from zapfleet.db import Database
from zapfleet.db import campaigns as sql
from zapfleet.db import recipients as recipients_sql
from zapfleet.messaging.media import MediaLibrary
from zapfleet.messaging.media_shapes import MediaIn

EDITABLE_STATUSES = EDITABLE_CAMPAIGN_STATUSES


def with_progress(conn, account_id: UUID, campaigns: list[dict]) -> list[dict]:
    """The campaigns, each with its recipients' counts per status."""
    counts = recipients_sql.progress(conn, account_id, [c["id"] for c in campaigns])
    empty = {"total": 0, **{status: 0 for status in recipients_sql.STATUSES}}
    return [{**c, "counts": counts.get(c["id"], empty)} for c in campaigns]


class CampaignManager:
    """An account's campaigns: their text, audience and schedule (their run: CampaignRuns)."""

    def __init__(self, db: Database, media: MediaLibrary, allow_private: bool = False):
        self.db, self.media, self.allow_private = db, media, allow_private

    def create_campaign(self, account_id: UUID, data: Mapping[str, Any]) -> dict:
        """Create a draft campaign (name required)."""
        fields = self._with_files(account_id, self._campaign_fields(data, partial=False))
        with self.db.tenant(account_id) as conn:
            return with_progress(conn, account_id, [sql.insert_campaign(conn, account_id, fields)])[0]

    def get_campaign(self, account_id: UUID, campaign_id: UUID) -> dict:
        """One campaign."""
        with self.db.tenant(account_id) as conn:
            campaign = sql.get_campaign(conn, account_id, campaign_id)
            if campaign is None:
                raise NotFound("no such campaign")
            return with_progress(conn, account_id, [campaign])[0]

    def list_campaigns(self, account_id: UUID) -> list[dict]:
        """An account's campaigns, newest first."""
        with self.db.tenant(account_id) as conn:
            return with_progress(conn, account_id, sql.list_campaigns(conn, account_id))

    def update_campaign(self, account_id: UUID, campaign_id: UUID, data: Mapping[str, Any]) -> dict:
        """Change a campaign's name (any time), or its texts and tags (before it starts)."""
        changes = self._with_files(account_id, self._campaign_fields(data, partial=True))
        with self.db.tenant(account_id) as conn:
            campaign = sql.get_campaign(conn, account_id, campaign_id)
            if campaign is None:
                raise NotFound("no such campaign")
            if set(changes) - {"name"} and campaign["status"] not in EDITABLE_STATUSES:
                raise Conflict("a %(status)s campaign can only be renamed", status=campaign["status"])
            updated = found(sql.update_campaign(conn, account_id, campaign_id, changes), "campaign")
            return with_progress(conn, account_id, [updated])[0]

    def delete_campaign(self, account_id: UUID, campaign_id: UUID) -> None:
        """Delete a campaign that is not running (its messages stay in the conversations)."""
        with self.db.tenant(account_id) as conn:
            campaign = sql.get_campaign(conn, account_id, campaign_id)
            if campaign is None:
                raise NotFound("no such campaign")
            if campaign["status"] == "running":
                raise Conflict("pause or cancel the campaign before deleting it")
            sql.delete_campaign(conn, account_id, campaign_id)

    def _with_files(self, account_id: UUID, fields: dict[str, Any]) -> dict[str, Any]:
        """The fields with their files checked: the attachment is the account's image or PDF; the
        QR code's image is fetched and stored (one file per campaign)."""
        if fields.get("attachment_id") and fields.get("qr_code_url"):
            raise InvalidInput("attachment_id", "cannot go with a qr_code_url: a campaign sends one file")
        if fields.get("attachment_id"):
            self._check_attachment(account_id, fields["attachment_id"])
        if "qr_code_url" in fields:
            url = fields["qr_code_url"]
            fields["qr_code_media_id"] = self._qr_image(account_id, url) if url else None
        return fields

    def _check_attachment(self, account_id: UUID, media_id: UUID) -> None:
        try:
            row = self.media.get(account_id, media_id)
        except NotFound:
            raise InvalidInput("attachment_id", "is not a file of this account") from None
        if row["kind"] != "image" and row["mime_type"] != "application/pdf":
            raise InvalidInput("attachment_id", "must be an image or a PDF")

    def _qr_image(self, account_id: UUID, url: str) -> UUID:
        try:
            row = self.media.store_given(account_id, parse(MediaIn, {"url": url}), self.allow_private)
        except InvalidInput as exc:
            raise exc.renamed("qr_code_url") from None
        if row["kind"] != "image":
            raise InvalidInput("qr_code_url", "is not an image (%(type)s)", type=row["mime_type"])
        return row["id"]

    @staticmethod
    def _campaign_fields(data: Mapping[str, Any], partial: bool) -> dict[str, Any]:
        return parse(CampaignPatch if partial else CampaignIn, data).model_dump(exclude_unset=True)
