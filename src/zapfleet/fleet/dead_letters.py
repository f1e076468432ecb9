"""Worker events put aside: one that is malformed, or fails for a reason that sending the batch
again would not cure, is kept with its reason (dead_letters) while the rest of its batch and
everything after it apply. The platform admin lists them and retries one once its cause is
fixed (a retry applies it as it came)."""
from __future__ import annotations

import json
import logging
from typing import Any, Protocol
from uuid import UUID

import psycopg2

from zapfleet.core.errors import NotFound, Unavailable, ZapfleetError
from zapfleet.db import Database
from zapfleet.db import dead_letters as sql
from zapfleet.db import instances as instances_sql

log = logging.getLogger("zapfleet.fleet.dead_letters")
MAX_REASON = 500


class EventApplier(Protocol):
    """What applies a worker's event (zapfleet.fleet.worker_events.WorkerEvents)."""

    def checked(self, event: Any) -> tuple[UUID, str, dict]: ...

    def apply(self, instance: dict, event_id: UUID, kind: str, data: dict) -> Any: ...


def reason(exc: BaseException) -> str:
    """Why an event failed, for the admin (a field's message, or the error's kind and text)."""
    if isinstance(exc, ZapfleetError):
        return exc.message[:MAX_REASON]
    if isinstance(exc, psycopg2.Error):
        return f"the database refused it ({exc.pgcode or 'no code'}): {str(exc).strip()}"[:MAX_REASON]
    return f"{type(exc).__name__}: {exc}"[:MAX_REASON]


def _text(event: Any) -> str:
    """The event as JSON in ASCII (any code point PostgreSQL cannot store stays escaped)."""
    return json.dumps(event, ensure_ascii=True, default=str)


class DeadLetters:
    """Puts events aside, lists them and retries one."""

    def __init__(self, db: Database, events: EventApplier):
        self.db, self.events = db, events

    def put_aside(self, instance: dict, index: int, event: Any, why: str) -> dict:
        """Keep an event that could not be applied; what the worker is told about it."""
        event_id = event.get("id") if isinstance(event, dict) else None
        kind = event.get("type") if isinstance(event, dict) else None
        with self.db.system() as conn:
            sql.insert_dead_letter(conn, instance, _short(event_id), _short(kind), _text(event), why)
        log.warning("instance %s: event %s (%s) put aside: %s", instance["instance_name"],
                    event_id, kind, why)
        return {"index": index, "id": _short(event_id), "error": why}

    def list(self) -> dict:
        """The events still put aside, then the latest resolved ones, for the admin."""
        with self.db.system() as conn:
            rows = sql.list_dead_letters(conn)
        return {"items": rows, "pending": sum(1 for row in rows if row["resolved_at"] is None)}

    def retry(self, dead_letter_id: UUID) -> dict:
        """Apply a put-aside event again; the row (resolved, or with the new reason)."""
        with self.db.system() as conn:
            row = sql.get_dead_letter(conn, dead_letter_id)
            if row is None:
                raise NotFound("no such dead letter")
            instance = instances_sql.get_instance(conn, row["instance_id"])
        error = self._apply(instance, row) if row["resolved_at"] is None else None
        with self.db.system() as conn:
            return sql.record_retry(conn, dead_letter_id, error)

    def _apply(self, instance: dict | None, row: dict) -> str | None:
        """Apply the row's event; None when it worked, else why not."""
        if instance is None:
            return "its instance no longer exists"
        try:
            event_id, kind, data = self.events.checked(json.loads(row["event"]))
            self.events.apply(instance, event_id, kind, data)
        except Unavailable:
            raise
        except Exception as exc:  # noqa: BLE001 - recorded as the new reason
            return reason(exc)
        return None


def _short(value: Any) -> str | None:
    return None if value is None else str(value)[:200]
