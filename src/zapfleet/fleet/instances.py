"""Each account's WhatsApp instance: create-or-reconnect, lifecycle, QR, sending, logs."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg2.errors

from zapfleet.config import Config
from zapfleet.core.errors import Conflict, NotFound, Unavailable, ZapfleetError, found
from zapfleet.core.security import worker_token
from zapfleet.core.vocabulary import CONNECTION_STATES
from zapfleet.db import Database
from zapfleet.db import accounts as accounts_sql
from zapfleet.db import instances as sql
from zapfleet.db import nodes as nodes_sql
from zapfleet.fleet.engines import fleet_environment, worker_environment
from zapfleet.fleet.evolution_servers import EvolutionServers
from zapfleet.fleet.nodes import Nodes
from zapfleet.fleet.overview import accounts_overview, workers_running
from zapfleet.fleet.programs import (
    WorkerProgram,
    port_is_free,
    remove_program,
    sync_program,
    write_program,
)
from zapfleet.fleet.reconcile import Reconciler
from zapfleet.fleet.supervisor import Supervisor
from zapfleet.fleet.unlinks import Unlinks
from zapfleet.fleet.worker_calls import WorkerCalls
from zapfleet.fleet.worker_client import WorkerClient, await_answer, await_worker, worker_connections

LOCK_CONFLICT = "another change to this account's WhatsApp instance is in progress"
NO_INSTANCE = "this account has no WhatsApp instance"
START_TIMEOUT = 15.0
MAX_PORT_PROBES = 200

WorkerClientFactory = Callable[[str, int, str], WorkerClient]


class InstanceManager(WorkerCalls):
    """Runs one worker per account under supervisord; every method touches one account only."""

    def __init__(self, db: Database, supervisor: Supervisor, config: Config,
                 worker_client: WorkerClientFactory | None = None, *,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep,
                 port_free: Callable[[str, int], bool] = port_is_free,
                 start_timeout: float = START_TIMEOUT, servers: EvolutionServers | None = None,
                 nodes: Nodes | None = None):
        self.db, self.supervisor, self.config = db, supervisor, config
        self.nodes = nodes or Nodes(db, config)
        self.servers = servers or EvolutionServers(db, config)
        self.unlinks = Unlinks(db, config, self.servers)
        self.worker_client = worker_client or partial(WorkerClient,
                                                      connections=worker_connections())
        self.clock, self.sleep, self.port_free = clock, sleep, port_free
        self.start_timeout = start_timeout

    # -- building blocks ------------------------------------------------------------------

    @contextmanager
    def locked(self, account_id: UUID) -> Iterator[None]:
        """Hold the account's lifecycle lock for the block; Conflict when a change holds it."""
        with self.db.system() as conn:
            if not sql.try_lock_account(conn, account_id):
                raise Conflict(LOCK_CONFLICT)
            yield

    def find(self, account_id: UUID) -> dict | None:
        """The account's instance row, or None."""
        with self.db.system() as conn:
            return sql.get_instance_for_account(conn, account_id, with_node=True)

    def get(self, account_id: UUID) -> dict:
        """The account's instance (desired state, observed status, port, phone); NotFound if none."""
        instance = self.find(account_id)
        if instance is None:
            raise NotFound(NO_INSTANCE)
        return instance

    def observe(self, instance_id: UUID, **fields: Any) -> dict:
        """Record observed columns of an instance; return its row."""
        with self.db.system() as conn:
            return found(sql.update_observed(conn, instance_id, with_node=True, **fields), "instance")

    def _set_desired(self, account_id: UUID, desired_state: str) -> dict:
        with self.db.system() as conn:
            instance = sql.set_desired_state(conn, account_id, desired_state)
        if instance is None:
            raise NotFound(NO_INSTANCE)
        return instance

    def program_for(self, instance: dict) -> WorkerProgram:
        """The supervisord program of an instance's worker (with its Evolution server's settings)."""
        instance_id, engine = str(instance["id"]), instance["engine"]
        server = self.servers.settings(instance["evolution_server_id"]) if engine == "evolution" else None
        environment = worker_environment(engine, self.config, server)
        if instance.get("node_id"):
            environment += fleet_environment(self.config, self.fence_file(instance))
        return WorkerProgram(
            instance["instance_name"], instance_id, instance["port"], engine,
            token=worker_token(self.config.secret_key, instance_id), var_dir=Path(self.config.var_dir),
            control_url=self.config.control_url, host=self.config.worker_host,
            environment=environment,
            autostart=instance["desired_state"] == "running", directory=Path(self.config.home))

    def fence_file(self, instance: dict) -> Path:
        """The file whose time says until when the instance's worker may act (its node's agent
        sets it after each heartbeat)."""
        return Path(self.config.var_dir) / "fences" / str(instance["id"])

    def is_local(self, instance: dict) -> bool:
        """True when the instance runs on this machine's supervisord: on this node, or on none."""
        return instance.get("node_id") is None or instance.get("node_name") == self.config.node_name

    def client_for(self, instance: dict) -> WorkerClient:
        """An HTTP client for the instance's worker (at its node's address)."""
        token = worker_token(self.config.secret_key, str(instance["id"]))
        host = instance.get("node_address") or self.config.worker_host
        return self.worker_client(host, instance["port"], token)

    def running_client(self, instance: dict) -> WorkerClient:
        """The client of the instance's worker, which must be meant to run: a stopped instance
        is a Conflict (start or connect it first), not an outage; a starting one is waited for."""
        if instance["desired_state"] != "running":
            raise Conflict("the WhatsApp instance is stopped; connect or start it first")
        client = self.client_for(instance)
        if instance["status"] == "starting":
            await_answer(client, self.clock, self.sleep, self.start_timeout)
        return client

    def _run(self, instance: dict) -> bool:
        """Make supervisord run the worker (another node's agent, when it is there); True when
        it was not running before."""
        if not self.is_local(instance):
            self.nodes.poke(instance, "sync")
            return not self._answers(instance)
        program = self.program_for(instance)
        sync_program(self.supervisor, program)
        return self.supervisor.start(program.name)

    # -- create-or-reconnect --------------------------------------------------------------

    def connect(self, account_id: UUID, engine: str | None = None) -> dict:
        """Create the account's instance (on `engine`, else the default one), or reconnect the
        one it has, switched to `engine` first when another is asked for; answers with a QR."""
        with self.locked(account_id):
            instance = self.find(account_id)
            if instance is None:
                instance = self._insert(account_id, engine or self.config.default_engine)
                self._run(instance)
                return self._connected(instance, is_reconnect=False)
            if engine is not None and engine != instance["engine"]:
                instance = self._switch_engine(instance, engine)
            if instance["desired_state"] != "running":
                instance = self._set_desired(account_id, "running")
            if not self._run(instance):  # it was running: ask it for a fresh attempt (a new QR)
                self._quietly(self.client_for(instance).reconnect)
            return self._connected(instance, is_reconnect=True)

    def set_engine(self, account_id: UUID, engine: str) -> dict:
        """Switch the account's instance to another engine: the old session is unlinked and
        wiped, and the worker comes back on the new engine if it should run."""
        with self.locked(account_id):
            instance = self.get(account_id)
            if engine == instance["engine"]:
                return instance
            instance = self._switch_engine(instance, engine)
            if instance["desired_state"] == "running":
                self._run(instance)
                return instance
            return self.observe(instance["id"], status="stopped")

    def _switch_engine(self, instance: dict, engine: str) -> dict:
        """The row on the new engine (placed on an Evolution server first: a refusal changes
        nothing); then unlink and remove the worker of the old engine."""
        with self.db.system() as conn:
            server = self.servers.place(conn, engine)
            switched = found(sql.set_engine(conn, instance["account_id"], engine, server), "instance")
        self._unlink(instance, "engine_switched")
        self._remove_session(instance)
        return switched

    def _unlink(self, instance: dict, reason: str) -> None:
        """Unlink the phone (and delete the Evolution instance) through the worker; when that
        fails, the unlink is kept, with its session, and retried until it happens."""
        try:
            self.client_for(instance).delete()
        except ZapfleetError as exc:
            session = self.program_for(instance).session_dir
            self.unlinks.record(instance, reason, exc.message, session)

    def _answers(self, instance: dict) -> bool:
        """True when the instance's worker answers its health check now."""
        try:
            self.client_for(instance).health()
        except ZapfleetError:
            return False
        return True

    def _remove_session(self, instance: dict) -> None:
        """Remove the worker's program here (another node's agent removes its own) and wipe
        the session it kept in the database."""
        program = self.program_for(instance)
        if self.is_local(instance):
            remove_program(self.supervisor, program.conf_file, program.session_dir)
        with self.db.system() as conn:
            nodes_sql.delete_worker_session(conn, instance["id"])

    @staticmethod
    def _quietly(call: Callable[[], Any]) -> None:
        """A best-effort call to a worker: one that is down or refuses changes nothing here."""
        try:
            call()
        except ZapfleetError:
            pass

    def _insert(self, account_id: UUID, engine: str) -> dict:
        """The new instance row: on a node by seed 001's rule and its lowest free port (under
        the placement lock), or on this host when no node ever registered; for the evolution
        engine, on the chosen server (under the servers' lock)."""
        try:
            with self.db.system() as conn:
                account = accounts_sql.get_account(conn, account_id)
                if account is None:
                    raise NotFound("no such account")
                node, port = self.nodes.place(conn)
                server = self.servers.place(conn, engine)
                row = sql.insert_instance(conn, account_id, f"{account['slug']}_whatsapp",
                                          port or self._free_port(conn), engine,
                                          evolution_server_id=server,
                                          node_id=node["id"] if node else None)
                if node is not None:
                    nodes_sql.add_history(conn, row["id"], account_id, "placed", None, node["name"],
                                          "created")
                return row
        except psycopg2.errors.UniqueViolation:
            raise Conflict("the WhatsApp instance could not be created; try again") from None

    def _free_port(self, conn) -> int:
        """The lowest port no instance uses and nothing on this host is bound to."""
        exclude: list[int] = []
        for _ in range(MAX_PORT_PROBES):
            port = sql.lowest_free_port(conn, self.config.worker_port_base, exclude)
            if port is None:
                break
            if self.port_free(self.config.worker_host, port):
                return port
            exclude.append(port)
        raise Unavailable("there is no free port for another WhatsApp worker")

    def _connected(self, instance: dict, is_reconnect: bool) -> dict:
        """Wait for the worker, record what it says, and answer with its QR."""
        state, code = await_worker(self.client_for(instance), self.clock, self.sleep,
                                   self.start_timeout)
        fields: dict[str, Any] = {"qr_code": code}
        if state in CONNECTION_STATES:
            fields["status"] = state
        row = self.observe(instance["id"], **fields)
        return {"instance": row, "is_reconnect": is_reconnect,
                "already_connected": state == "connected", "qr": {"code": code} if code else None}

    # -- lifecycle ------------------------------------------------------------------------

    def start(self, account_id: UUID) -> dict:
        """Run the account's worker (desired state running); return the instance."""
        with self.locked(account_id):
            instance = self._set_desired(account_id, "running")
            if self._run(instance) or instance["status"] in ("stopped", "error"):
                instance = self.observe(instance["id"], status="starting")
            return instance

    def stop(self, account_id: UUID) -> dict:
        """Stop the account's worker until it is started again; return the instance."""
        with self.locked(account_id):
            instance = self._set_desired(account_id, "stopped")
            self._stop_process(instance)
            if self.is_local(instance):
                write_program(self.program_for(instance))  # supervisord restarting leaves it stopped
            return self.observe(instance["id"], status="stopped", qr_code=None)

    def restart(self, account_id: UUID) -> dict:
        """Stop and start the account's worker (its session survives); return the instance."""
        with self.locked(account_id):
            instance = self._set_desired(account_id, "running")
            if not self.is_local(instance):
                self.nodes.poke(instance, "restart")
                return self.observe(instance["id"], status="starting")
            self._stop_process(instance)
            self._run(instance)
            return self.observe(instance["id"], status="starting")

    def _stop_process(self, instance: dict) -> None:
        if not self.is_local(instance):
            self.nodes.poke(instance, "sync")
            return
        try:
            self.supervisor.stop(instance["instance_name"])
        except NotFound:  # not loaded into supervisord: nothing runs
            pass

    def logout(self, account_id: UUID) -> dict:
        """Unlink the phone from the account's worker (a new QR follows); return the instance."""
        with self.locked(account_id):
            instance = self.get(account_id)
            client = self.running_client(instance)
            # Recorded first: the worker's own events (logged_out, the new QR, waiting_qr) then
            # land after it, instead of being overwritten by it.
            row = self.observe(instance["id"], status="logged_out", phone=None, qr_code=None)
            try:
                client.logout()
            except ZapfleetError:
                before = {k: instance[k] for k in ("status", "phone", "qr_code")}
                self.observe(instance["id"], **before)
                raise
            return row

    def delete(self, account_id: UUID) -> None:
        """Remove the account's instance: process, supervisord group, program file, session."""
        with self.locked(account_id):
            self.remove(self.get(account_id))

    def remove(self, instance: dict) -> None:
        """Unlink and remove an instance (the caller holds its account's lock)."""
        self._unlink(instance, "deleted")
        self._remove_session(instance)
        with self.db.system() as conn:
            sql.delete_instance(conn, instance["account_id"])

    def reconcile(self) -> list[str]:
        """Bring supervisord in line with the desired states; return the actions taken."""
        return Reconciler(self).run()

    def follow_account(self, account_id: UUID) -> list[str]:
        """Apply an account's new status to its instance now; the actions taken."""
        return Reconciler(self).account(account_id)

    def list(self, account_id: UUID | None = None) -> list[dict]:
        """The account's instance as a list, or every instance (None, for the platform admin)."""
        with self.db.system() as conn:
            return sql.list_instances(conn, account_id)

    def overview(self) -> dict:
        """Every account with its instance and messages today; workers running (None: unknown)."""
        rows = accounts_overview(self.db)
        names = {row["instance_name"] for row in rows if row["instance_name"]}
        return {"accounts": rows, "workers_running": workers_running(self.supervisor, names)}
