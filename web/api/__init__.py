"""The REST API: one blueprint per resource, all under /api."""
from __future__ import annotations

from flask import Flask

from web import internal
from web.api import (
    accounts,
    api_keys,
    appointments,
    campaigns,
    contacts,
    conversations,
    dead_letters,
    docs,
    engines,
    evolution_servers,
    health,
    instances,
    media,
    members,
    metrics,
    nodes,
    register,
    sandbox,
    scheduled,
    services,
    settings,
    unlinks,
    webhooks,
    whatsapp,
)

BLUEPRINTS = (
    health.bp, register.bp, accounts.bp, contacts.bp, conversations.bp, campaigns.bp, api_keys.bp,
    whatsapp.bp, instances.bp, engines.bp, webhooks.bp, sandbox.bp, settings.bp, scheduled.bp,
    services.bp, appointments.bp, metrics.bp, evolution_servers.bp, nodes.bp, unlinks.bp, dead_letters.bp,
    media.bp, members.bp, internal.bp, docs.bp,
)


def register_api(app: Flask) -> None:
    """Register every API blueprint on the app."""
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
