"""Account status over real HTTP with a real supervisord and sandbox workers: suspension stops the
worker and keeps its session, reactivation brings it back linked, cancellation removes it."""
from __future__ import annotations

import pytest

from tests.support.clients import ADMIN_KEY
from tests.support.live import Live, Server
from tests.support.waiting import wait_until
from tests.web.test_whatsapp_live import _linked, _status
from zapfleet.fleet.supervisor import Supervisor


@pytest.fixture
def live(clean_db, identity, supervisord, worker_config):
    server = Server(worker_config, db=clean_db, identity=identity,
                    supervisor=Supervisor.from_config(worker_config))
    live = Live(server.app, worker_config.control_url)
    yield live
    for instance in server.app.extensions["zapfleet"].instances.list(None):
        server.app.extensions["zapfleet"].instances.delete(instance["account_id"])
    server.shutdown()


def _set_status(live, account, status):
    answer = live.call("PATCH", f"/api/accounts/{account}", ADMIN_KEY, json={"status": status})
    assert answer.status_code == 200, answer.text


def test_suspension_stops_the_worker_and_reactivation_brings_it_back_linked(live, supervisord):
    account, key = _linked(live, "Clínica Sorriso")
    _set_status(live, account, "suspended")
    assert _status(live, account, ADMIN_KEY) == "stopped"
    assert supervisord.supervisor.process_info("clinica-sorriso_whatsapp")["statename"] == "STOPPED"
    assert live.call("POST", f"/api/accounts/{account}/whatsapp/connect", key).status_code == 403
    _set_status(live, account, "active")
    wait_until(lambda: _status(live, account, key) == "connected", 20, "connected again, no new QR")


def test_cancellation_unlinks_and_removes_the_instance(live, supervisord):
    account, _key = _linked(live, "Academia Força")
    _set_status(live, account, "cancelled")
    gone = live.call("GET", f"/api/accounts/{account}/whatsapp", ADMIN_KEY)
    assert gone.status_code == 404
    assert "academia-forca_whatsapp" not in supervisord.supervisor.all_process_info()
