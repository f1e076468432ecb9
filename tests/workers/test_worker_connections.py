"""How the worker's HTTP server treats connections: kept alive, and a deep accept queue."""
from __future__ import annotations

import http.client
import socket

from workers.httpapi import LISTEN_BACKLOG, make_server


def test_one_connection_carries_many_requests(worker):
    connection = http.client.HTTPConnection("127.0.0.1", worker.port, timeout=10)
    headers = {"Authorization": f"Bearer {worker.token}"}
    try:
        sockets = []
        for _ in range(3):
            connection.request("GET", "/health", headers=headers)
            response = connection.getresponse()
            assert response.status == 200 and response.read()
            assert not response.will_close
            sockets.append(connection.sock)
        connection.request("POST", "/send", body=b'{"message_id": "m1"}', headers=headers)
        assert connection.getresponse().read()  # an answer with a body of its own
        sockets.append(connection.sock)
    finally:
        connection.close()
    assert len(set(map(id, sockets))) == 1 and sockets[0] is not None


def test_an_unread_body_closes_the_connection(worker):
    connection = http.client.HTTPConnection("127.0.0.1", worker.port, timeout=10)
    headers = {"Authorization": f"Bearer {worker.token}", "Content-Length": str(10**8)}
    try:
        connection.putrequest("POST", "/send")
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders(b"{}")
        response = connection.getresponse()
        assert response.status == 400 and b"body" in response.read()
        assert response.will_close  # the 100 MB it announced were never read
    finally:
        connection.close()


def test_a_burst_of_connections_waits_in_the_accept_queue():
    """http.server's default queue of 5 drops the SYNs of a burst, which then wait a second to
    be sent again; the worker's queue takes a burst of connections before it accepts any."""
    server = make_server(None, "127.0.0.1", 0)  # listening, never accepting
    clients = []
    try:
        for _ in range(min(LISTEN_BACKLOG, 64)):
            client = socket.create_connection(server.server_address, timeout=0.5)
            clients.append(client)
    finally:
        for client in clients:
            client.close()
        server.server_close()
    assert len(clients) == 64


def test_answers_are_not_held_back_by_nagles_algorithm():
    """Headers and body are written apart; with Nagle on, a kept-alive connection would wait for
    the client's delayed ACK (40 ms) before the body left: TCP_NODELAY on every connection."""
    server = make_server(None, "127.0.0.1", 0)
    try:
        assert server.RequestHandlerClass.disable_nagle_algorithm is True
    finally:
        server.server_close()
