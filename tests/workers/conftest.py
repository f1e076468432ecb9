"""Fixtures for worker tests: a real worker subprocess and a stand-in for /internal/events."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

from tests.support.http import Recorder, free_port
from tests.support.waiting import wait_until


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
    with Recorder() as events:
        yield events


@pytest.fixture
def make_worker(tmp_path, receiver):
    """A factory of workers reporting to the receiver; all of them are stopped after the test."""
    workers: list[Worker] = []

    def _make(env: dict[str, str] | None = None, session: str = "session",
              control_url: str | None = None, engine: str = "sandbox",
              name: str | None = None) -> Worker:
        worker = Worker(tmp_path / session, control_url or receiver.base_url,
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
