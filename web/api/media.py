"""An account's media files: uploaded for sending, read with the account's key or a signed link."""
from urllib.parse import quote

from flask import Blueprint, Response, request

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


def file_response(row: dict, stream) -> Response:
    """A stored file, streamed: shown inline when it is a picture or a player's, else downloaded;
    never run as a page (a sandboxing Content-Security-Policy, no type sniffing)."""
    disposition = "inline" if row["kind"] in INLINE_KINDS else "attachment"
    name = quote(row["filename"] or f"{row['kind']}-{row['id']}")
    headers = {"Content-Length": str(row["size"]), "ETag": f'"{row["sha256"]}"',
               "Content-Disposition": f"{disposition}; filename*=UTF-8''{name}",
               "X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600",
               "Content-Security-Policy": "default-src 'none'; sandbox"}
    return Response(chunks(stream), content_type=row["mime_type"], headers=headers,
                    direct_passthrough=True)


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
    return file_response(*managers().media.open(account_id, media_id))


@bp.get("/media/<uuid:account_id>/<uuid:media_id>")
def signed_media(account_id, media_id):
    """A file by its signed link (webhooks, the inbox, the worker): 403 when tampered or expired."""
    media = managers().media
    media.check_link(account_id, media_id, request.args.get("expires", ""),
                     request.args.get("signature", ""))
    return file_response(*media.open(account_id, media_id))
