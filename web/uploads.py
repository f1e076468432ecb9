"""Uploads: CSV files of contacts (the API and the contacts page) and the files messages carry."""
from __future__ import annotations

import io
from typing import BinaryIO
from uuid import UUID

from flask import request

from web.jsonio import json_body
from web.managers import managers
from zapfleet.core.errors import InvalidInput
from zapfleet.messaging.media import Upload

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


MEDIA_JSON_LIMIT = 24 * 1024 * 1024
"""A JSON body with a file in base64: a 16 MB video (larger files come as multipart or a url)."""
FORM_SLACK = 1024 * 1024
UPLOAD_ENDPOINTS = ("whatsapp.send", "media.upload_media", "internal.media", "sandbox.inbound",
                    "sandbox.typed", "ui_inbox.reply", "ui_inbox.reply_json",
                    "ui_sandbox_phone.write")


def widen_upload_limit() -> None:
    """Before every request: the routes that take files accept the largest kind's limit (each
    kind's own is checked while the file is stored)."""
    if request.endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = max(managers().media.limits.values()) + FORM_SLACK


def send_request() -> tuple[dict, Upload | None]:
    """A send's fields and its file: JSON (media in base64 or by url), or multipart/form-data
    with the file in the part named file."""
    if request.mimetype != "multipart/form-data":
        data, upload = json_body(MEDIA_JSON_LIMIT), None
    else:
        data = {name: value for name, value in request.form.items() if name}
        upload = form_file(data.get("voice"))
    if "respond-async" in request.headers.get("Prefer", ""):
        data = {**data, "wait": False}
    return data, upload


def form_file(voice: str | None = None) -> Upload | None:
    """The multipart part named file (a spooled temporary file past 500 KB), or None."""
    part = request.files.get("file")
    if part is None or not part.filename:  # a form's empty file input
        return None
    claimed = part.mimetype if part.mimetype not in ("", "application/octet-stream") else None
    return Upload(part.stream, claimed, part.filename, voice=(voice or "").lower() in ("1", "true", "on"))
