"""Fixtures for worker tests: a real worker subprocess and a stand-in for /internal/events."""
from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from tests.support.waiting import wait_until

def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EventReceiver:
    """The control plane's POST /internal/events: records every request; answers `status`."""

    def __init__(self, port: int = 0):
        self.status = 200
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    status = receiver.status
                    receiver.requests.append({
                        "path": self.path, "authorization": self.headers.get("Authorization"),
                        "json": json.loads(body), "status": status})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass
        return Handler

    def answered(self, ok: bool = True) -> list[dict]:
        """The requests answered 2xx (ok) or not."""
        with self.lock:
            return [r for r in self.requests if (200 <= r["status"] < 300) == ok]

    def events(self, kind: str | None = None) -> list[dict]:
        """The events acknowledged so far, in arrival order (optionally of one type)."""
        events = [e for r in self.answered() for e in r["json"]["events"]]
        return [e for e in events if kind is None or e["type"] == kind]

    def statuses(self, message_id: str) -> list[str]:
        """The receipts acknowledged for one message, in order."""
        return [e["data"]["status"] for e in self.events("message.status")
                if e["data"]["message_id"] == message_id]

    def start(self) -> None:
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


class Worker:
    """One real worker process (python -m workers.whatsapp_worker) and HTTP calls to it."""

    def __init__(self, session_dir: Path, control_url: str, log_path: Path,
                 env: dict[str, str] | None = None, engine: str = "sandbox", name: str | None = None):
        self.instance_id = str(uuid.uuid4())
        self.engine, self.name = engine, name
        self.token = secrets.token_hex(32)
        self.port = free_port()
        self.session_dir, self.control_url, self.log_path = session_dir, control_url, log_path
        self.extra_env = env or {}
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self, engine: str | None = None) -> list[str]:
        """The command line zapfleet.fleet.programs writes for a worker."""
        return [sys.executable, "-m", "workers.whatsapp_worker", "--instance", self.instance_id,
                *(["--name", self.name] if self.name else []),
                "--port", str(self.port), "--host", "127.0.0.1", "--engine", engine or self.engine,
                "--session-dir", str(self.session_dir), "--control-url", self.control_url]

    def env(self, with_token: bool = True) -> dict[str, str]:
        env = {**os.environ, "SANDBOX_RECEIPT_DELAY": "0", "PYTHONUNBUFFERED": "1",
               **self.extra_env}
        env.pop("ZAPFLEET_WORKER_TOKEN", None)
        if with_token:
            env["ZAPFLEET_WORKER_TOKEN"] = self.token
        return env

    def start(self) -> "Worker":
        """Start the process and wait until /health answers."""
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command(), env=self.env(), cwd=self.log_path.parent,
                                            stdout=log, stderr=subprocess.STDOUT)
        wait_until(lambda: self.call("GET", "/health").status_code == 200, timeout=20,
                   what="the worker to answer /health")
        return self

    def kill(self) -> None:
        """kill -9, and reap it."""
        self.process.kill()
        self.process.wait(timeout=10)

    def terminate(self) -> int:
        """SIGTERM; the exit code."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def call(self, method: str, path: str, body=None, token: str | None = None,
             data: bytes | None = None, headers: dict | None = None) -> requests.Response:
        """One request with the worker's token (or `token`; "" sends no Authorization)."""
        token = self.token if token is None else token
        headers = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
        return requests.request(method, self.url + path, json=body, data=data, headers=headers,
                                timeout=10)

    def qr_token(self) -> str:
        """The link token of the current QR."""
        code = self.call("GET", "/qr").json()["code"]
        return code.rsplit("/sandbox/scan/", 1)[1]

    def link(self) -> dict:
        """Link the sandbox phone with the current QR's token."""
        response = self.call("POST", "/engine/link", {"token": self.qr_token()})
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def receiver():
    """A running stand-in for the control plane's /internal/events."""
    events = EventReceiver()
    events.start()
    yield events
    events.close()


@pytest.fixture
def make_worker(tmp_path, receiver):
    """A factory of workers reporting to the receiver; all of them are stopped after the test."""
    workers: list[Worker] = []

    def _make(env: dict[str, str] | None = None, session: str = "session",
              control_url: str | None = None, engine: str = "sandbox",
              name: str | None = None) -> Worker:
        worker = Worker(tmp_path / session, control_url or receiver.url,
                        tmp_path / f"{session}.log", env, engine, name)
        workers.append(worker)
        return worker
    yield _make
    for worker in workers:
        if worker.process is not None:
            worker.terminate()


@pytest.fixture
def worker(make_worker):
    """A started sandbox worker waiting for its QR to be scanned."""
    return make_worker().start()


@pytest.fixture
def linked(worker, receiver):
    """A started sandbox worker that is linked, with its connection event received."""
    worker.link()
    wait_until(lambda: [e for e in receiver.events("connection") if e["data"]["state"] == "connected"],
               what="the connected event")
    return worker
