"""What a file is: its type sniffed from its first bytes (filetype), checked against what it
claims to be, and the kind WhatsApp sends it as (image, audio, video, document)."""
from __future__ import annotations

from dataclasses import dataclass

import filetype

from zapfleet.core.errors import InvalidInput

SNIFF_BYTES = 8192
"""How much of a file's start is read to tell its type."""
DETECTABLE = frozenset(kind.mime for kind in filetype.TYPES)
"""The types filetype recognises from their bytes: a file claiming one must show it."""
ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "audio/mp3": "audio/mpeg",
           "audio/opus": "audio/ogg", "audio/x-m4a": "audio/mp4", "audio/m4a": "audio/mp4",
           "audio/wav": "audio/x-wav", "audio/x-aac": "audio/aac", "application/x-pdf": "application/pdf",
           "video/x-mp4": "video/mp4", "video/m4v": "video/x-m4v"}
CONTAINERS = {"audio/mp4": "mp4", "video/mp4": "mp4", "video/x-m4v": "mp4", "video/3gpp": "mp4",
              "video/quicktime": "mp4", "audio/ogg": "ogg", "video/ogg": "ogg", "application/ogg": "ogg",
              "video/webm": "webm", "audio/webm": "webm", "video/x-matroska": "webm"}
"""Types that share a container: an .m4a is an MP4 file, a voice note an Ogg one."""
PLAYABLE = ("image/", "audio/", "video/")


@dataclass(frozen=True)
class FileType:
    """A file's MIME type and the kind WhatsApp sends it as."""

    mime_type: str
    kind: str


def essence(mime_type: str | None) -> str | None:
    """A MIME type without its parameters, lower case, its common aliases resolved."""
    if not mime_type:
        return None
    bare = mime_type.split(";", 1)[0].strip().lower()
    return ALIASES.get(bare, bare) or None


def kind_of(mime_type: str) -> str:
    """The kind WhatsApp sends a type as: image, audio, video, else document."""
    top = mime_type.split("/", 1)[0]
    if top in ("image", "audio", "video") and mime_type not in ("image/vnd.adobe.photoshop", "image/vnd.dwg"):
        return top
    return "document"


def sniff(head: bytes) -> str | None:
    """The MIME type a file's first bytes show, or None when they show none filetype knows."""
    found = filetype.guess_mime(head) if head else None
    return essence(found)


def _same(claimed: str, sniffed: str) -> bool:
    return claimed == sniffed or CONTAINERS.get(claimed, claimed) == CONTAINERS.get(sniffed, sniffed)


def checked_type(head: bytes, claimed: str | None, field: str = "media") -> FileType:
    """The file's type when its bytes match what it claims (or it claims nothing a sniff could
    confirm); InvalidInput naming the field when they do not."""
    sniffed, wanted = sniff(head), essence(claimed)
    if sniffed is None:
        if wanted is None or wanted in DETECTABLE or wanted.startswith(PLAYABLE):
            if wanted:
                raise InvalidInput(field, "claims %(claimed)s but its content is not a file of a type "
                                          "zapfleet knows", claimed=wanted)
            raise InvalidInput(field, "has no mime_type and its content is not a file of a type zapfleet knows")
        return FileType(claimed.strip() if claimed else wanted, kind_of(wanted))
    if wanted is not None and not _same(wanted, sniffed):
        raise InvalidInput(field, "claims to be %(claimed)s but its content is %(sniffed)s",
                           claimed=wanted, sniffed=sniffed)
    if wanted is None:
        return FileType(sniffed, kind_of(sniffed))
    return FileType(claimed.strip() if claimed else wanted, kind_of(wanted))  # an .m4a stays audio


def received_type(head: bytes, claimed: str | None) -> FileType:
    """What a received file is: its bytes decide; what WhatsApp said is kept when they show
    nothing (a received file is never refused for its type)."""
    sniffed, wanted = sniff(head), essence(claimed)
    if sniffed is not None and (wanted is None or not _same(wanted, sniffed)):
        return FileType(sniffed, kind_of(sniffed))
    mime_type = (claimed or "").strip() or "application/octet-stream"
    return FileType(mime_type, kind_of(wanted or mime_type))
