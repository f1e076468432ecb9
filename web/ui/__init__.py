"""The web pages: sign-in, the owner's dashboard and each account's workspace."""
from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect

from web.ui import (
    appointments,
    auth,
    campaign_runs,
    campaigns,
    contacts,
    dashboard,
    evolution_servers,
    inbox,
    inbox_actions,
    live,
    messaging,
    nodes,
    sandbox_phone,
    services,
    settings,
    team,
    workspace,
)
from web.ui.formats import format_helpers, phone_label
from web.ui.i18n import DEFAULT_LANGUAGE, LANGUAGES, chosen_language, page_gettext
from web.ui.local_time import account_settings, input_value, local
from web.ui.session import current_principal, current_user, may_open
from web.ui.threads import thread_helpers
from zapfleet.config import Config

UI_BLUEPRINTS = (auth.bp, dashboard.bp, evolution_servers.bp, nodes.bp, workspace.bp, inbox.bp, contacts.bp,
                 campaigns.bp, campaign_runs.bp, appointments.bp, services.bp, messaging.bp,
                 settings.bp, sandbox_phone.bp, live.bp, team.bp)


def register_ui(app: Flask, config: Config) -> None:
    """Register the pages, translations and CSRF protection (API routes use bearer keys)."""
    from web.api import BLUEPRINTS as API_BLUEPRINTS  # here: web.api may use the pages' helpers
    app.config.update(
        SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=config.public_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(days=14), WTF_CSRF_TIME_LIMIT=None,
        # the cookie is written only when the session changes: a page's background fetch that
        # answers after a form's redirect would otherwise put back a cookie without its flash
        SESSION_REFRESH_EACH_REQUEST=False,
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
                                 may_open=may_open,
                                 account_settings=account_settings, input_value=input_value,
                                 local=local, live_stream=live.live_stream,
                                 inbox_unread_total=inbox_actions.unread_total, **thread_helpers())
    app.jinja_env.globals.update(format_helpers())
    app.jinja_env.filters["phone"] = phone_label
