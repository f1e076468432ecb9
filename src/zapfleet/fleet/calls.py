"""Calls to an account's number: with reject_calls on, each is declined and the caller gets the
call_rejected text (WhatsApp numbers of salons and clinics are for messages)."""
from __future__ import annotations

from datetime import datetime
from uuid import UUID

from zapfleet.core.errors import found
from zapfleet.db import contacts as contacts_sql
from zapfleet.db import settings as settings_sql
from zapfleet.messaging.outbox import queue
from zapfleet.tenancy.account_settings import effective
from zapfleet.tenancy.templates import first_name, render


def answer_call(conn, account_id: UUID, phone: str, key: str, deadline_at: datetime) -> bool:
    """True when the account declines calls: the call_rejected text is then queued to the caller
    (once per key; nothing for an empty text). False: the call rings on."""
    account = found(settings_sql.get_settings(conn, account_id), "account")
    settings = effective(account["settings"])
    if not settings["reject_calls"]:
        return False
    contact = contacts_sql.ensure_contact(conn, account_id, phone)
    text = render(settings["templates"]["call_rejected"],
                  {"name": first_name(contact["name"]), "business": account["name"]})
    if text:
        queue(conn, account_id, phone, text, key, "auto_reply", deadline_at=deadline_at)
    return True
