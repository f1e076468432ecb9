"""The worker client's connections: kept alive and shared, and a closed one is replaced."""
from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from zapfleet.fleet.worker_client import WorkerClient, worker_connections


class KeepAliveWorker:
    """An HTTP/1.1 stand-in for a worker that records which connection each request came on."""

    def __init__(self, port: int = 0):
        self.peers: list[tuple[str, int]] = []
        self.open: list[socket.socket] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_port

    def _handler(self):
        worker = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                worker.open.append(self.connection)

            def do_POST(self):  # noqa: N802 - http.server's naming
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                worker.peers.append(self.client_address)
                body = json.dumps({"message_id": request["message_id"], "status": "sent",
                                   "provider_message_id": f"p-{request['message_id']}"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass
        return Handler

    def __enter__(self) -> "KeepAliveWorker":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        """Stop like a killed worker: its kept-alive connections are closed too."""
        self.server.shutdown()
        self.server.server_close()
        for connection in self.open:
            connection.shutdown(socket.SHUT_RDWR)


def test_clients_of_one_process_reuse_a_kept_alive_connection():
    connections = worker_connections()
    with KeepAliveWorker() as worker:
        for n in range(5):  # a new client per send, as the InstanceManager makes them
            client = WorkerClient("127.0.0.1", worker.port, "tok", connections=connections)
            assert client.send(f"m{n}", "5511999990000", "oi")["provider_message_id"] == f"p-m{n}"
    assert len(worker.peers) == 5 and len(set(worker.peers)) == 1


def test_a_connection_the_worker_closed_is_replaced_not_failed():
    connections = worker_connections()
    with KeepAliveWorker() as first:
        port = first.port
        WorkerClient("127.0.0.1", port, "tok", connections=connections).send("m1", "5511", "oi")
    with KeepAliveWorker(port) as restarted:  # the same worker again, its old connections dead
        answer = WorkerClient("127.0.0.1", port, "tok", connections=connections).send(
            "m2", "5511", "oi")
    assert answer["provider_message_id"] == "p-m2" and len(restarted.peers) == 1
