"""Builds the managers the web app and the dispatcher share, from one Config."""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from zapfleet.appointments.book import AppointmentBook
from zapfleet.appointments.bot.control import BotControl
from zapfleet.appointments.bot.responder import Responder
from zapfleet.appointments.catalog import ServiceCatalog
from zapfleet.appointments.notices import ReminderRunner
from zapfleet.campaigns.definition import CampaignManager
from zapfleet.campaigns.lifecycle import CampaignRuns
from zapfleet.campaigns.runner import CampaignRunner
from zapfleet.config import Config
from zapfleet.core.errors import ZapfleetError
from zapfleet.core.mail import Mailer
from zapfleet.db import Database, runtime_dsns
from zapfleet.fleet.evolution_servers import EvolutionServers
from zapfleet.fleet.instances import InstanceManager
from zapfleet.fleet.nodes import Nodes
from zapfleet.fleet.supervisor import Supervisor
from zapfleet.fleet.worker_events import WorkerEvents
from zapfleet.messaging.contacts import ContactManager
from zapfleet.messaging.conversations import ConversationManager
from zapfleet.messaging.inbox import TeamInbox
from zapfleet.messaging.media import MediaLibrary
from zapfleet.messaging.media_storage import storage_for
from zapfleet.messaging.metrics import Metrics
from zapfleet.messaging.outbox import Outbox
from zapfleet.messaging.webhooks import WebhookManager
from zapfleet.tenancy.accounts import AccountManager
from zapfleet.tenancy.identity import Identity
from zapfleet.tenancy.logins import LoginGuard
from zapfleet.tenancy.members import Members
from zapfleet.tenancy.messaging_settings import SettingsManager
from zapfleet.tenancy.plans import PlanLimits
from zapfleet.tenancy.signups import SignUps

log = logging.getLogger("zapfleet.assembly")


@dataclass
class Managers:
    """Every manager of the control plane, one per domain, built once per process."""

    db: Database
    identity: Identity
    signups: SignUps
    members: Members
    accounts: AccountManager
    settings: SettingsManager
    logins: LoginGuard
    instances: InstanceManager
    evolution_servers: EvolutionServers
    nodes: Nodes
    events: WorkerEvents
    contacts: ContactManager
    conversations: ConversationManager
    inbox: TeamInbox
    outbox: Outbox
    media: MediaLibrary
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
        """The dispatcher's periodic work beside the outbox: campaigns, reminders, deleting
        accounts cancelled longer ago than the retention period, the unlinks still to do and
        sign-ups whose link expired."""
        return [self.campaign_runner.run_due, self.reminders.run_due, self.purge_cancelled,
                self.instances.unlinks.retry_due, self.signups.forget_expired]

    def change_account(self, account_id: UUID, data: Mapping[str, Any]) -> dict:
        """Change an account; a new status reaches its WhatsApp instance at once (suspended:
        the worker stops; cancelled: the phone is unlinked and the instance removed)."""
        account = self.accounts.update_account(account_id, data)
        if "status" in data:
            try:
                self.instances.follow_account(account_id)
            except ZapfleetError as exc:  # the dispatcher's next reconcile pass applies it
                log.warning("account %s: its instance will follow later: %s", account_id, exc.message)
        return account

    def delete_account(self, account_id: UUID) -> None:
        """Unlink and remove the account's instance, then delete the account, its data and its
        files."""
        if self.instances.find(account_id) is not None:
            self.instances.delete(account_id)
        self.accounts.delete_account(account_id)
        self.media.forget_account(account_id)

    def purge_cancelled(self) -> list[UUID]:
        """Delete the accounts whose retention after cancellation has ended; their ids."""
        expired = self.accounts.expired_cancellations()
        for account_id in expired:
            self.delete_account(account_id)
            log.info("account %s deleted: cancelled longer ago than the retention period", account_id)
        return expired


