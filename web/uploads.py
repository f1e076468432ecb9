"""CSV uploads of contacts, shared by the API and the contacts page."""
from __future__ import annotations

import io
from typing import BinaryIO
from uuid import UUID

from web.managers import managers
from zapfleet.core.errors import InvalidInput

ENCODINGS = ("utf-8-sig", "latin-1")


def import_contacts(account_id: UUID, stream: BinaryIO, encoding: str | None) -> dict:
    """Import a CSV byte stream into the account's contacts; the report of created, updated, bad rows."""
    try:
        lines = io.TextIOWrapper(stream, encoding=encoding or "utf-8-sig", newline="")
    except LookupError:
        raise InvalidInput("encoding", "is not a known text encoding") from None
    try:
        return managers().contacts.import_contacts_csv(account_id, lines)
    except UnicodeDecodeError:
        raise InvalidInput("file", "is not UTF-8 text: save it as CSV UTF-8, or choose Latin-1"
                                   " (?encoding=latin-1)") from None
