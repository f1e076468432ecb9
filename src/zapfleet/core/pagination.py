"""Opaque keyset-pagination cursors and page-size limits."""
from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any
from uuid import UUID

from zapfleet.core.errors import InvalidInput

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def page_limit(value: Any) -> int:
    """A page size between 1 and MAX_LIMIT (default DEFAULT_LIMIT)."""
    if value in (None, ""):
        return DEFAULT_LIMIT
    try:
        limit = int(value)
    except (TypeError, ValueError):
        raise InvalidInput("limit", "must be an integer") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput("limit", "must be between 1 and %(most)s", most=MAX_LIMIT)
    return limit


def encode_cursor(moment: datetime, row_id: UUID) -> str:
    """An opaque cursor for the position (moment, row_id)."""
    raw = json.dumps([moment.isoformat(), str(row_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[datetime, UUID] | None:
    """The position in a cursor made by encode_cursor, or None when there is none."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        moment, row_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return datetime.fromisoformat(moment), UUID(row_id)
    except (ValueError, TypeError):
        raise InvalidInput("cursor", "is not a cursor this API returned") from None


def next_cursor(rows: list[dict], limit: int, moment_key: str = "created_at") -> str | None:
    """The cursor after the last row of a full page, or None on the last page."""
    if len(rows) < limit:
        return None
    return encode_cursor(rows[-1][moment_key], rows[-1]["id"])


def encode_position(position: int) -> str:
    """An opaque cursor for a position in a numbered list."""
    return base64.urlsafe_b64encode(json.dumps(["p", position]).encode()).decode().rstrip("=")


def decode_position(cursor: str | None) -> int | None:
    """The position in a cursor made by encode_position, or None when there is none."""
    if not cursor:
        return None
    try:
        kind, position = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        if kind == "p" and isinstance(position, int):
            return position
    except (ValueError, TypeError):
        pass
    raise InvalidInput("cursor", "is not a cursor this API returned")
