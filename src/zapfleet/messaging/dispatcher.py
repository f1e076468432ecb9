"""The dispatcher: delivers queued messages and webhooks, expires overdue ones, runs periodic
tasks (campaigns, reminders), reconciles."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import groupby
from typing import Any, Protocol
from uuid import UUID

from zapfleet.core.errors import ZapfleetError
from zapfleet.messaging.outbox import Outbox
from zapfleet.messaging.webhooks import WebhookManager

log = logging.getLogger("zapfleet.messaging.dispatcher")
MESSAGES_PER_ACCOUNT = 20
DELIVERIES_PER_ACCOUNT = 10


class Reconciler(Protocol):
    """What the dispatcher needs from the InstanceManager."""

    def reconcile(self) -> list[str]: ...


class Dispatcher:
    """One pass at a time; each account's work runs in its own task so none waits for another."""

    def __init__(self, outbox: Outbox, webhooks: WebhookManager, instances: Reconciler,
                 threads: int = 16, reconcile_every: float = 30.0,
                 monotonic: Callable[[], float] = time.monotonic,
                 tasks: Sequence[Callable[[], Any]] = ()):
        self.outbox, self.webhooks, self.instances = outbox, webhooks, instances
        self.tasks = tasks
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="dispatch")
        self.reconcile_every, self.monotonic = reconcile_every, monotonic
        self.next_reconcile = 0.0
        self.busy: dict[tuple[str, UUID], Future] = {}
        self.lock = threading.Lock()

    def run_once(self) -> list[Future]:
        """Start one pass: expire, file the sends that did not wait, run the tasks, lease and
        hand out due work, reconcile when due."""
        self._reconcile_when_due()
        for message in self.outbox.expire_overdue():
            log.info("message %s failed: deadline passed", message["id"])
        self.outbox.file_intake()
        self._run_tasks()
        messages = self.outbox.lease_due(MESSAGES_PER_ACCOUNT, self._busy_accounts("messages"))
        deliveries = self.webhooks.lease_due(DELIVERIES_PER_ACCOUNT, self._busy_accounts("webhooks"))
        return (self._submit("messages", messages, self._send_messages)
                + self._submit("webhooks", deliveries, self._deliver_webhooks))

    def run_forever(self, stop: threading.Event, interval: float = 1.0) -> None:
        """Run passes every interval seconds until stop is set."""
        while not stop.is_set():
            try:
                self.run_once()
            except ZapfleetError as exc:
                log.warning("dispatch pass failed: %s", exc.message)
            except Exception:  # noqa: BLE001 - logged; one bad pass never ends the dispatcher
                log.exception("dispatch pass failed")
            stop.wait(interval)
        self.pool.shutdown(wait=True, cancel_futures=True)

    def _reconcile_when_due(self) -> None:
        if self.monotonic() < self.next_reconcile:
            return
        self.next_reconcile = self.monotonic() + self.reconcile_every
        try:
            for action in self.instances.reconcile():
                log.info("reconcile: %s", action)
        except ZapfleetError as exc:
            log.warning("reconcile failed: %s", exc.message)

    def _run_tasks(self) -> None:
        """Run each periodic task; one failing never stops the others or the sending."""
        for task in self.tasks:
            try:
                task()
            except Exception:  # noqa: BLE001 - logged; the next pass tries again
                log.exception("dispatcher task %s failed", getattr(task, "__qualname__", task))

    def _busy_accounts(self, kind: str) -> list[UUID]:
        with self.lock:
            return [account for (k, account), f in self.busy.items() if k == kind and not f.done()]

    def _submit(self, kind: str, rows: list[dict], work: Callable) -> list[Future]:
        futures = []
        by_account = lambda row: str(row["account_id"])  # noqa: E731
        for _, group in groupby(sorted(rows, key=by_account), key=by_account):
            batch = list(group)
            future = self.pool.submit(self._guarded, work, batch)
            with self.lock:
                self.busy[(kind, batch[0]["account_id"])] = future
            futures.append(future)
        return futures

    @staticmethod
    def _guarded(work: Callable, batch: list[dict]) -> None:
        try:
            work(batch)
        except Exception:  # noqa: BLE001 - one account's failure must not stop the others
            log.exception("dispatch task for account %s failed", batch[0]["account_id"])

    def _send_messages(self, batch: Iterable[dict]) -> None:
        """Hand one account's leased messages to its worker in order; stop at the first refusal."""
        for message in batch:
            sent = self.outbox.hand_to_worker(message["account_id"], message, message["phone"])
            if sent["status"] == "queued":
                return  # the worker is not there; the rest waits for the next pass

    def _deliver_webhooks(self, batch: Iterable[dict]) -> None:
        """Post one account's due deliveries, one after another."""
        for delivery in batch:
            self.webhooks.deliver(delivery)
