"""An account's media files: uploaded for sending, read with the account's key or a signed link."""
from urllib.parse import quote

from flask import Blueprint, Response, request
from werkzeug.exceptions import RequestedRangeNotSatisfiable

from web.auth import account_scoped
from web.jsonio import json_body
from web.managers import managers
from web.openapi.common import MEDIA_DOWNLOAD, UPLOAD_FORM
from web.openapi.declare import shapes
from web.uploads import MEDIA_JSON_LIMIT, form_file
from zapfleet.core.errors import InvalidInput
from zapfleet.core.shapes import parse
from zapfleet.messaging.media_shapes import MediaFile, MediaIn
from zapfleet.messaging.media_storage import chunks

bp = Blueprint("media", __name__)
INLINE_KINDS = ("image", "audio", "video", "sticker")


def send_media(account_id, media_id) -> Response:
    """A stored file, streamed (a Range of it, 206, for players that seek): shown inline when it
    is a picture or a player's, else downloaded; never run as a page (a sandboxing
    Content-Security-Policy, no type sniffing)."""
    row = managers().media.get(account_id, media_id)
    start, stop = wanted_bytes(row["size"])
    stream = managers().media.read(row, start, stop)
    disposition = "inline" if row["kind"] in INLINE_KINDS else "attachment"
    name = quote(row["filename"] or f"{row['kind']}-{row['id']}")
    headers = {"Content-Length": str(stop - start), "ETag": f'"{row["sha256"]}"',
               "Content-Disposition": f"{disposition}; filename*=UTF-8''{name}",
               "X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600",
               "Content-Security-Policy": "default-src 'none'; sandbox", "Accept-Ranges": "bytes"}
    partial = (start, stop) != (0, row["size"])
    if partial:
        headers["Content-Range"] = f"bytes {start}-{stop - 1}/{row['size']}"
    return Response(chunks(stream, stop - start), status=206 if partial else 200,
                    content_type=row["mime_type"], headers=headers, direct_passthrough=True)


def wanted_bytes(size: int) -> tuple[int, int]:
    """The one byte range the request asks for (Range: bytes=…), else the whole file; 416 for a
    range outside it."""
    asked = request.range
    if asked is None or asked.units != "bytes" or len(asked.ranges) != 1:
        return 0, size
    found = asked.range_for_length(size)
    if found is None:
        raise RequestedRangeNotSatisfiable(length=size)
    return found


@bp.post("/api/accounts/<uuid:account_id>/media")
@shapes(tag="Media", summary="Upload a file", access="account", body=MediaIn, form=UPLOAD_FORM,
        description="Stores a file to send later, e.g. a campaign's attachment: JSON with data "
                    "(base64) or url, or multipart/form-data with a part named file. Its type is "
                    "sniffed from its bytes (400 when it differs from the one claimed); each kind has "
                    "its size limit (413).", responses={201: MediaFile}, errors=(413,))
@account_scoped
def upload_media(account_id):
    """Store a file (JSON data/url, or a multipart part named file)."""
    media = managers().media
    if request.mimetype == "multipart/form-data":
        upload = form_file()
        if upload is None:
            raise InvalidInput("file", "is required")
        return media.store(account_id, upload.stream, upload.mime_type, upload.filename,
                           field="file"), 201
    given = parse(MediaIn, json_body(MEDIA_JSON_LIMIT))
    return media.store_given(account_id, given, managers().outbox.allow_private), 201


@bp.get("/api/accounts/<uuid:account_id>/media/<uuid:media_id>")
@shapes(tag="Media", summary="Download a file", access="account", responses={200: MEDIA_DOWNLOAD},
        description="A file sent or received by the account (a message's media.id); 404 for any "
                    "other.")
@account_scoped
def download_media(account_id, media_id):
    """The file's bytes."""
    return send_media(account_id, media_id)


@bp.get("/media/<uuid:account_id>/<uuid:media_id>")
def signed_media(account_id, media_id):
    """A file by its signed link (webhooks, the inbox, the worker): 403 when tampered or expired."""
    managers().media.check_link(account_id, media_id, request.args.get("expires", ""),
                                request.args.get("signature", ""))
    return send_media(account_id, media_id)
