"""The one local HTTP endpoint that records what it receives (a tenant's webhook, the control
plane's /internal/events, a worker's API), and free ports."""
from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

Reply = Callable[[dict], object]
"""Builds the JSON body of the answer to a recorded request (None: an empty body)."""


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Recorder:
    """Records every request (HTTP/1.1, kept-alive connections) and answers `status`.

    Each request is recorded as a dict: method, path, headers, authorization, body, json (None
    when the body is not JSON), the status answered and the peer (client address). `reply`
    builds a JSON answer from the request; clearing `release` holds every request until it is
    set again. Use it as a context manager, or call start() and close().
    """

    def __init__(self, status: int = 200, port: int = 0, reply: Reply | None = None):
        self.status, self.reply = status, reply
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.release = threading.Event()
        self.release.set()
        self.connections: list[socket.socket] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        """The port it listens on."""
        return self.server.server_port

    @property
    def base_url(self) -> str:
        """Its root URL (a control URL the workers append their paths to)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """A URL to configure as a webhook."""
        return self.base_url + "/hook"

    def _record(self, handler: BaseHTTPRequestHandler) -> tuple[int, bytes]:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        self.release.wait(30)
        with self.lock:
            request = {"method": handler.command, "path": handler.path,
                       "headers": dict(handler.headers),
                       "authorization": handler.headers.get("Authorization"), "body": body,
                       "json": _json(body), "status": self.status, "peer": handler.client_address}
            self.requests.append(request)
        answer = self.reply(request) if self.reply else None
        return request["status"], b"" if answer is None else json.dumps(answer).encode()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                recorder.connections.append(self.connection)

            def _answer(self):
                status, body = recorder._record(self)
                self.send_response(status)
                if body:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer  # noqa: N815

            def log_message(self, *args):
                pass
        return Handler

    def answered(self, ok: bool = True) -> list[dict]:
        """The requests answered 2xx (ok) or not."""
        with self.lock:
            return [r for r in self.requests if (200 <= r["status"] < 300) == ok]

    def events(self, kind: str | None = None) -> list[dict]:
        """The worker events acknowledged so far, in arrival order (optionally of one type)."""
        events = [e for r in self.answered() for e in r["json"]["events"]]
        return [e for e in events if kind is None or e["type"] == kind]

    def statuses(self, message_id: str) -> list[str]:
        """The receipts acknowledged for one message, in order."""
        return [e["data"]["status"] for e in self.events("message.status")
                if e["data"]["message_id"] == message_id]

    def start(self) -> "Recorder":
        """Start serving."""
        self.thread.start()
        return self

    def close(self) -> None:
        """Stop like a killed process: held requests go on, kept-alive connections are cut."""
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
        for connection in self.connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:  # already closed by the client
                pass

    def __enter__(self) -> "Recorder":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()


def _json(body: bytes) -> object:
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None
