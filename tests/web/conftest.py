"""The web tests' shared fixtures (a module may define its own `live` instead)."""
from __future__ import annotations

import pytest

from tests.support.live import served


@pytest.fixture
def live(clean_db, identity, supervisord, worker_config):
    """The app on real HTTP with a real supervisord and sandbox workers, removed afterwards."""
    with served(worker_config.with_overrides(webhook_allow_private=True), clean_db, identity) as live:
        yield live
