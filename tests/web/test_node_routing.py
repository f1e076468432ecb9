"""The web app reaches a worker at its node's address: the send route (a tenant transaction)
and the instance routes alike."""
from __future__ import annotations

import uuid

import pytest

from web import create_app
from zapfleet.db import nodes as nodes_sql


@pytest.fixture
def fake_app(config, clean_db, identity, fake_instances):
    return create_app(config, db=clean_db, identity=identity, instances=fake_instances.manager)


@pytest.fixture
def hosts(fake_instances):
    """The hosts the app's worker clients were made for, in order."""
    made, factory = [], fake_instances.manager.worker_client

    def recording(host, port, token):
        made.append(host)
        return factory(host, port, token)
    fake_instances.manager.worker_client = recording
    return made


def test_a_send_goes_to_the_address_of_the_workers_node(fake_app, fake_instances, clean_db, hosts):
    with clean_db.system() as conn:  # this machine's node ("local"), reached at another address
        nodes_sql.register_node(conn, "local", "10.1.2.3", fake_instances.manager.config.worker_port_base,
                                100, 20, 0, 1)
    api = fake_app.test_client()
    answer = api.post("/api/register", json={"name": "Clínica Boa", "email": f"{uuid.uuid4().hex}@x.com",
                                             "password": "correct horse battery"}).get_json()
    account, headers = answer["account"]["id"], {"Authorization": f"Bearer {answer['api_key']['key']}"}
    connected = api.post(f"/api/accounts/{account}/whatsapp/connect", headers=headers).get_json()
    assert connected["instance"]["node_name"] == "local"
    fake_instances.workers.states[connected["instance"]["port"]] = "connected"
    hosts.clear()
    sent = api.post(f"/api/accounts/{account}/send", json={"phone": "5511987654321", "message": "oi"},
                    headers=headers)
    assert sent.status_code == 201, sent.get_json()
    assert hosts == ["10.1.2.3"]
