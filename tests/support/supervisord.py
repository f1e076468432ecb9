"""A real supervisord in a throwaway folder with its fixtures, and fakes of supervisord and the
workers (a plugin tests/conftest.py loads)."""
from __future__ import annotations

import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.clock import Clock
from tests.support.waiting import wait_until
from zapfleet.core.errors import Conflict, NotFound, Unavailable
from zapfleet.fleet.instances import InstanceManager
from zapfleet.fleet.programs import port_is_free
from zapfleet.fleet.supervisor import RUNNING_STATES, Supervisor

SUPERVISOR_USER = "zftest"

CONF = """\
[unix_http_server]
file = {var}/supervisor/supervisor.sock
chmod = 0700
username = {user}
password = {password}

[supervisord]
logfile = {var}/log/supervisord.log
pidfile = {var}/supervisor/supervisord.pid
childlogdir = {var}/log
loglevel = info

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[include]
files = {var}/supervisor/workers/*.conf
"""


@dataclass
class Supervisord:
    """A real supervisord running from a throwaway folder; restartable."""

    var_dir: Path
    password: str
    process: subprocess.Popen | None = None
    supervisor: Supervisor = field(init=False)

    def __post_init__(self) -> None:
        for sub in ("supervisor/workers", "log/workers", "sessions"):
            (self.var_dir / sub).mkdir(parents=True, exist_ok=True)
        self.conf = self.var_dir / "supervisord.conf"
        self.conf.write_text(CONF.format(var=self.var_dir, user=SUPERVISOR_USER, password=self.password))
        self.supervisor = Supervisor(self.var_dir / "supervisor" / "supervisor.sock",
                                     SUPERVISOR_USER, self.password)

    def start(self) -> None:
        """Start supervisord in the foreground and wait until its socket answers."""
        env = {**os.environ, "SANDBOX_RECEIPT_DELAY": "0", "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "supervisor.supervisord", "-n", "-c", str(self.conf)],
            env=env, cwd=self.var_dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self.supervisor.ping, timeout=20, what="supervisord to answer")

    def stop(self) -> None:
        """SIGTERM supervisord (it stops its programs) and wait for it to exit."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self) -> None:
        """Stop supervisord and start it again from the same folder."""
        self.stop()
        self.start()


def free_port_base(span: int = 40) -> int:
    """The start of a range of `span` ports that are free right now, below the ephemeral range."""
    for _ in range(200):
        base = random.randrange(20000, 32000 - span)
        if all(port_is_free("127.0.0.1", port) for port in range(base, base + span)):
            return base
    raise RuntimeError("no free port range for workers")


@pytest.fixture
def short_var_dir():
    """A var folder with a short path (unix socket paths are limited to 108 bytes)."""
    path = Path(tempfile.mkdtemp(prefix="zf", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def supervisor_password():
    """The password of the test supervisord's socket."""
    return secrets.token_urlsafe(16)


@pytest.fixture
def supervisord(short_var_dir, supervisor_password):
    """A running supervisord whose programs are the worker files under its var folder."""
    daemon = Supervisord(short_var_dir, supervisor_password)
    daemon.start()
    yield daemon
    daemon.stop()


@pytest.fixture
def worker_config(config, short_var_dir, supervisor_password):
    """The test Config pointed at the throwaway var folder and a free range of worker ports."""
    return config.with_overrides(
        var_dir=short_var_dir, worker_port_base=free_port_base(),
        supervisor_user=SUPERVISOR_USER, supervisor_password=supervisor_password,
        bind=f"127.0.0.1:{free_port_base(1)}")


@pytest.fixture
def make_account(manager):
    """A factory of registered accounts (rows of the accounts table)."""
    def _make(name: str = "Salão Bela") -> dict:
        email = f"{secrets.token_hex(4)}@example.com"
        return manager.register_customer(
            {"name": name, "email": email, "password": "correct horse battery"})["account"]
    return _make


@pytest.fixture
def instance_manager(clean_db, supervisord, worker_config):
    """An InstanceManager driving the real supervisord."""
    return InstanceManager(clean_db, Supervisor.from_config(worker_config), worker_config)


# -- fakes, for unit tests of the InstanceManager's logic only ---------------------------

_ARG = {"port": re.compile(r"--port (\d+)"), "instance": re.compile(r"--instance ([0-9a-f-]{36})")}


