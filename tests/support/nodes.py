"""Worker nodes as real processes on this machine (`python -m zapfleet node`), each with its own
var folder, port range and supervisord, all on the test's database; and ways to kill, pause
and resume a whole node (its supervisord, agent and workers)."""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil

from tests.support.waiting import wait_until

NODE_ENVIRONMENT = {"SANDBOX_RECEIPT_DELAY": "0", "DB_POOL_SIZE": "3", "PYTHONUNBUFFERED": "1"}


class Node:
    """One node process tree."""

    def __init__(self, name: str, port_base: int, database_url: str, config, **settings: str):
        self.name, self.port_base = name, port_base
        self.var_dir = Path(tempfile.mkdtemp(prefix=f"zn{name}", dir="/tmp"))
        self.env = {**os.environ, **NODE_ENVIRONMENT,
                    "DATABASE_URL": database_url, "SECRET_KEY": config.secret_key,
                    "PUBLIC_URL": config.control_url, "ZAPFLEET_VAR_DIR": str(self.var_dir),
                    "ZAPFLEET_ENV_FILE": str(self.var_dir / "absent.env"),
                    "SUPERVISOR_PASSWORD": secrets.token_urlsafe(16), "NODE_NAME": name,
                    "WORKER_PORT_BASE": str(port_base), **settings}
        self.process: subprocess.Popen | None = None

    def start(self) -> Node:
        """Start the node (its supervisord starts its agent, which registers it)."""
        log = open(self.var_dir / "node.out", "ab")  # noqa: SIM115 - kept open by the child
        self.process = subprocess.Popen([sys.executable, "-m", "zapfleet", "node"], env=self.env,
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        return self

    def tree(self) -> list[psutil.Process]:
        """The node's processes: `node`, its supervisord, the agent and every worker."""
        if self.process is None:
            return []
        try:
            root = psutil.Process(self.process.pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def signal_all(self, signum: int) -> None:
        """Send one signal to every process of the node."""
        for process in self.tree():
            try:
                process.send_signal(signum)
            except psutil.NoSuchProcess:
                pass

    def kill(self) -> None:
        """kill -9 of the whole node: nothing of it gets to clean up."""
        processes = self.tree()
        for process in processes:
            process.suspend()  # first freeze all, so that supervisord restarts nothing meanwhile
        for process in processes:
            process.kill()
        psutil.wait_procs(processes, timeout=10)
        if self.process is not None:
            self.process.wait(timeout=10)
        self.process = None

    def pause(self) -> None:
        """SIGSTOP every process of the node (a node that hangs, or is partitioned)."""
        self.signal_all(signal.SIGSTOP)

    def resume(self) -> None:
        """SIGCONT every process of the node."""
        self.signal_all(signal.SIGCONT)

    def worker_pids(self) -> set[int]:
        """The pids of the node's worker processes."""
        return {p.pid for p in self.tree() if "workers.whatsapp_worker" in " ".join(_cmdline(p))}

    def stop(self) -> None:
        """Stop the node (SIGTERM: supervisord stops its programs) and remove its folder."""
        if self.process is not None:
            self.resume()
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        for process in self.tree():
            process.kill()
        shutil.rmtree(self.var_dir, ignore_errors=True)

    def output(self) -> str:
        """What `node` and its supervisord printed."""
        path = self.var_dir / "node.out"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def log(self) -> str:
        """The agent's log (for a failing test's message)."""
        path = self.var_dir / "log" / "node.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:
        return []


def wait_for_nodes(nodes, names: list[str], timeout: float = 30) -> None:
    """Wait until every named node has registered and beats (nodes: zapfleet.fleet.nodes.Nodes)."""
    def ready():
        healthy = {n["name"] for n in nodes.list()["items"] if n["healthy"]}
        return set(names) <= healthy
    wait_until(ready, timeout, f"nodes {names} to register")
