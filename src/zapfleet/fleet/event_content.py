"""What a message event carries besides its text: its type, the file a worker stored for it
(POST /internal/media), a location or a contact card."""
from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from zapfleet.core import validation
from zapfleet.core.vocabulary import MEDIA_KINDS, MESSAGE_TYPES
from zapfleet.db import media as media_sql
from zapfleet.messaging.media import snapshot

SIZES = ("duration_seconds", "width", "height")
ATTACHMENT_FIELDS = {"location": ("latitude", "longitude", "name", "address"),
                     "contact": ("name", "vcard")}


def upload_media_id(instance_id: UUID, key: str) -> UUID:
    """The id of the file a worker uploaded under key: the same key always names the same file."""
    return uuid5(instance_id, f"upload:{key}")


def message_content(conn, instance: dict, data: dict) -> dict:
    """An event's {type, media, attachment}: the file is the one the worker uploaded, or marked
    unavailable when it could not be (the message is kept without it)."""
    kind = validation.choice(data, "type", MESSAGE_TYPES) or "text"
    media = _media(conn, instance, kind, data.get("media")) if kind in MEDIA_KINDS else None
    fields = ATTACHMENT_FIELDS.get(kind)
    attachment = _attachment(data.get(kind), fields) if fields else None
    return {"type": kind, "media": media, "attachment": attachment}


def _media(conn, instance: dict, kind: str, given: Any) -> dict:
    given = given if isinstance(given, dict) else {}
    details = _details(given)
    key = given.get("upload")
    row = None
    if isinstance(key, str) and 0 < len(key) <= 100:
        row = media_sql.get_media(conn, instance["account_id"], upload_media_id(instance["id"], key))
    if row is None:
        kept = {name: given[name] for name in ("mime_type", "filename") if isinstance(given.get(name), str)}
        return {"available": False, "kind": kind, **kept, **details}
    return snapshot(row, **details)


def _details(given: dict) -> dict:
    """What the engine knows of a file: a voice note?, its length, its size on screen."""
    details = {name: given[name] for name in SIZES
               if type(given.get(name)) is int and given[name] >= 0}
    if isinstance(given.get("voice"), bool):
        details["voice"] = given["voice"]
    return details


def _attachment(given: Any, fields: tuple[str, ...]) -> dict | None:
    """The known fields of a location or contact card (numbers and short texts only)."""
    if not isinstance(given, dict):
        return None
    kept = {name: given[name] for name in fields
            if isinstance(given.get(name), (int, float)) and not isinstance(given.get(name), bool)
            or isinstance(given.get(name), str) and len(given[name]) <= 10000}
    return kept or None
