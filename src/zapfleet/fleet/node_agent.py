"""A node's agent (`python -m zapfleet node`, or `up`'s local node): registers the machine, beats
its heart, fences its workers, runs the workers of the instances placed on it, takes over the
instances of dead nodes and hands its own over when it drains or one is pinned elsewhere."""
from __future__ import annotations

import json
import logging
import os
import select
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg2
import psycopg2.extensions

from zapfleet.core.errors import ZapfleetError
from zapfleet.db import nodes as sql
from zapfleet.fleet.instances import InstanceManager
from zapfleet.fleet.programs import remove_program
from zapfleet.fleet.reconcile import Reconciler

log = logging.getLogger("zapfleet.node")
TICK_SECONDS = 1.0
RECONCILE_EVERY = 10.0
HANDOVER_TIMEOUT = 30.0


class NodeAgent:
    """One node's agent; tick() is one pass, run_forever() the loop."""

    def __init__(self, instances: InstanceManager, *, listen_dsn: str | None = None,
                 clock: Callable[[], float] = time.time,
                 monotonic: Callable[[], float] = time.monotonic):
        self.instances, self.nodes, self.config = instances, instances.nodes, instances.config
        self.listen_dsn, self.clock, self.monotonic = listen_dsn, clock, monotonic
        self.node: dict[str, Any] = {}
        self.seen: object = None
        self.next_reconcile = 0.0
        self.handing: tuple[UUID, float] | None = None
        self.mine: list[dict] = []
        self.lost = threading.Event()
        """Set when a heartbeat failed (the node had been counted dead): no fence is refreshed
        until the node has stopped what it lost and rejoined."""
        self._listener: Any = None

    @property
    def node_id(self) -> UUID:
        """This node's id (after register())."""
        return self.node["id"]

    def register(self) -> dict:
        """Insert or update this node's row; its heartbeat starts."""
        c = self.config
        with self.instances.db.system() as conn:
            self.node = sql.register_node(conn, c.node_name, c.worker_address, c.worker_port_base,
                                          c.worker_port_count, c.node_capacity, c.node_priority,
                                          os.getpid())
        Path(c.var_dir, "fences").mkdir(parents=True, exist_ok=True, mode=0o700)
        self._note_busy_ports()
        return self.node

    def _note_busy_ports(self) -> None:
        """Record the ports of our range that another program holds (placement skips them)."""
        c = self.config
        with self.instances.db.system() as conn:
            ours = {instance["port"] for instance in sql.node_instances(conn, self.node_id)}
            busy = [port for port in range(c.worker_port_base, c.worker_port_base + c.worker_port_count)
                    if port not in ours and not self.instances.port_free(c.worker_host, port)]
            sql.set_busy_ports(conn, self.node_id, busy)

    # -- one pass -----------------------------------------------------------------------------

    def tick(self) -> list[str]:
        """One whole pass: beat and fence, then the work (run_forever beats in a thread of its
        own, so that a long reconcile never lets the fences go stale)."""
        self.beat_and_fence()
        return self.work()

    def beat_and_fence(self) -> None:
        """Record a heartbeat and let our workers act until the time taken before it plus the
        lease; after a failed heartbeat, nothing until work() has rejoined."""
        if self.lost.is_set():
            return
        started = self.clock()
        mine = self._beat()
        if mine is None:
            self.lost.set()
            return
        self._fence(mine, started)
        self.mine = mine

    def work(self) -> list[str]:
        """Rejoin if we had been counted dead; then (when something changed) reconcile, take
        over dead nodes' instances, and hand over one of ours if asked."""
        actions: list[str] = []
        if self.lost.is_set():
            actions += self._rejoin()
            self.lost.clear()
            self.beat_and_fence()
        actions += self._reconcile_when_due(self.mine)
        actions += self.nodes.take_over()
        return actions + self._hand_over()

    def _beat(self) -> list[dict] | None:
        """Record a heartbeat and read our instances in one transaction; None when the node
        had been counted dead (its instances may be running elsewhere now)."""
        with self.instances.db.system() as conn:
            if not sql.beat(conn, self.node_id, self.nodes.limit):
                return None
            self.node = sql.get_node(conn, self.node_id) or self.node
            return sql.node_instances(conn, self.node_id)

    def _rejoin(self) -> list[str]:
        """Back after being counted dead: stop the programs of every instance taken from us
        before anything else, then count as alive again."""
        log.warning("node %s was counted dead; stopping what it lost before rejoining",
                    self.config.node_name)
        actions = Reconciler(self.instances, self.node_id).remove_orphans()
        with self.instances.db.system() as conn:
            sql.rejoin(conn, self.node_id)
        self.seen = None
        return actions

    def _fence(self, mine: list[dict], started: float) -> None:
        """Let our workers act until `started` (taken before the heartbeat) plus the lease:
        a late write (the agent paused here) cannot extend it."""
        for instance in mine:
            path = self.instances.fence_file(instance)
            try:
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # times untouched
                os.utime(path, (started, started))
            except OSError as exc:
                log.warning("cannot fence %s: %s", instance["instance_name"], exc)

    def _reconcile_when_due(self, mine: list[dict]) -> list[str]:
        """Reconcile our supervisord when our instances changed, when poked, or every 10 s."""
        signature = sorted((str(i["id"]), i["desired_state"], i["engine"], i["port"],
                            str(i["evolution_server_id"])) for i in mine)
        if signature == self.seen and self.monotonic() < self.next_reconcile:
            return []
        self.seen, self.next_reconcile = signature, self.monotonic() + RECONCILE_EVERY
        return Reconciler(self.instances, self.node_id).run()

    # -- handing over (drain, pin) --------------------------------------------------------------

    def _hand_over(self) -> list[str]:
        """Move one instance asked to leave (or, when draining, the next one) once the last
        one moved is linked again elsewhere: stop its worker here, then hand it over."""
        if self.handing and not self._settled(*self.handing):
            return []
        self.handing = None
        with self.instances.db.system() as conn:
            leaving = sql.leaving_instances(conn, self.node_id, self.node.get("drain", False))
        if not leaving:
            return []
        instance = leaving[0]
        self._stop_here(instance)
        reason = ("pinned by the platform admin" if instance["moving_to"]
                  else f"node {self.config.node_name} drains")
        action = self.nodes.move(instance, reason, handed_over=True)
        self.handing = (instance["id"], self.monotonic() + HANDOVER_TIMEOUT)
        moved = self.instances.find(instance["account_id"])
        if moved and moved["node_id"]:
            self.nodes.poke(moved, "sync")
        return [action] if action else []

    def _settled(self, instance_id: UUID, deadline: float) -> bool:
        """True when the instance handed over is linked (or not meant to run) or time is up."""
        with self.instances.db.system() as conn:
            row = sql.instance_state(conn, instance_id)
        return (row is None or row["desired_state"] != "running" or row["status"] == "connected"
                or self.monotonic() > deadline)

    def _stop_here(self, instance: dict) -> None:
        """Stop and remove the instance's worker on this node, and its fence."""
        program = self.instances.program_for(self.instances.find(instance["account_id"]) or instance)
        remove_program(self.instances.supervisor, program.conf_file, program.session_dir)
        self.instances.fence_file(instance).unlink(missing_ok=True)

    # -- the loop -------------------------------------------------------------------------------

    def run_forever(self, stop: threading.Event) -> None:
        """Register; beat every second in a thread; work every second (sooner when poked)
        until stop is set."""
        self.register()
        log.info("node %s registered (%s, ports from %s, capacity %s)", self.config.node_name,
                 self.config.worker_address, self.config.worker_port_base, self.config.node_capacity)
        beating = threading.Thread(target=self._beat_forever, args=(stop,), name="heartbeat",
                                   daemon=True)
        beating.start()
        while not stop.is_set():
            self._guarded(self._work_and_log)
            self._wait_for_poke(TICK_SECONDS)
        beating.join()

    def _work_and_log(self) -> None:
        for action in self.work():
            log.info("%s", action)

    def _beat_forever(self, stop: threading.Event) -> None:
        """The heartbeat thread: beat and fence every second until stop is set."""
        while not stop.is_set():
            self._guarded(self.beat_and_fence)
            stop.wait(TICK_SECONDS)

    @staticmethod
    def _guarded(step: Callable[[], Any]) -> None:
        """Run one step; a database or supervisord failure is logged, and the next one tries
        again."""
        try:
            step()
        except (ZapfleetError, psycopg2.Error) as exc:
            log.warning("node pass failed: %s", getattr(exc, "message", exc))

    def _wait_for_poke(self, timeout: float) -> None:
        """Sleep up to timeout, waking (and acting) when the web app pokes this node."""
        try:
            conn = self._listening()
            if select.select([conn], [], [], timeout)[0]:
                conn.poll()
                self._act_on([note.payload for note in conn.notifies])
                conn.notifies.clear()
        except (psycopg2.Error, OSError) as exc:
            log.warning("cannot listen for pokes: %s", exc)
            self._listener = None
            time.sleep(timeout)

    def _listening(self):
        """The connection that LISTENs on the nodes' channel (opened on first use)."""
        if self._listener is None or self._listener.closed:
            self._listener = psycopg2.connect(self.listen_dsn or "")
            self._listener.set_isolation_level(psycopg2.extensions.ISOLATION_LEVEL_AUTOCOMMIT)
            with self._listener.cursor() as cur:
                cur.execute(f"LISTEN {sql.NODE_CHANNEL}")
        return self._listener

    def _act_on(self, payloads: list[str]) -> None:
        """Pokes for this node: reconcile at the next pass; restart a worker now."""
        for payload in payloads:
            try:
                poke = json.loads(payload)
            except ValueError:
                continue
            if poke.get("node") != str(self.node_id):
                continue
            self.seen = None
            if poke.get("action") == "restart":
                self._restart(str(poke.get("instance")))

    def _restart(self, name: str) -> None:
        """Stop and start one of our workers (its session survives)."""
        try:
            self.instances.supervisor.stop(name)
            self.instances.supervisor.start(name)
        except ZapfleetError as exc:
            log.warning("cannot restart %s: %s", name, exc.message)
