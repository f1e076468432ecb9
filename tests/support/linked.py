"""An account whose WhatsApp instance row says connected (no worker needed)."""
from __future__ import annotations

from zapfleet.db import instances as instances_sql
from zapfleet.db import pacing as pacing_sql


def link(db, account_id: str, phone: str = "5511900000001", status: str = "connected",
         linked_at=None) -> dict:
    """Give the account an instance in this status, desired running (for tests of the data side)."""
    with db.system() as conn:
        instance = instances_sql.get_instance_for_account(conn, account_id)
        if instance is None:
            instance = instances_sql.insert_instance(conn, account_id, f"{account_id[:8]}_whatsapp",
                                                     None, "sandbox")
        if linked_at is not None:
            pacing_sql.number_linked(conn, account_id, phone, linked_at)
        return instances_sql.update_observed(conn, instance["id"], status=status, phone=phone)
