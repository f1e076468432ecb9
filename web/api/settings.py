"""An account's messaging settings: time zone, business hours, bot switches, pacing, templates."""
from flask import Blueprint

from web.auth import account_scoped
from web.jsonio import json_body
from web.managers import managers
from web.openapi.declare import shapes
from zapfleet.tenancy.settings_shapes import MessagingSettings, MessagingSettingsChanges

bp = Blueprint("settings", __name__, url_prefix="/api/accounts/<uuid:account_id>/settings")


@bp.get("")
@shapes(tag="Settings", summary="Get the messaging settings", access="account",
        description="Time zone, business hours, auto-reply and booking bot switches, pacing of "
                    "campaigns, reminders, opt-out keywords and every template, with defaults filled in.",
        responses={200: MessagingSettings})
@account_scoped
def get_settings(account_id):
    """Every messaging setting, with the defaults filled in and the templates' placeholders."""
    return managers().settings.get_messaging_settings(account_id)


@bp.patch("")
@shapes(tag="Settings", summary="Change messaging settings", access="account", body=MessagingSettingsChanges,
        description="Changes the keys sent; business_hours, pacing and templates merge key by key, and "
                    "null restores a default. Changing reminder_hours moves the pending reminders.",
        responses={200: MessagingSettings})
@account_scoped
def update_settings(account_id):
    """Change some settings; groups (business_hours, pacing, templates) merge key by key."""
    return managers().settings.update_messaging_settings(account_id, json_body())
