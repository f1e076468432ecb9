"""Builds the managers the web app and the dispatcher share, from one Config."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zapfleet.appointments.book import AppointmentBook
from zapfleet.appointments.bot.control import BotControl
from zapfleet.appointments.bot.responder import Responder
from zapfleet.appointments.catalog import ServiceCatalog
from zapfleet.appointments.notices import ReminderRunner
from zapfleet.campaigns.definition import CampaignManager
from zapfleet.campaigns.lifecycle import CampaignRuns
from zapfleet.campaigns.runner import CampaignRunner
from zapfleet.config import Config
from zapfleet.db import Database
from zapfleet.fleet.evolution_servers import EvolutionServers
from zapfleet.fleet.instances import InstanceManager
from zapfleet.fleet.supervisor import Supervisor
from zapfleet.fleet.worker_events import WorkerEvents
from zapfleet.messaging.contacts import ContactManager
from zapfleet.messaging.conversations import ConversationManager
from zapfleet.messaging.metrics import Metrics
from zapfleet.messaging.outbox import Outbox
from zapfleet.messaging.webhooks import WebhookManager
from zapfleet.tenancy.accounts import AccountManager
from zapfleet.tenancy.identity import Identity
from zapfleet.tenancy.logins import LoginGuard
from zapfleet.tenancy.messaging_settings import SettingsManager


@dataclass
class Managers:
    """Every manager of the control plane, one per domain, built once per process."""

    db: Database
    identity: Identity
    accounts: AccountManager
    settings: SettingsManager
    logins: LoginGuard
    instances: InstanceManager
    evolution_servers: EvolutionServers
    events: WorkerEvents
    contacts: ContactManager
    conversations: ConversationManager
    outbox: Outbox
    webhooks: WebhookManager
    metrics: Metrics
    campaigns: CampaignManager
    campaign_runs: CampaignRuns
    campaign_runner: CampaignRunner
    catalog: ServiceCatalog
    appointments: AppointmentBook
    bot: BotControl
    reminders: ReminderRunner

    def dispatcher_tasks(self) -> list:
        """The dispatcher's periodic work beside the outbox: campaigns and reminders."""
        return [self.campaign_runner.run_due, self.reminders.run_due]


def build_managers(config: Config, **given: Any) -> Managers:
    """The managers for config; any of them may be passed in by name instead (tests share a pool
    and fix clocks this way)."""
    def pick(name: str, make: Callable[[], Any]) -> Any:
        return given[name] if name in given else make()

    db = pick("db", lambda: Database(config.required_database_url(), config.db_pool_size,
                                     prepare=config.db_prepared_statements))
    identity = pick("identity", lambda: Identity(db))
    region, deadline = config.default_region, config.send_deadline_seconds
    instances = pick("instances", lambda: InstanceManager(
        db, pick("supervisor", lambda: Supervisor.from_config(config)), config))
    responder = pick("responder", lambda: Responder(deadline))
    return Managers(
        db=db, identity=identity,
        accounts=pick("accounts", lambda: AccountManager(db, identity, region)),
        settings=pick("settings", lambda: SettingsManager(db)),
        logins=pick("logins", lambda: LoginGuard(db, identity)),
        instances=instances, evolution_servers=instances.servers,
        events=pick("events", lambda: WorkerEvents(db, config.secret_key, region,
                                                   on_inbound=responder)),
        contacts=pick("contacts", lambda: ContactManager(db, region)),
        conversations=pick("conversations", lambda: ConversationManager(db, region)),
        outbox=pick("outbox", lambda: Outbox(db, instances, region, deadline)),
        webhooks=pick("webhooks", lambda: WebhookManager(
            db, allow_private=config.webhook_allow_private)),
        metrics=pick("metrics", lambda: Metrics(db)),
        campaigns=pick("campaigns", lambda: CampaignManager(db)),
        campaign_runs=pick("campaign_runs", lambda: CampaignRuns(db)),
        campaign_runner=pick("campaign_runner", lambda: CampaignRunner(db, deadline)),
        catalog=pick("catalog", lambda: ServiceCatalog(db)),
        appointments=pick("appointments", lambda: AppointmentBook(db, region, deadline)),
        bot=pick("bot", lambda: BotControl(db)),
        reminders=pick("reminders", lambda: ReminderRunner(db, deadline)))
