"""SQL for the inbox's full-text search: messages and contacts, in Portuguese, without accents
(the generated search_vector columns and GIN indexes of sql/0026_search.sql)."""
from __future__ import annotations

from uuid import UUID

SNIPPET_LENGTH = 160
MESSAGES_QUERY = (  # websearch syntax: words, "a phrase", -without, or
    "websearch_to_tsquery('portuguese'::regconfig, zapfleet_unaccent(%(q)s))")


def search_messages(conn, account_id: UUID, q: str, limit: int) -> list[dict]:
    """The account's latest messages matching q, newest first, with their contact."""
    with conn.cursor() as cur:
        cur.execute("SELECT m.id, m.conversation_id, m.direction, m.created_at,"
                    f" left(m.body, {SNIPPET_LENGTH}) AS snippet, k.phone, k.name"
                    " FROM (SELECT id, conversation_id, direction, created_at, body FROM messages"
                    f"   WHERE account_id = %(account)s AND search_vector @@ {MESSAGES_QUERY}"
                    "   ORDER BY created_at DESC, id DESC LIMIT %(limit)s) m"
                    " JOIN conversations c ON c.id = m.conversation_id"
                    " JOIN contacts k ON k.id = c.contact_id ORDER BY m.created_at DESC, m.id DESC",
                    {"account": account_id, "q": q, "limit": limit})
        return cur.fetchall()


def search_contacts(conn, account_id: UUID, words: list[str], digits: str, limit: int) -> list[dict]:
    """The account's contacts whose name words start with every one of words (accents aside), or
    whose phone holds digits; with their conversation when they have one; by name."""
    where, params = [], {"account": account_id, "limit": limit}
    if words:
        where.append("k.search_vector @@ to_tsquery('simple'::regconfig, zapfleet_unaccent(%(prefix)s))")
        params["prefix"] = " & ".join(f"{word}:*" for word in words)
    if digits:
        where.append("k.phone LIKE %(digits)s")
        params["digits"] = f"%{digits}%"
    if not where:
        return []
    with conn.cursor() as cur:
        cur.execute("SELECT k.id, k.phone, k.name, c.id AS conversation_id FROM contacts k"
                    " LEFT JOIN conversations c ON c.contact_id = k.id AND c.account_id = k.account_id"
                    f" WHERE k.account_id = %(account)s AND ({' OR '.join(where)})"
                    " ORDER BY lower(k.name), k.phone LIMIT %(limit)s", params)
        return cur.fetchall()
