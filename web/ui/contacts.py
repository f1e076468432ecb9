"""Contacts: search, tags, add, edit, delete, CSV import and export."""
from __future__ import annotations

from flask import Blueprint, render_template

from web.ui.session import account_page

bp = Blueprint("ui_contacts", __name__)


@bp.get("/a/<uuid:account_id>/contacts")
@account_page
def contacts(account_id):
    """The page."""
    return render_template("ui/contacts.html")
