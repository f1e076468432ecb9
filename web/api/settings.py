"""An account's messaging settings: time zone, business hours, bot switches, pacing, templates."""
from flask import Blueprint

from web.auth import account_scoped
from web.jsonio import json_body
from web.managers import managers

bp = Blueprint("settings", __name__, url_prefix="/api/accounts/<uuid:account_id>/settings")


@bp.get("")
@account_scoped
def get_settings(account_id):
    """Every messaging setting, with the defaults filled in and the templates' placeholders."""
    return managers().settings.get_messaging_settings(account_id)


@bp.patch("")
@account_scoped
def update_settings(account_id):
    """Change some settings; groups (business_hours, pacing, templates) merge key by key."""
    return managers().settings.update_messaging_settings(account_id, json_body())
