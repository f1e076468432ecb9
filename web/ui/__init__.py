"""The web pages: sign-in, the owner's dashboard and each account's workspace."""
from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect

from web.api import BLUEPRINTS as API_BLUEPRINTS
from web.ui import (
    appointments,
    auth,
    campaign_runs,
    campaigns,
    contacts,
    dashboard,
    evolution_servers,
    inbox,
    messaging,
    nodes,
    sandbox_phone,
    services,
    settings,
    workspace,
)
from web.ui.i18n import DEFAULT_LANGUAGE, LANGUAGES, chosen_language, page_gettext
from web.ui.local_time import account_settings, input_value, local
from web.ui.session import current_principal, current_user
from web.ui.threads import thread_helpers
from zapfleet.config import Config

UI_BLUEPRINTS = (auth.bp, dashboard.bp, evolution_servers.bp, nodes.bp, workspace.bp, inbox.bp, contacts.bp,
                 campaigns.bp, campaign_runs.bp, appointments.bp, services.bp, messaging.bp,
                 settings.bp, sandbox_phone.bp)


def register_ui(app: Flask, config: Config) -> None:
    """Register the pages, translations and CSRF protection (API routes use bearer keys)."""
    app.config.update(
        SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=config.public_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(days=14), WTF_CSRF_TIME_LIMIT=None,
        BABEL_DEFAULT_LOCALE=DEFAULT_LANGUAGE)
    Babel(app, locale_selector=chosen_language)
    app.context_processor(page_gettext)
    csrf = CSRFProtect(app)
    for blueprint in API_BLUEPRINTS:
        csrf.exempt(blueprint)
    for blueprint in UI_BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, chosen_language=chosen_language,
                                 current_principal=current_principal, current_user=current_user,
                                 account_settings=account_settings, input_value=input_value,
                                 local=local, **thread_helpers())
