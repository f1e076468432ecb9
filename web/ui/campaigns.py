"""Campaigns: create and edit, with the number of recipients the tags select."""
from __future__ import annotations

from flask import Blueprint, render_template

from web.ui.session import account_page

bp = Blueprint("ui_campaigns", __name__)


@bp.get("/a/<uuid:account_id>/campaigns")
@account_page
def campaigns(account_id):
    """The page."""
    return render_template("ui/campaigns.html")
