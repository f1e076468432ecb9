"""The Flask application factory."""
from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from web import errors
from web.api import register_api
from web.jsonio import IsoJSONProvider, refuse_unstorable_input
from web.limits import install_limits
from web.ui import register_ui
from web.uploads import widen_upload_limit
from zapfleet.assembly import build_managers
from zapfleet.config import Config


def create_app(config: Config | None = None, **given) -> Flask:
    """Build the app from a Config (the environment when None); no side effects. Managers may
    be given by name (see zapfleet.assembly.build_managers)."""
    config = config or Config.from_env()
    if not config.database_url:
        raise RuntimeError("DATABASE_URL is not set: start the service with `python -m zapfleet up`")
    app = Flask(__name__)
    app.json = IsoJSONProvider(app)
    app.config.update(SECRET_KEY=config.secret_key, MAX_CONTENT_LENGTH=config.max_import_bytes,
                      ZAPFLEET=config)
    if config.trusted_proxies:  # the client's address, scheme and host as the proxies saw them
        hops = config.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.extensions["zapfleet"] = build_managers(config, **given)
    errors.register(app)
    app.before_request(widen_upload_limit)
    app.before_request(refuse_unstorable_input)
    register_api(app)
    register_ui(app, config)
    app.extensions["limiter"] = install_limits(app, config)
    return app
