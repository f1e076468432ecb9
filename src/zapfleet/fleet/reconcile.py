"""Keeping supervisord in line with the instances table: program files, groups, process states."""
from __future__ import annotations

import re
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

from zapfleet.config import Config
from zapfleet.core.errors import Conflict, Unavailable
from zapfleet.core.vocabulary import CONNECTION_STATES
from zapfleet.db import Database
from zapfleet.db import instances as sql
from zapfleet.fleet.nodes import Nodes
from zapfleet.fleet.programs import (
    WorkerProgram,
    program_current,
    remove_program,
    sync_program,
    write_program,
)
from zapfleet.fleet.supervisor import RUNNING_STATES, Supervisor
from zapfleet.fleet.worker_client import WorkerClient

ORPHAN_PATTERN = "*_whatsapp.conf"
NOT_RUNNING = ("BACKOFF", "FATAL", "EXITED", "STOPPED", None)
"""supervisord states in which a worker holds no port."""
_INSTANCE_ARG = re.compile(r"--instance\s+'?([0-9a-fA-F-]{36})")


class Instances(Protocol):
    """What a reconcile pass needs of the instance manager (zapfleet.fleet.instances)."""

    db: Database
    supervisor: Supervisor
    config: Config

    def locked(self, account_id: UUID) -> AbstractContextManager: ...
    def find(self, account_id: UUID) -> dict | None: ...
    def program_for(self, instance: dict) -> WorkerProgram: ...
    def observe(self, instance_id: UUID, **fields: Any) -> dict: ...
    def client_for(self, instance: dict) -> WorkerClient: ...
    def remove(self, instance: dict) -> None: ...
    def is_local(self, instance: dict) -> bool: ...
    def port_free(self, host: str, port: int) -> bool: ...
    @property
    def nodes(self) -> Nodes: ...


