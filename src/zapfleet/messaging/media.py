"""Media files of an account: stored streamed (type sniffed, size limited per kind), read back
only by their account, or through a signed link that expires."""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import IO, BinaryIO
from uuid import UUID, uuid4

import urllib3

from zapfleet.core import netguard
from zapfleet.core.clock import utcnow
from zapfleet.core.errors import Forbidden, InvalidInput, NotFound, PayloadTooLarge, found
from zapfleet.db import Database
from zapfleet.db import media as sql
from zapfleet.messaging.media_shapes import MediaIn
from zapfleet.messaging.media_storage import CHUNK, MediaStorage, scratch_file
from zapfleet.messaging.media_types import SNIFF_BYTES, checked_type, received_type

MB = 1024 * 1024
MEDIA_LIMITS = {"image": 5 * MB, "sticker": 5 * MB, "audio": 16 * MB, "video": 16 * MB,
                "document": 100 * MB}
"""WhatsApp's own limits per kind (MEDIA_LIMIT_<KIND>_MB changes them)."""
LINK_SECONDS = 7 * 86400
"""How long a signed link in a webhook lasts."""
SNAPSHOT_FIELDS = ("id", "kind", "mime_type", "size", "filename", "sha256")
FETCH_TIMEOUT = 30.0


@dataclass(frozen=True)
class Upload:
    """A file sent as a part of a multipart request."""

    stream: IO[bytes]
    mime_type: str | None
    filename: str | None
    voice: bool = False


