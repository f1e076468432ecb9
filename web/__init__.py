"""The Flask application factory."""
from __future__ import annotations

from flask import Flask

from web import errors
from web.api import register_api
from web.jsonio import IsoJSONProvider
from zapfleet.accounts import AccountManager
from zapfleet.config import Config
from zapfleet.db import Database


def create_app(config: Config | None = None, **managers) -> Flask:
    """Build the app from a Config (the environment when None); no side effects."""
    config = config or Config.from_env()
    if not config.database_url:
        raise RuntimeError("DATABASE_URL is not set: start the service with `python -m zapfleet up`")
    app = Flask(__name__)
    app.json = IsoJSONProvider(app)
    app.config.update(SECRET_KEY=config.secret_key, MAX_CONTENT_LENGTH=config.max_import_bytes,
                      ZAPFLEET=config)
    db = managers.get("database") or Database(config.database_url, config.db_pool_size)
    app.extensions["zapfleet.db"] = db
    app.extensions["zapfleet.accounts"] = managers.get("accounts") or AccountManager(
        db, region=config.default_region)
    errors.register(app)
    register_api(app)
    return app
