"""The worker client's connections: kept alive and shared, and a closed one is replaced."""
from __future__ import annotations

from tests.support.http import Recorder
from zapfleet.fleet.worker_client import WorkerClient, worker_connections


def _sent(request: dict) -> dict:
    """A worker's answer to a send."""
    message_id = request["json"]["message_id"]
    return {"message_id": message_id, "status": "sent", "provider_message_id": f"p-{message_id}"}


def _peers(worker: Recorder) -> list[tuple[str, int]]:
    """The connection each request came on."""
    return [request["peer"] for request in worker.requests]


def test_clients_of_one_process_reuse_a_kept_alive_connection():
    connections = worker_connections()
    with Recorder(reply=_sent) as worker:
        for n in range(5):  # a new client per send, as the InstanceManager makes them
            client = WorkerClient("127.0.0.1", worker.port, "tok", connections=connections)
            assert client.send(f"m{n}", "5511999990000", "oi")["provider_message_id"] == f"p-m{n}"
    assert len(_peers(worker)) == 5 and len(set(_peers(worker))) == 1


def test_a_connection_the_worker_closed_is_replaced_not_failed():
    connections = worker_connections()
    with Recorder(reply=_sent) as first:
        port = first.port
        WorkerClient("127.0.0.1", port, "tok", connections=connections).send("m1", "5511", "oi")
    # the same worker again, its old connections dead
    with Recorder(port=port, reply=_sent) as restarted:
        answer = WorkerClient("127.0.0.1", port, "tok", connections=connections).send(
            "m2", "5511", "oi")
    assert answer["provider_message_id"] == "p-m2" and len(_peers(restarted)) == 1