def runtime_database(config: Config) -> Database:
    """The service's pools: the platform and tenant login roles (never the owner, who only
    migrates), from PLATFORM_/TENANT_DATABASE_URL or derived from DATABASE_URL."""
    if config.platform_database_url and config.tenant_database_url:
        platform, tenant = config.platform_database_url, config.tenant_database_url
    else:
        platform, tenant = runtime_dsns(config.required_database_url(), config.database_runtime_password)
    return Database(platform, config.db_pool_size, prepare=config.db_prepared_statements,
                    tenant_dsn=tenant)


def mailer(config: Config) -> Mailer | None:
    """The SMTP mailer when SMTP_URL is set; its links need PUBLIC_URL (never a Host header)."""
    if not config.smtp_url:
        return None
    if not config.public_url:
        raise ValueError("SMTP_URL needs PUBLIC_URL: the links sent by e-mail are built from it")
    return Mailer(config.smtp_url, config.mail_from)


def build_managers(config: Config, **given: Any) -> Managers:
    """The managers for config; any of them may be passed in by name instead (tests share a pool
    and fix clocks this way)."""
    def pick(name: str, make: Callable[[], Any]) -> Any:
        return given[name] if name in given else make()

    db = pick("db", lambda: runtime_database(config))
    identity = pick("identity", lambda: Identity(db))
    region, deadline = config.default_region, config.send_deadline_seconds
    instances = pick("instances", lambda: InstanceManager(
        db, pick("supervisor", lambda: Supervisor.from_config(config)), config))
    responder = pick("responder", lambda: Responder(deadline))
    plans = PlanLimits(config.plan_limits)
    media = pick("media", lambda: MediaLibrary(
        db, storage_for(config.media_storage_url, config.var_dir, config.media_s3_endpoint_url),
        config.secret_key, config.media_limits))
    accounts = pick("accounts", lambda: AccountManager(db, identity, region,
                                                       config.cancelled_retention_days))
    return Managers(
        db=db, identity=identity, accounts=accounts,
        signups=pick("signups", lambda: SignUps(db, accounts, identity, mailer(config), region)),
        members=pick("members", lambda: Members(db, identity, mailer(config))),
        settings=pick("settings", lambda: SettingsManager(db)),
        logins=pick("logins", lambda: LoginGuard(db, identity)),
        instances=instances, evolution_servers=instances.servers, nodes=instances.nodes,
        events=pick("events", lambda: WorkerEvents(
            db, config.secret_key, media, region, on_inbound=responder, public_url=config.control_url,
            decline_call=lambda account_id, call_id: instances.engine_action(
                account_id, "reject_call", {"call_id": call_id}))),
        contacts=pick("contacts", lambda: ContactManager(db, region, plans)),
        conversations=pick("conversations", lambda: ConversationManager(
            db, region, lambda account_id, phone, ids: instances.engine_action(
                account_id, "read", {"phone": phone, "provider_message_ids": ids}))),
        inbox=pick("inbox", lambda: TeamInbox(db)),
        outbox=pick("outbox", lambda: Outbox(db, instances, region, deadline, plans=plans,
                                             media=media,
                                             allow_private=config.webhook_allow_private)),
        media=media,
        webhooks=pick("webhooks", lambda: WebhookManager(
            db, allow_private=config.webhook_allow_private)),
        metrics=pick("metrics", lambda: Metrics(db)),
        campaigns=pick("campaigns", lambda: CampaignManager(db, media, config.webhook_allow_private)),
        campaign_runs=pick("campaign_runs", lambda: CampaignRuns(db)),
        campaign_runner=pick("campaign_runner", lambda: CampaignRunner(db, deadline, plans=plans)),
        catalog=pick("catalog", lambda: ServiceCatalog(db)),
        appointments=pick("appointments", lambda: AppointmentBook(db, region, deadline)),
        bot=pick("bot", lambda: BotControl(db)),
        reminders=pick("reminders", lambda: ReminderRunner(db, deadline)))
