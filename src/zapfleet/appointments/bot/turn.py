"""One inbound message being answered: its context, and the replies queued for it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from zapfleet.appointments.bot.parse import normalize
from zapfleet.messaging.outbox import queue
from zapfleet.tenancy.account_settings import zone_of
from zapfleet.tenancy.templates import first_name, render


@dataclass
class Turn:
    """An inbound message, the account's settings, and the transaction that answers it."""

    conn: Any
    account_id: UUID
    contact: dict
    conversation_id: UUID
    message: dict
    settings: dict
    business: str
    now: datetime
    deadline: timedelta
    replies: list[dict | None] = field(default_factory=list)  # None: a reply already queued

    @property
    def norm(self) -> str:
        """The message's text, normalised for matching."""
        return normalize(self.message["body"])

    @property
    def local_now(self) -> datetime:
        """Now in the account's time zone."""
        return self.now.astimezone(zone_of(self.settings))

    def reply(self, template: str, origin: str = "bot", **values: Any) -> dict | None:
        """Queue the account's template as a reply (nothing for an empty template); its
        idempotency key derives from the inbound message, so a replay sends nothing twice."""
        text = render(self.settings["templates"][template],
                      {"name": first_name(self.contact["name"]), "business": self.business, **values})
        if not text:
            return None
        key = f"bot:{self.message['id']}:{len(self.replies) + 1}"
        message = queue(self.conn, self.account_id, self.contact["phone"], text, key, origin,
                        deadline_at=self.now + self.deadline)
        self.replies.append(message)
        return message
