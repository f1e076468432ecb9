"""What each account role may reach: the one list web/auth.py `account_scoped` (the API) and
web/ui/session.py `account_page` (the pages) check. An admin (and every API key) may use all of
an account; an agent only the inbox, conversations, contacts and appointments (with the media
and the service list they need). Refused: the API answers 403 `forbidden`, a page 404."""
from __future__ import annotations

from zapfleet.tenancy.principal import Principal

AGENT_BLUEPRINTS = frozenset({
    "conversations", "contacts", "appointments", "media",
    "ui_inbox", "ui_contacts", "ui_appointments",
})
"""Blueprints an agent may use whole."""
AGENT_ENDPOINTS = frozenset({
    "whatsapp.send", "services.list_services", "services.get_service",
})
"""Single endpoints an agent may use beside those blueprints: sending a message and reading the
services an appointment is booked for."""


def agent_may(endpoint: str | None) -> bool:
    """Whether an agent may use this endpoint ("blueprint.view")."""
    if not endpoint:
        return False
    return endpoint in AGENT_ENDPOINTS or endpoint.partition(".")[0] in AGENT_BLUEPRINTS


def role_allows(principal: Principal, endpoint: str | None) -> bool:
    """Whether the principal's account role lets it use this endpoint."""
    return principal.is_admin or principal.role == "admin" or agent_may(endpoint)