class FakeSupervisor:
    """supervisord's semantics in memory: read config, active groups (autostart), states."""

    def __init__(self, conf_dir: Path):
        self.conf_dir = conf_dir
        self.read: dict[str, str] = {}
        self.active: dict[str, str] = {}
        self.states: dict[str, str] = {}
        self.spawnerr: dict[str, str] = {}
        self.lock = threading.RLock()

    def reload(self) -> tuple[list[str], list[str], list[str]]:
        with self.lock:
            self.read = {p.stem: p.read_text() for p in self.conf_dir.glob("*.conf")}
            added = sorted(self.read.keys() - self.active.keys())
            changed = sorted(n for n in self.read if n in self.active and self.active[n] != self.read[n])
            return added, changed, sorted(self.active.keys() - self.read.keys())

    def add_group(self, name: str) -> bool:
        with self.lock:
            if name not in self.read:
                raise NotFound(f"supervisord has no program {name}")
            if name in self.active:
                return False
            autostart = "autostart = false" not in self.read[name]
            self.active[name] = self.read[name]
            self.states[name] = "RUNNING" if autostart else "STOPPED"
            return True

    def remove_group(self, name: str) -> bool:
        with self.lock:
            if name not in self.active:
                return False
            del self.active[name], self.states[name]
            return True

    def _need(self, name: str) -> None:
        if name not in self.active:
            raise NotFound(f"supervisord has no program {name}")

    def start(self, name: str, wait: bool = False) -> bool:
        with self.lock:
            self._need(name)
            if self.states[name] in RUNNING_STATES:
                return False
            self.states[name] = "RUNNING"
            return True

    def stop(self, name: str) -> bool:
        with self.lock:
            self._need(name)
            if self.states[name] not in RUNNING_STATES:
                return False
            self.states[name] = "STOPPED"
            return True

    def process_info(self, name: str) -> dict | None:
        with self.lock:
            if name not in self.active:
                return None
            return {"name": name, "statename": self.states[name], "pid": 4242,
                    "spawnerr": self.spawnerr.get(name, ""), "description": ""}

    def all_process_info(self, max_age: float = 0.0) -> dict[str, dict]:
        return {name: self.process_info(name) for name in list(self.active)}

    def arg(self, name: str, which: str) -> str:
        """The --port or --instance argument of an active program."""
        return _ARG[which].search(self.active[name]).group(1)

    def running_on(self, port: int) -> str | None:
        """The instance id of the RUNNING program on this port, if any."""
        with self.lock:
            for name, state in self.states.items():
                if state == "RUNNING" and int(self.arg(name, "port")) == port:
                    return self.arg(name, "instance")
        return None


class FakeWorkers:
    """Workers that answer only while the fake supervisord runs their program; records calls."""

    def __init__(self, supervisor: FakeSupervisor):
        self.supervisor = supervisor
        self.states: dict[int, str] = {}
        self.calls: list[tuple[int, str, str, tuple]] = []
        self.missing_actions: set[str] = set()  # actions the engine has not (404)
        self.refusal: str | None = None  # set: sends are refused by WhatsApp with this reason

    def __call__(self, host: str, port: int, token: str) -> "FakeWorkerClient":
        return FakeWorkerClient(self, port, token)


class FakeWorkerClient:
    """One fake worker's HTTP API."""

    def __init__(self, workers: FakeWorkers, port: int, token: str):
        self.workers, self.port, self.token = workers, port, token

    def _answer(self, method: str, *args) -> str:
        self.workers.calls.append((self.port, self.token, method, args))
        instance = self.workers.supervisor.running_on(self.port)
        if instance is None:
            raise Unavailable("the WhatsApp worker is not running or not reachable")
        return self.workers.states.get(self.port, "waiting_qr")

    def health(self) -> dict:
        state = self._answer("health")
        return {"ok": True, "instance": self.workers.supervisor.running_on(self.port), "state": state}

    def status(self) -> dict:
        return {"state": self._answer("status"), "engine": "sandbox"}

    def qr_code(self) -> str | None:
        return None if self._answer("qr") == "connected" else f"qr-{self.port}"

    def qr(self, fmt: str) -> tuple[str, bytes]:
        if self._answer("qr", fmt) == "connected":
            raise NotFound("no QR")
        return "application/json", json.dumps({"code": f"qr-{self.port}"}).encode()

    def send(self, message_id: str, phone: str, text: str) -> dict:
        if self._answer("send", message_id, phone, text) != "connected":
            raise Conflict("the instance is not linked")
        if self.workers.refusal:
            return {"message_id": message_id, "provider_message_id": None, "status": "failed",
                    "error": self.workers.refusal}
        return {"message_id": message_id, "provider_message_id": f"p-{message_id}", "status": "sent"}

    def logout(self) -> dict:
        self._answer("logout")
        self.workers.states[self.port] = "logged_out"
        return {"state": "logged_out"}

    def reconnect(self) -> dict:
        return self.status() | {"reconnect": self._answer("reconnect")}

    def delete(self) -> dict:
        self._answer("delete")
        return {"state": "deleted"}

    def action(self, name: str, payload: dict) -> dict:
        self._answer("action", name, payload)
        if name in self.workers.missing_actions:
            raise NotFound(f"the engine has no action {name!r}")
        return {"ok": True, "action": name, **payload}


@dataclass
class FakeInstances:
    """An InstanceManager over the fake supervisord, fake workers and a test clock."""

    manager: InstanceManager
    supervisor: FakeSupervisor
    workers: FakeWorkers
    clock: Clock


@pytest.fixture
def fake_instances(clean_db, worker_config):
    """The InstanceManager with fakes for supervisord and the workers (the database is real)."""
    conf_dir = worker_config.var_dir / "supervisor" / "workers"
    conf_dir.mkdir(parents=True, exist_ok=True)
    supervisor, clock = FakeSupervisor(conf_dir), Clock()
    workers = FakeWorkers(supervisor)
    manager = InstanceManager(clean_db, supervisor, worker_config, workers,
                              clock=clock, sleep=clock.sleep)
    return FakeInstances(manager, supervisor, workers, clock)
