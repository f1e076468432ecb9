"""An account's contacts, with CSV import and export."""
from flask import Blueprint, Response, request, stream_with_context

from web.auth import account_scoped
from web.jsonio import json_body
from web.managers import managers
from web.openapi.common import CSV_DOWNLOAD, CSV_IMPORT_BODY
from web.openapi.declare import shapes
from web.uploads import import_contacts as import_csv
from zapfleet.core.errors import InvalidInput
from zapfleet.messaging.shapes import (
    Contact,
    ContactIn,
    ContactPage,
    ContactPatch,
    ContactQuery,
    ImportQuery,
    ImportReport,
)

bp = Blueprint("contacts", __name__, url_prefix="/api/accounts/<uuid:account_id>/contacts")


@bp.get("")
@shapes(tag="Contacts", summary="List contacts", access="account", query=ContactQuery,
        description="A page of contacts in creation order, optionally filtered by tag and text.",
        responses={200: ContactPage})
@account_scoped
def list_contacts(account_id):
    """A page of contacts, filtered by ?tag= and ?q=, paged by ?limit= and ?cursor=."""
    args = request.args
    return managers().contacts.list_contacts(account_id, tag=args.get("tag"), q=args.get("q"),
                                    limit=args.get("limit"), cursor=args.get("cursor"))


@bp.post("")
@shapes(tag="Contacts", summary="Add a contact", access="account", body=ContactIn,
        description="Adds a contact; the phone is normalised to E.164 digits and must be unique in "
                    "the account.", responses={201: Contact}, errors=(409,))
@account_scoped
def create_contact(account_id):
    """Add a contact."""
    return managers().contacts.create_contact(account_id, json_body()), 201


@bp.get("/<uuid:contact_id>")
@shapes(tag="Contacts", summary="Get a contact", access="account", description="One contact.",
        responses={200: Contact})
@account_scoped
def get_contact(account_id, contact_id):
    """One contact."""
    return managers().contacts.get_contact(account_id, contact_id)


@bp.patch("/<uuid:contact_id>")
@shapes(tag="Contacts", summary="Change a contact", access="account", body=ContactPatch,
        description="Changes the fields sent.", responses={200: Contact}, errors=(409,))
@account_scoped
def update_contact(account_id, contact_id):
    """Change a contact."""
    return managers().contacts.update_contact(account_id, contact_id, json_body())


@bp.delete("/<uuid:contact_id>")
@shapes(tag="Contacts", summary="Delete a contact", access="account",
        description="Deletes the contact and its conversation.",
        responses={204: "The contact is gone."})
@account_scoped
def delete_contact(account_id, contact_id):
    """Delete a contact."""
    managers().contacts.delete_contact(account_id, contact_id)
    return "", 204


@bp.post("/import")
@shapes(tag="Contacts", summary="Import contacts from CSV", access="account", query=ImportQuery,
        body=CSV_IMPORT_BODY, responses={200: ImportReport}, errors=(413,),
        description="Send the file as the raw body (text/csv; text/plain and application/csv also "
                    "work) or as a multipart field named file. Existing phones are merged: tags are "
                    "added and a non-empty name replaces the old one. Bad rows are skipped and "
                    "reported by line number.")
@account_scoped
def import_contacts(account_id):
    """Import a CSV (raw text/csv body or a multipart `file`); bad rows are reported by line."""
    return import_csv(account_id, _csv_stream(), request.args.get("encoding")), 200


@bp.get("/export")
@shapes(tag="Contacts", summary="Export contacts as CSV", access="account",
        description="Streams every contact of the account as a CSV download that the import accepts.",
        responses={200: CSV_DOWNLOAD})
@account_scoped
def export_contacts(account_id):
    """Every contact as CSV."""
    lines = managers().contacts.export_contacts_csv(account_id)
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
