"""The web tests' shared fixtures (a module may define its own `live` instead)."""
from __future__ import annotations

import pytest

from tests.support.live import Live, Server
from zapfleet.fleet.supervisor import Supervisor


@pytest.fixture
def live(clean_db, identity, supervisord, worker_config):
    """The app on real HTTP with a real supervisord and sandbox workers, removed afterwards."""
    config = worker_config.with_overrides(webhook_allow_private=True)
    server = Server(config, db=clean_db, identity=identity,
                    supervisor=Supervisor.from_config(config))
    live = Live(server.app, config.control_url)
    yield live
    for instance in live.instances.list(None):
        live.instances.delete(instance["account_id"])
    server.shutdown()
