"""Builds the managers the web app and the dispatcher share, from one Config."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zapfleet.tenancy.accounts import AccountManager
from zapfleet.appointments.book import AppointmentBook
from zapfleet.appointments.bot.responder import Responder
from zapfleet.campaigns.runner import CampaignRunner
from zapfleet.config import Config
from zapfleet.db import Database
from zapfleet.fleet.worker_events import WorkerEvents
from zapfleet.fleet.evolution_servers import EvolutionServers
from zapfleet.fleet.instances import InstanceManager
from zapfleet.tenancy.logins import LoginGuard
from zapfleet.messaging.metrics import Metrics
from zapfleet.appointments.notices import ReminderRunner
from zapfleet.messaging.outbox import Outbox
from zapfleet.fleet.supervisor import Supervisor
from zapfleet.messaging.webhooks import WebhookManager


@dataclass
class Services:
    """Every manager of the control plane, built once per process."""

    db: Database
    accounts: AccountManager
    instances: InstanceManager
    evolution_servers: EvolutionServers
    outbox: Outbox
    webhooks: WebhookManager
    events: WorkerEvents
    logins: LoginGuard
    appointments: AppointmentBook
    metrics: Metrics
    campaign_runner: CampaignRunner
    reminders: ReminderRunner

    def dispatcher_tasks(self) -> list:
        """The dispatcher's periodic work beside the outbox: campaigns and reminders."""
        return [self.campaign_runner.run_due, self.reminders.run_due]


def build_services(config: Config, **given: Any) -> Services:
    """The managers for config; any of them may be passed in instead (tests share a pool)."""
    db = given.get("database") or Database(config.database_url, config.db_pool_size,
                                           prepare=config.db_prepared_statements)
    accounts = given.get("accounts") or AccountManager(db, region=config.default_region)
    supervisor = given.get("supervisor") or Supervisor.from_config(config)
    instances = given.get("instances") or InstanceManager(db, supervisor, config)
    deadline = config.send_deadline_seconds
    return Services(
        db=db, accounts=accounts, instances=instances, evolution_servers=instances.servers,
        outbox=Outbox(db, instances, config.default_region, deadline),
        webhooks=given.get("webhooks") or WebhookManager(
            db, allow_private=config.webhook_allow_private),
        events=WorkerEvents(db, config.secret_key, config.default_region,
                            on_inbound=given.get("responder") or Responder(deadline)),
        logins=given.get("logins") or LoginGuard(db, accounts),
        appointments=given.get("appointments") or AppointmentBook(db, config.default_region, deadline),
        metrics=given.get("metrics") or Metrics(db),
        campaign_runner=given.get("campaign_runner") or CampaignRunner(db, deadline),
        reminders=ReminderRunner(db, deadline))
