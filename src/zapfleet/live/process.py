"""`python -m zapfleet events`: the events app on EVENTS_BIND, on the service's database."""
from __future__ import annotations

from functools import partial

from aiohttp import web

from zapfleet.assembly import runtime_database
from zapfleet.config import Config
from zapfleet.fleet.engines import session_database_url
from zapfleet.live.access import may_watch
from zapfleet.live.server import build_app


def run_events(config: Config) -> int:
    """Serve the live stream until SIGTERM or SIGINT."""
    if not config.secret_key:
        raise SystemExit("zapfleet events: SECRET_KEY is not set")
    db = runtime_database(config.with_overrides(db_pool_size=4))
    app = build_app(config.secret_key, session_database_url(config), partial(may_watch, db))
    host, _, port = config.events_bind.rpartition(":")
    try:
        web.run_app(app, host=host or "127.0.0.1", port=int(port), print=None,
                    access_log=None, shutdown_timeout=2)
    finally:
        db.close()
    return 0
