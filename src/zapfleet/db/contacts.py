"""SQL for contacts."""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg2.extras import execute_values

PHONE_LIKE = re.compile(r"[\d\s()+.-]*\d[\d\s()+.-]*")
CONTACT_COLUMNS = "id, account_id, phone, name, tags, opted_out, created_at, updated_at"
UPDATABLE = ("phone", "name", "tags", "opted_out")


def insert_contact(conn, account_id: UUID, phone: str, name: str, tags: list[str],
                   opted_out: bool) -> dict:
    """Insert a contact and return it (raises UniqueViolation on a duplicate phone)."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO contacts (account_id, phone, name, tags, opted_out)"
            f" VALUES (%s, %s, %s, %s, %s) RETURNING {CONTACT_COLUMNS}",
            (account_id, phone, name, tags, opted_out),
        )
        return cur.fetchone()


def ensure_contact(conn, account_id: UUID, phone: str, name: str = "") -> dict:
    """The account's contact with this phone, created when missing (safe when two race)."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO contacts (account_id, phone, name) VALUES (%s, %s, %s)"
            " ON CONFLICT (account_id, phone) DO UPDATE SET name = CASE WHEN contacts.name = ''"
            f" THEN EXCLUDED.name ELSE contacts.name END RETURNING {CONTACT_COLUMNS}",
            (account_id, phone, name))
        return cur.fetchone()


def get_contact(conn, account_id: UUID, contact_id: UUID) -> dict | None:
    """One of an account's contacts, or None."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {CONTACT_COLUMNS} FROM contacts WHERE account_id = %s AND id = %s",
                    (account_id, contact_id))
        return cur.fetchone()


def get_contact_by_phone(conn, account_id: UUID, phone: str) -> dict | None:
    """One of an account's contacts by phone, or None."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {CONTACT_COLUMNS} FROM contacts WHERE account_id = %s AND phone = %s",
                    (account_id, phone))
        return cur.fetchone()


def list_contacts(conn, account_id: UUID, *, tag: str | None, q: str | None, limit: int,
                  after: tuple[datetime, UUID] | None) -> list[dict]:
    """A page of contacts in (created_at, id) order, filtered by tag and text."""
    where = ["account_id = %s"]
    params: list[Any] = [account_id]
    if tag:
        where.append("tags @> ARRAY[%s]::text[]")
        params.append(tag)
    if q:
        where.append("(name ILIKE %s OR phone LIKE %s)")
        params += [_contains(q), _contains(_phone_digits(q))]
    if after:
        where.append("(created_at, id) > (%s, %s)")
        params += list(after)
    with conn.cursor() as cur:
        cur.execute(f"SELECT {CONTACT_COLUMNS} FROM contacts WHERE {' AND '.join(where)}"
                    " ORDER BY created_at, id LIMIT %s", (*params, limit))
        return cur.fetchall()


def _phone_digits(q: str) -> str:
    """A search written like a phone ("(11) 98888-0001") as the digits stored; other text as is."""
    return re.sub(r"\D", "", q) if PHONE_LIKE.fullmatch(q) else q


def _contains(text: str) -> str:
    """A LIKE pattern matching text anywhere (its wildcards escaped)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def update_contact(conn, account_id: UUID, contact_id: UUID, changes: dict[str, Any]) -> dict | None:
    """Apply column changes (names from UPDATABLE) to one contact; return it or None."""
    names = [name for name in changes if name in UPDATABLE]
    assignments = "".join(f"{name} = %s, " for name in names)
    with conn.cursor() as cur:
        cur.execute(
            f"UPDATE contacts SET {assignments}updated_at = now()"
            f" WHERE account_id = %s AND id = %s RETURNING {CONTACT_COLUMNS}",
            (*[changes[n] for n in names], account_id, contact_id),
        )
        return cur.fetchone()


def delete_contact(conn, account_id: UUID, contact_id: UUID) -> bool:
    """Delete one contact; True when it existed."""
    with conn.cursor() as cur:
        cur.execute("DELETE FROM contacts WHERE account_id = %s AND id = %s", (account_id, contact_id))
        return cur.rowcount == 1


def upsert_contacts(conn, account_id: UUID, rows: Iterable[tuple[str, str, list[str], bool]]) -> int:
    """Insert or merge (phone, name, tags, opted_out) rows; return how many were new."""
    with conn.cursor() as cur:
        results = execute_values(
            cur,
            "INSERT INTO contacts (account_id, phone, name, tags, opted_out) VALUES %s"
            " ON CONFLICT (account_id, phone) DO UPDATE SET"
            "  name = CASE WHEN EXCLUDED.name <> '' THEN EXCLUDED.name ELSE contacts.name END,"
            "  tags = ARRAY(SELECT DISTINCT unnest(contacts.tags || EXCLUDED.tags)),"
            "  opted_out = contacts.opted_out OR EXCLUDED.opted_out,"
            "  updated_at = now()"
            " RETURNING (xmax = 0) AS inserted",
            [(account_id, *row) for row in rows],
            template="(%s, %s, %s, %s::text[], %s)",
            page_size=1000,
            fetch=True,
        )
    return sum(1 for r in results if r["inserted"])


def tag_counts(conn, account_id: UUID) -> list[dict]:
    """Every tag the account's contacts carry, with how many contacts carry it, by name."""
    with conn.cursor() as cur:
        cur.execute("SELECT tag, count(*) AS contacts FROM contacts, unnest(tags) AS tag"
                    " WHERE account_id = %s GROUP BY tag ORDER BY lower(tag), tag", (account_id,))
        return cur.fetchall()


def count_reachable(conn, account_id: UUID, tags: list[str]) -> int:
    """Contacts not opted out that carry any of these tags (every such contact when none)."""
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) AS n FROM contacts WHERE account_id = %s AND NOT opted_out"
                    " AND (cardinality(%s::text[]) = 0 OR tags && %s::text[])",
                    (account_id, tags, tags))
        return cur.fetchone()["n"]
