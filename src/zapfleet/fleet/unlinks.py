"""Unlinks that must not be forgotten: when deleting an instance (or its account) or switching
its engine cannot unlink the phone (its worker or its Evolution server is down), the unlink is
recorded with the session it needs and retried by the dispatcher, without the worker, until it
happens (`python -m workers.unlink`); the admin sees each one with its attempts and last error."""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

from zapfleet.config import Config
from zapfleet.core.security import worker_token
from zapfleet.db import Database
from zapfleet.db import unlinks as sql
from zapfleet.fleet.engines import worker_environment
from zapfleet.fleet.evolution_servers import EvolutionServers

REMOTE_ENGINES = ("neonize", "evolution")
"""Engines whose phone stays linked somewhere else when our side is wiped (sandbox: nowhere)."""
RUN_TIMEOUT = 120
BATCH = 5
MAX_RETRY_SECONDS = 6 * 3600
_PASSED_ON = ("PATH", "HOME", "LANG", "PYTHONPATH", "VIRTUAL_ENV")
log = logging.getLogger("zapfleet.unlinks")

Runner = Callable[..., subprocess.CompletedProcess]


def retry_delay(attempts: int) -> int:
    """Seconds until the next attempt after this many: one minute, doubling, at most 6 hours."""
    return min(60 * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS)


class Unlinks:
    """The unlinks still to do: recorded by the InstanceManager, retried by the dispatcher."""

    def __init__(self, db: Database, config: Config, servers: EvolutionServers,
                 run: Runner = subprocess.run):
        self.db, self.config, self.servers, self.run = db, config, servers, run

    def kept_session(self, unlink_id: UUID) -> Path:
        """Where the session an unlink needs is kept until it is done."""
        return Path(self.config.var_dir) / "unlinks" / str(unlink_id)

    def record(self, instance: dict[str, Any], reason: str, error: str, session_dir: Path) -> None:
        """Keep an unlink that just failed (with its session) for the retries."""
        if instance["engine"] not in REMOTE_ENGINES:
            return
        with self.db.system() as conn:
            row = sql.insert_unlink(conn, instance, reason, error)
        kept = self.kept_session(row["id"])
        kept.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if session_dir.exists():
            shutil.move(str(session_dir), kept)
        log.warning("instance %s: the phone could not be unlinked (%s); retrying later",
                    instance["instance_name"], error)

    def retry_due(self) -> None:
        """Try the unlinks that are due (a dispatcher task)."""
        with self.db.system() as conn:
            due = sql.claim_due(conn, RUN_TIMEOUT * 2, BATCH)
        for row in due:
            self._retry(row)

    def _retry(self, row: dict) -> None:
        done, detail = self._attempt(row)
        with self.db.system() as conn:
            if done:
                sql.finish_unlink(conn, row["id"])
            else:
                sql.fail_unlink(conn, row["id"], detail, retry_delay(row["attempts"] + 1))
        if done:
            shutil.rmtree(self.kept_session(row["id"]), ignore_errors=True)
            log.info("instance %s: the phone is unlinked now", row["instance_name"])

    def _attempt(self, row: dict) -> tuple[bool, str]:
        """Run the unlink without a worker; (done, its last line of output)."""
        session = self.kept_session(row["id"])
        session.mkdir(parents=True, exist_ok=True, mode=0o700)
        command = [sys.executable, "-m", "workers.unlink", "--engine", row["engine"],
                   "--instance", str(row["instance_id"]), "--name", row["instance_name"],
                   "--session-dir", str(session)]
        try:
            done = self.run(command, env=self._environment(row), cwd=self.config.home,
                            capture_output=True, text=True, timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            return False, f"no answer within {RUN_TIMEOUT} s"
        lines = (done.stdout or done.stderr or "").strip().splitlines()
        return done.returncode == 0, (lines[-1] if lines else f"exit status {done.returncode}")[:500]

    def _environment(self, row: dict) -> dict[str, str]:
        """What the worker's program would get: its token and its engine's settings."""
        server = self.servers.settings(row["evolution_server_id"]) if row["engine"] == "evolution" else None
        env = {name: os.environ[name] for name in _PASSED_ON if name in os.environ}
        env.update(worker_environment(row["engine"], self.config, server))
        env["ZAPFLEET_WORKER_TOKEN"] = worker_token(self.config.secret_key, str(row["instance_id"]))
        return env

    def list(self) -> dict:
        """Every unlink still to do, then the latest done ones, for the admin."""
        with self.db.system() as conn:
            rows = sql.list_unlinks(conn)
        return {"items": rows, "pending": sum(1 for row in rows if row["done_at"] is None)}
