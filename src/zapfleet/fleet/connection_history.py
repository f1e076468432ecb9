"""A customer's history of their WhatsApp connection: what happened and when, in plain kinds
(started, restarted, moved, stopped, qr, connected, disconnected, logged_out, banned), never a
machine's name, a port or an internal id (the raw worker log is the platform admin's)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from zapfleet.db import Database
from zapfleet.db import nodes as nodes_sql
from zapfleet.db import webhooks as webhooks_sql

PLACEMENT_KINDS = {"moved": "moved", "unplaced": "stopped"}
SAME_MOMENT = timedelta(minutes=1)
"""A state the instance row shows is the same happening as an event of its kind this close."""


def _entry(kind: str, at: datetime, phone: str | None = None) -> dict[str, Any]:
    return {"kind": kind, "at": at, "phone": phone}


def _placements(rows: list[dict]) -> list[dict]:
    """placed (the first: started; later ones: restarted), moved, unplaced (stopped)."""
    entries, oldest_first = [], sorted(rows, key=lambda row: row["at"])
    for index, row in enumerate(oldest_first):
        kind = PLACEMENT_KINDS.get(row["event"]) or ("started" if index == 0 else "restarted")
        entries.append(_entry(kind, row["at"]))
    return entries


def _events(rows: list[dict]) -> list[dict]:
    entries = []
    for row in rows:
        data = row["data"] or {}
        kind = "qr" if row["event"] == "qr" else data.get("state")
        if kind in ("qr", "connected", "disconnected", "logged_out", "banned"):
            entries.append(_entry(kind, row["at"], data.get("phone")))
    return entries


def _current(instance: dict, known: list[dict]) -> list[dict]:
    """What the instance row tells that no event recorded: the last connection, and the state
    it is in now."""
    def recorded(kind: str, at: datetime) -> bool:
        return any(e["kind"] == kind and abs(e["at"] - at) <= SAME_MOMENT for e in known)
    entries = []
    if instance.get("last_connected") and not recorded("connected", instance["last_connected"]):
        entries.append(_entry("connected", instance["last_connected"], instance.get("phone")))
    status, at = instance.get("status"), instance.get("updated_at")
    if status == "waiting_qr":
        status = "qr"
    if at and status in ("qr", "stopped", "disconnected", "logged_out", "banned") \
            and not recorded(status, at):
        entries.append(_entry(status, at))
    return entries


def connection_history(db: Database, instance: dict | None, limit: int = 30) -> list[dict]:
    """The account's connection history, newest first: {kind, at, phone} (phone for connected)."""
    if instance is None:
        return []
    account_id: UUID = instance["account_id"]
    with db.system() as conn:
        placements = nodes_sql.instance_history(conn, instance["id"], limit)
    with db.tenant(account_id) as conn:
        events = webhooks_sql.connection_events(conn, account_id, limit)
    known = _placements(placements) + _events(events)
    entries = known + _current(instance, known)
    return sorted(entries, key=lambda entry: entry["at"], reverse=True)[:limit]
