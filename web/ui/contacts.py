"""Contacts: search, tag filter, add, edit, delete, CSV import (bad rows by line) and export."""
from __future__ import annotations

from uuid import UUID

from flask import Blueprint, Response, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _

from web.managers import managers
from web.ui.auth import field_errors, form_failed
from web.ui.messages import error_text
from web.ui.session import account_page
from web.ui.threads import phone_label
from web.uploads import ENCODINGS, import_contacts
from zapfleet.core.errors import InvalidInput, ZapfleetError
from zapfleet.messaging.contacts_csv import split_tags

bp = Blueprint("ui_contacts", __name__)
PAGE_SIZE = 50
BASE = "/a/<uuid:account_id>/contacts"


def tag_list(text: str) -> list[str]:
    """Tags typed as one line, separated as in a spreadsheet's tags column (commas; | or ;)."""
    return split_tags(text)


def posted_contact() -> dict:
    """The contact form's fields as the AccountManager takes them."""
    form = request.form
    return {"phone": form.get("phone", ""), "name": form.get("name", ""),
            "tags": tag_list(form.get("tags", "")), "opted_out": "opted_out" in form}


def page_context(account_id: UUID) -> dict:
    """The list as filtered by ?q= and ?tag=, one page at a time, and the account's tags."""
    q, tag = request.args.get("q", "").strip(), request.args.get("tag", "")
    page = managers().contacts.list_contacts(account_id, tag=tag, q=q, limit=PAGE_SIZE,
                                         cursor=request.args.get("cursor"))
    return {"page": page, "q": q, "tag": tag, "tags": managers().contacts.list_tags(account_id),
            "paged": bool(request.args.get("cursor")), "encodings": ENCODINGS}


def _failed(account_id: UUID, exc: ZapfleetError, form_name: str, **context):
    return form_failed("ui/contacts.html", exc, failed=form_name, field_errors=field_errors(exc),
                       **page_context(account_id), **context)


@bp.get(BASE)
@account_page
def contacts(account_id):
    """The list with search and tag filter, the add form, import and export."""
    return render_template("ui/contacts.html", form={}, **page_context(account_id))


@bp.post(BASE)
@account_page
def create(account_id):
    """Add a contact from the form."""
    try:
        contact = managers().contacts.create_contact(account_id, posted_contact())
    except ZapfleetError as exc:
        return _failed(account_id, exc, "add")
    flash(_("%(who)s was added.", who=contact["name"] or phone_label(contact["phone"])), "success")
    return redirect(url_for("ui_contacts.contacts", account_id=account_id))


@bp.route(BASE + "/<uuid:contact_id>/edit", methods=["GET", "POST"])
@account_page
def edit(account_id, contact_id: UUID):
    """Change a contact's phone, name, tags or opt-out."""
    contact = managers().contacts.get_contact(account_id, contact_id)  # another account's: 404
    if request.method == "GET":
        return render_template("ui/contact_edit.html", contact=contact, form={}, field_errors={})
    try:
        managers().contacts.update_contact(account_id, contact_id, posted_contact())
    except ZapfleetError as exc:
        return form_failed("ui/contact_edit.html", exc, contact=contact,
                           field_errors=field_errors(exc))
    flash(_("The contact was saved."), "success")
    return redirect(url_for("ui_contacts.contacts", account_id=account_id))


@bp.post(BASE + "/<uuid:contact_id>/delete")
@account_page
def delete(account_id, contact_id: UUID):
    """Delete a contact and its conversation."""
    managers().contacts.delete_contact(account_id, contact_id)  # another account's: 404
    flash(_("The contact was deleted."), "success")
    return redirect(url_for("ui_contacts.contacts", account_id=account_id))


@bp.post(BASE + "/import")
@account_page
def import_csv(account_id):
    """Import a spreadsheet saved as CSV; the page lists each bad row by its line number."""
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise InvalidInput("file", _("choose a CSV file to import"))
        report = import_contacts(account_id, upload.stream, request.form.get("encoding"))
    except ZapfleetError as exc:
        return _failed(account_id, exc, "import")
    for row in report["errors"]:  # in the page's language
        row["error"] = error_text(InvalidInput(row["field"], row["message_id"], **row["params"]))
    return render_template("ui/contacts.html", form={}, report=report, **page_context(account_id))


@bp.get(BASE + "/export.csv")
@account_page
def export_csv(account_id):
    """Every contact as a CSV file (opens in any spreadsheet)."""
    lines = managers().contacts.export_contacts_csv(account_id)
    return Response(stream_with_context(lines), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="contatos.csv"'})
