"""Contacts: CRUD with filters and keyset pagination, CSV import and export."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from uuid import UUID

from zapfleet.core import validation
from zapfleet.core.errors import Conflict, NotFound, message_id
from zapfleet.core.pagination import decode_cursor, next_cursor, page_limit
from zapfleet.core.shapes import parse
from zapfleet.core.unique import unique_violation
from zapfleet.db import Database
from zapfleet.db import contacts as sql
from zapfleet.messaging.contacts_csv import export_rows, import_rows
from zapfleet.messaging.shapes import ContactIn, ContactPatch
from zapfleet.tenancy.plans import PlanLimits

IMPORT_BATCH = 1000


class ContactManager:
    """An account's contacts."""

    def __init__(self, db: Database, region: str = "BR", plans: PlanLimits | None = None):
        self.db, self.region = db, region
        self.plans = plans or PlanLimits({})

    def create_contact(self, account_id: UUID, data: Mapping[str, Any]) -> dict:
        """Add a contact (phone required; name, tags, opted_out optional)."""
        fields = parse(ContactIn, data, region=self.region).model_dump()
        with unique_violation(Conflict, message_id("a contact with phone %(phone)s already exists"),
                              phone=fields["phone"]):
            with self.db.tenant(account_id) as conn:
                self.plans.check(conn, account_id, "contacts", adding=1)
                return sql.insert_contact(conn, account_id, **fields)

    def get_contact(self, account_id: UUID, contact_id: UUID) -> dict:
        """One contact."""
        with self.db.tenant(account_id) as conn:
            contact = sql.get_contact(conn, account_id, contact_id)
        if contact is None:
            raise NotFound("no such contact")
        return contact

    def list_contacts(self, account_id: UUID, *, tag: str | None = None, q: str | None = None,
                      limit: Any = None, cursor: str | None = None) -> dict:
        """A page of contacts: {"items": [...], "next_cursor": str | None}."""
        size = page_limit(limit)
        with self.db.tenant(account_id) as conn:
            rows = sql.list_contacts(conn, account_id, tag=tag or None, q=(q or "").strip() or None,
                                     limit=size, after=decode_cursor(cursor))
        return {"items": rows, "next_cursor": next_cursor(rows, size)}

    def update_contact(self, account_id: UUID, contact_id: UUID, data: Mapping[str, Any]) -> dict:
        """Change a contact's phone, name, tags or opt-out."""
        changes = parse(ContactPatch, data, region=self.region).model_dump(exclude_unset=True)
        with unique_violation(Conflict, message_id("another contact already has this phone")):
            with self.db.tenant(account_id) as conn:
                contact = sql.update_contact(conn, account_id, contact_id, changes)
        if contact is None:
            raise NotFound("no such contact")
        return contact

    def delete_contact(self, account_id: UUID, contact_id: UUID) -> None:
        """Delete a contact and its conversation."""
        with self.db.tenant(account_id) as conn:
            if not sql.delete_contact(conn, account_id, contact_id):
                raise NotFound("no such contact")

    def list_tags(self, account_id: UUID) -> list[dict]:
        """The account's tags: [{"tag", "contacts"}], by name."""
        with self.db.tenant(account_id) as conn:
            return sql.tag_counts(conn, account_id)

    def count_recipients(self, account_id: UUID, tags: Any) -> int:
        """How many contacts a message to these tags reaches (not opted out; all when no tag)."""
        tags = validation.tags(tags, "target_tags")
        with self.db.tenant(account_id) as conn:
            return sql.count_reachable(conn, account_id, tags)

    def import_contacts_csv(self, account_id: UUID, lines: Iterable[str]) -> dict:
        """Import contacts from CSV lines, streamed; bad rows are reported by line number."""
        report: dict[str, Any] = {"created": 0, "updated": 0, "errors": [], "error_count": 0}
        for batch in import_rows(lines, self.region, report, IMPORT_BATCH):
            with self.db.tenant(account_id) as conn:
                created = sql.upsert_contacts(conn, account_id, batch)
                self.plans.check(conn, account_id, "contacts")  # over it: this batch is undone
            report["created"] += created
            report["updated"] += len(batch) - created
        return report

    def export_contacts_csv(self, account_id: UUID) -> Iterator[str]:
        """The account's contacts as CSV lines, read page by page."""
        return export_rows(lambda cursor: self.list_contacts(account_id, limit=500, cursor=cursor))