class Reconciler:
    """One reconcile pass over the instances of this machine's supervisord, desired state
    (rows) against observed: those on its node (node_id), or on none (no node agent)."""

    def __init__(self, manager: Instances, node_id: UUID | None = None):
        self.manager, self.node_id = manager, node_id
        self.supervisor = manager.supervisor

    def run(self) -> list[str]:
        """Reconcile every instance here, then remove orphaned programs; the actions taken."""
        with self.manager.db.system() as conn:
            rows = sql.list_instances(conn, on_node=True, node_id=self.node_id)
        actions = self._write_programs(rows)
        changed = self.supervisor.reload()[1]
        for row in rows:
            actions += self._one(row, changed)
        return actions + self.remove_orphans()

    def _write_programs(self, rows: list[dict]) -> list[str]:
        """Write every outdated program file first, so that one re-read of supervisord's
        configuration sees them all (instead of one per new worker)."""
        actions = []
        for row in rows:
            if row["account_status"] == "cancelled":
                continue
            program = self.manager.program_for(self._in_effect(row))
            if not program_current(program):
                write_program(program)
                actions.append(f"wrote the program file of {program.name}")
        return actions

    @staticmethod
    def _in_effect(instance: dict) -> dict:
        """The instance as it should run: a suspended account's worker stays stopped (its
        stored desired state is kept for reactivation)."""
        if instance["account_status"] != "active":
            return {**instance, "desired_state": "stopped"}
        return instance

    def account(self, account_id: UUID) -> list[str]:
        """Reconcile one account's instance now (after its status changed); the actions taken."""
        with self.manager.db.system() as conn:
            rows = [row for row in sql.list_instances(conn, account_id) if self.manager.is_local(row)]
        return [action for row in rows for action in self._one(row, [])]

    def _one(self, row: dict, changed: list[str]) -> list[str]:
        """Reconcile one instance under its account's lock; skip it when a change is under way.
        A cancelled account's instance is unlinked and removed; a suspended one's worker stops
        (its session and desired state are kept for reactivation)."""
        try:
            with self.manager.locked(row["account_id"]):
                instance = self.manager.find(row["account_id"])
                if instance is None or instance["node_id"] != row["node_id"]:
                    return []  # gone, or moved to another node since it was listed
                if row["account_status"] == "cancelled":
                    self.manager.remove(instance)
                    return [f"removed {instance['instance_name']}: its account was cancelled"]
                instance = self._in_effect({**instance, "account_status": row["account_status"]})
                program = self.manager.program_for(instance)
                actions = sync_program(self.supervisor, program, changed)
                info = self.supervisor.process_info(program.name)
                if self._port_taken(instance, info):
                    instance, info, moved = self._move_port(instance)
                    actions += moved
                actions += self._record(instance, program.name, info)
                return actions + self._drive(instance, program.name, info)
        except Conflict:
            return self._start_meanwhile(row)

    def _start_meanwhile(self, row: dict) -> list[str]:
        """A node's instance whose account is mid-change (the web app waits for its worker to
        answer, holding the lock): start its program if it should run; the rest waits."""
        if self.node_id is None or row["desired_state"] != "running" or row["account_status"] != "active":
            return []
        program = self.manager.program_for(row)
        actions = sync_program(self.supervisor, program)
        if self.supervisor.start(program.name):
            actions.append(f"started {program.name}")
        return actions

    def _port_taken(self, instance: dict, info: dict | None) -> bool:
        """True when a node's instance that should run does not, and another program holds
        its port (its worker would exit at once, again and again)."""
        return (instance["node_id"] is not None and instance["desired_state"] == "running"
                and (info or {}).get("statename") in NOT_RUNNING
                and not self.manager.port_free(self.manager.config.worker_host, instance["port"]))

    def _move_port(self, instance: dict) -> tuple[dict, dict | None, list[str]]:
        """Give the instance the node's next free port and its program the new one."""
        port = self.manager.nodes.move_port(instance, instance["port"])
        instance = {**instance, "port": port}
        program = self.manager.program_for(instance)
        actions = sync_program(self.supervisor, program)
        actions.append(f"moved {program.name} to port {port}: another program holds its port")
        return instance, self.supervisor.process_info(program.name), actions

    def _drive(self, instance: dict, name: str, info: dict | None) -> list[str]:
        """Start or stop the process so it matches the desired state."""
        state = (info or {}).get("statename")
        if instance["desired_state"] == "running" and state not in RUNNING_STATES:
            self.supervisor.start(name)
            return [f"started {name}"]
        if instance["desired_state"] == "stopped" and state in RUNNING_STATES + ("STOPPING",):
            self.supervisor.stop(name)
            return [f"stopped {name}"]
        return []

    def _record(self, instance: dict, name: str, info: dict | None) -> list[str]:
        """Write the observed status into the row when it changed; return that as an action."""
        fields = self._observed(instance, info)
        fields = {k: v for k, v in fields.items() if instance.get(k) != v}
        if not fields:
            return []
        self.manager.observe(instance["id"], **fields)
        return [f"{name}: status {instance['status']} -> {fields.get('status', instance['status'])}"]

    def _observed(self, instance: dict, info: dict | None) -> dict:
        """What the row should say, from supervisord's view and the worker's /health."""
        state = (info or {}).get("statename")
        if instance["desired_state"] == "stopped":
            return {"status": "stopped"}
        if state == "FATAL":
            reason = (info or {}).get("spawnerr") or (info or {}).get("description") or "exited"
            return {"status": "error", "last_error": f"the worker could not start: {reason}"}
        if state == "BACKOFF":
            return {"status": "error", "last_error": "the worker keeps exiting; it is being restarted"}
        if state == "RUNNING":
            return self._health(instance)
        return {"status": "starting"} if instance["status"] in ("stopped", "error") else {}

    def _health(self, instance: dict) -> dict:
        """The worker's own state from /health (it must answer for this very instance)."""
        try:
            health = self.manager.client_for(instance).health()
        except Unavailable:
            return {"status": "starting"} if instance["status"] in ("stopped", "error") else {}
        if health.get("instance") != str(instance["id"]):
            return {"status": "error", "last_error": f"port {instance['port']} is answered by "
                                                     "another process"}
        state = health.get("state")
        if state not in CONNECTION_STATES:
            return {}
        return {"status": state, "qr_code": None} if state == "connected" else {"status": state}

    def remove_orphans(self) -> list[str]:
        """Programs named like instances that have no row (or, for a node, that are not
        placed on it): stop, unload, delete, wipe."""
        conf_dir = Path(self.manager.config.var_dir) / "supervisor" / "workers"
        files = {path.stem: path for path in conf_dir.glob(ORPHAN_PATTERN)}
        loaded = {name for name in self.supervisor.all_process_info() if name.endswith("_whatsapp")}
        with self.manager.db.system() as conn:  # read after listing: a new row precedes its file
            known = sql.instance_names(conn, self.node_id)
        actions = []
        for name in sorted((files.keys() | loaded) - known):
            conf_file = files.get(name, conf_dir / f"{name}.conf")
            remove_program(self.supervisor, conf_file, self._session_dir(conf_file))
            actions.append(f"removed the orphaned program {name}")
        return actions

    def _session_dir(self, conf_file: Path) -> Path | None:
        """The session folder named in an orphaned program file, if it names a valid instance."""
        try:
            match = _INSTANCE_ARG.search(conf_file.read_text())
        except FileNotFoundError:
            return None
        try:
            instance_id = UUID(match.group(1)) if match else None
        except ValueError:
            instance_id = None
        return Path(self.manager.config.var_dir) / "sessions" / str(instance_id) if instance_id else None
