"""An account's contacts, with CSV import and export."""
from flask import Blueprint, Response, request, stream_with_context

from web.auth import account_scoped, accounts
from web.jsonio import json_body
from web.uploads import import_contacts as import_csv
from zapfleet.core.errors import InvalidInput

bp = Blueprint("contacts", __name__, url_prefix="/api/accounts/<uuid:account_id>/contacts")


@bp.get("")
@account_scoped
def list_contacts(account_id):
    """A page of contacts, filtered by ?tag= and ?q=, paged by ?limit= and ?cursor=."""
    args = request.args
    return accounts().list_contacts(account_id, tag=args.get("tag"), q=args.get("q"),
                                    limit=args.get("limit"), cursor=args.get("cursor"))


@bp.post("")
@account_scoped
def create_contact(account_id):
    """Add a contact."""
    return accounts().create_contact(account_id, json_body()), 201


@bp.get("/<uuid:contact_id>")
@account_scoped
def get_contact(account_id, contact_id):
    """One contact."""
    return accounts().get_contact(account_id, contact_id)


@bp.patch("/<uuid:contact_id>")
@account_scoped
def update_contact(account_id, contact_id):
    """Change a contact."""
    return accounts().update_contact(account_id, contact_id, json_body())


@bp.delete("/<uuid:contact_id>")
@account_scoped
def delete_contact(account_id, contact_id):
    """Delete a contact."""
    accounts().delete_contact(account_id, contact_id)
    return "", 204


@bp.post("/import")
@account_scoped
def import_contacts(account_id):
    """Import a CSV (raw text/csv body or a multipart `file`); bad rows are reported by line."""
    return import_csv(account_id, _csv_stream(), request.args.get("encoding")), 200


@bp.get("/export")
@account_scoped
def export_contacts(account_id):
    """Every contact as CSV."""
    lines = accounts().export_contacts_csv(account_id)
    return Response(stream_with_context(lines), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="contacts.csv"'})


def _csv_stream():
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise InvalidInput("file", "is required (a multipart field named file)")
        return upload.stream
    if request.mimetype in ("text/csv", "text/plain", "application/csv"):
        return request.stream
    raise InvalidInput("file", "send the CSV as text/csv or as a multipart field named file")
