"""Fakes of supervisord and the workers, for unit tests of the InstanceManager's logic only, and
the fake_instances fixture; and the internet's DNS for example.com names, for every test (a plugin
tests/conftest.py loads; the database stays real)."""
from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.clock import Clock
from zapfleet.core import netguard
from zapfleet.core.errors import Conflict, NotFound, Unavailable
from zapfleet.fleet.instances import InstanceManager
from zapfleet.fleet.supervisor import RUNNING_STATES

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

    def send(self, message_id: str, phone: str, text: str, extra: dict | None = None) -> dict:
        if self._answer("send", message_id, phone, text, *([extra] if extra else [])) != "connected":
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


PUBLIC_TEST_ADDRESS = "93.184.215.14"
"""A public address that stands for every *.example.com host the tests name."""


def public_dns(real: Callable[[str, int], list[str]]) -> Callable[[str, int], list[str]]:
    """The internet's DNS, which no machine here can reach: example.com names resolve to a
    public address; every other name (localhost, this machine) through the real resolver."""
    def resolve(host: str, port: int) -> list[str]:
        if host == "example.com" or host.endswith((".example.com", ".example")):
            return [PUBLIC_TEST_ADDRESS]
        return real(host, port)
    return resolve


@pytest.fixture(autouse=True)
def internet_dns(monkeypatch):
    """Every test resolves example.com names as the internet would."""
    monkeypatch.setattr(netguard, "resolve", public_dns(netguard.resolve))
