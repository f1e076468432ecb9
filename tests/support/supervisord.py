"""A real supervisord in a throwaway folder, and its fixtures (a plugin tests/conftest.py loads)."""
from __future__ import annotations

import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.waiting import wait_until
from zapfleet.fleet.instances import InstanceManager
from zapfleet.fleet.programs import port_is_free
from zapfleet.fleet.supervisor import Supervisor

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
def instance_manager(clean_db, supervisord, worker_config):
    """An InstanceManager driving the real supervisord."""
    return InstanceManager(clean_db, Supervisor.from_config(worker_config), worker_config)
