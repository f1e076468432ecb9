"""The test databases on the test server: created, dropped and emptied."""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import psycopg2

TENANT_TABLES = ("accounts, users, api_keys, instances, contacts, conversations, messages, campaigns,"
                 " webhooks, webhook_deliveries, login_failures, campaign_recipients, send_pacing,"
                 " services, appointments, chat_states, evolution_servers, unlinks,"
                 " dead_letters, signup_requests, media, nodes, instance_history, worker_files")


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at another database."""
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def admin_execute(server_url: str, statement: str) -> None:
    """Run one statement outside a transaction (CREATE and DROP DATABASE)."""
    conn = psycopg2.connect(server_url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


def empty_tables(owner_url: str) -> None:
    """Empty every table a test may have written to (as the owner: the runtime roles may not)."""
    conn = psycopg2.connect(owner_url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(f"TRUNCATE {TENANT_TABLES} CASCADE")
    finally:
        conn.close()