class MediaLibrary:
    """Stores and reads an account's media; signs and checks the links to them."""

    def __init__(self, db: Database, storage: MediaStorage, secret_key: str,
                 limits: Mapping[str, int] | None = None, clock: Callable[[], datetime] = utcnow):
        self.db, self.storage, self.clock = db, storage, clock
        self.limits = {**MEDIA_LIMITS, **(limits or {})}
        self._key = hashlib.sha256(f"media-links:{secret_key}".encode()).digest()

    def store(self, account_id: UUID, stream: IO[bytes], claimed: str | None = None,
              filename: str | None = None, *, field: str = "media", received: bool = False,
              media_id: UUID | None = None, kind: str | None = None) -> dict:
        """Stream a file into storage and record it; a sent file must be what it claims (400
        naming the field) and within its kind's limit (413). A received one is never refused
        for its type, and storing it again under the same media_id records it once."""
        head = stream.read(SNIFF_BYTES)
        file_type = received_type(head, claimed) if received else checked_type(head, claimed, field)
        kind = kind or file_type.kind
        limit = max(self.limits.values()) if received else self.limits[kind]
        media_id = media_id or uuid4()
        key = f"{account_id}/{media_id}"
        size, digest = self._write(key, head, stream, limit, field, kind)
        file = {"kind": kind, "mime_type": file_type.mime_type, "size": size, "sha256": digest,
                "filename": _filename(filename), "storage_key": key}
        with self.db.tenant(account_id) as conn:
            row = sql.insert_media(conn, account_id, media_id, file)
            return row or found(sql.get_media(conn, account_id, media_id), "media")

    def store_given(self, account_id: UUID, given: MediaIn, allow_private: bool = False) -> dict:
        """Store a file sent as base64 (media.data) or fetched from a public URL (media.url)."""
        if given.data:
            try:
                stream: BinaryIO = io.BytesIO(base64.b64decode(given.data, validate=True))
            except (binascii.Error, ValueError):
                raise InvalidInput("media.data", "must be base64") from None
            return self.store(account_id, stream, given.mime_type or None, given.filename or None)
        response = _fetch(given.url, allow_private)
        try:
            return self.store(account_id, response, given.mime_type or None,  # type: ignore[arg-type]
                              given.filename or given.url.rsplit("/", 1)[-1].split("?")[0] or None)
        finally:
            response.release_conn()

    def _write(self, key: str, head: bytes, stream: IO[bytes], limit: int, field: str,
               kind: str) -> tuple[int, str]:
        """Copy the stream to storage in chunks; (size, sha256 hex)."""
        digest, size = hashlib.sha256(), 0
        with scratch_file(self.storage) as out:
            try:
                chunk = head
                while chunk:
                    size += len(chunk)
                    if size > limit:
                        raise PayloadTooLarge("%(field)s: a file of kind %(kind)s may have at most %(most)s MB",
                                          field=field, kind=kind, most=limit // MB)
                    digest.update(chunk)
                    out.write(chunk)
                    chunk = stream.read(CHUNK)
                out.flush()
                self.storage.put(key, out.name)
            finally:
                if os.path.exists(out.name):
                    os.remove(out.name)
        return size, digest.hexdigest()

    def forget_account(self, account_id: UUID) -> None:
        """Delete a deleted account's files from storage (its rows went with the account)."""
        self.storage.delete_account(str(account_id))

    def get(self, account_id: UUID, media_id: UUID) -> dict:
        """One of the account's files; NotFound for another account's or none."""
        with self.db.tenant(account_id) as conn:
            row = sql.get_media(conn, account_id, media_id)
        if row is None:
            raise NotFound("no such media")
        return row

    def open(self, account_id: UUID, media_id: UUID, start: int = 0,
             stop: int | None = None) -> tuple[dict, BinaryIO]:
        """A file's record and its bytes (from start to stop), to stream; NotFound when it is
        not the account's."""
        row = self.get(account_id, media_id)
        return row, self.read(row, start, stop)

    def read(self, row: dict, start: int = 0, stop: int | None = None) -> BinaryIO:
        """The bytes of a file already looked up (from start to stop), to stream."""
        try:
            return self.storage.open(row["storage_key"], start, stop)
        except FileNotFoundError:
            raise NotFound("this media is no longer stored") from None

    def link(self, account_id: UUID, media_id: UUID, seconds: int = LINK_SECONDS, base: str = "") -> str:
        """A link to the file that works without a key until it expires."""
        expires = int(self.clock().timestamp()) + seconds
        signature = self._signature(account_id, media_id, expires)
        return f"{base}/media/{account_id}/{media_id}?expires={expires}&signature={signature}"

    def check_link(self, account_id: UUID, media_id: UUID, expires: str, signature: str) -> None:
        """Forbidden unless the link was signed for this file and has not expired."""
        if not expires.isdigit():
            raise Forbidden("this media link is not valid")
        expected = self._signature(account_id, media_id, int(expires))
        if not hmac.compare_digest(expected, signature):
            raise Forbidden("this media link is not valid")
        if int(expires) < self.clock().timestamp():
            raise Forbidden("this media link has expired")

    def _signature(self, account_id: UUID, media_id: UUID, expires: int) -> str:
        message = f"{account_id}:{media_id}:{expires}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()


def snapshot(row: dict, **extra: object) -> dict:
    """What a message keeps of its file (the media column): the file's fields, JSON-ready."""
    kept = {name: row[name] for name in SNAPSHOT_FIELDS}
    return {**kept, "id": str(row["id"]), "available": True, **extra}


def _fetch(url: str, allow_private: bool) -> urllib3.BaseHTTPResponse:
    """The answer to GET url (a public address only), its body unread; 400 naming media.url when
    it cannot be fetched."""
    target = netguard.check_url(url, allow_private, field="media.url")
    try:
        response = netguard.get(target, FETCH_TIMEOUT)
    except urllib3.exceptions.HTTPError as exc:
        raise InvalidInput("media.url", "could not be fetched (%(reason)s)", reason=type(exc).__name__) from None
    if response.status != 200:
        response.release_conn()
        raise InvalidInput("media.url", "answered HTTP %(status)s, not 200", status=response.status)
    return response


def _filename(name: str | None) -> str | None:
    """A file name without folders, at most 255 characters; None when there is none."""
    if not name:
        return None
    bare = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return bare[:255] or None

