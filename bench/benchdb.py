"""The benchmarks' shared set-up: a throwaway migrated database, servers, sibling scripts.

The scripts run as modules of the bench package (`python -m bench.<name>`).
"""
from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import requests

from zapfleet.db.migrate import migrate
from zapfleet.db.embedded import start_embedded, stop_embedded


@contextmanager
def bench_database() -> Iterator[str]:
    """The URL of a new migrated database on the bench server, dropped (WITH FORCE) afterwards."""
    with bench_server() as server_url:
        name = f"zapfleet_bench_{uuid.uuid4().hex[:8]}"
        admin_execute(server_url, f"CREATE DATABASE {name}")
        try:
            migrate(with_database(server_url, name))
            yield with_database(server_url, name)
        finally:
            admin_execute(server_url, f"DROP DATABASE {name} WITH (FORCE)")


@contextmanager
def bench_server() -> Iterator[str]:
    """BENCH_DATABASE_URL, else an embedded server in a temporary folder, stopped afterwards."""
    server_url = os.environ.get("BENCH_DATABASE_URL")
    if server_url:
        yield server_url
        return
    embedded_dir = Path(tempfile.mkdtemp(prefix="zapfleet-bench-"))
    server_url = start_embedded(embedded_dir)
    try:
        yield server_url
    finally:
        stop_embedded(embedded_dir)


def with_database(server_url: str, name: str) -> str:
    """The server's URL with its database replaced by `name`."""
    return urlunsplit(urlsplit(server_url)._replace(path="/" + name))


def admin_execute(server_url: str, statement: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE)."""
    conn = psycopg2.connect(server_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(statement)
    conn.close()


def free_port() -> int:
    """A loopback port free at the moment."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def when_healthy(server: subprocess.Popen, port: int) -> subprocess.Popen:
    """The server, once its /healthz answers (killed, and the bench stopped, after 30 s)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return server
        except requests.RequestException:  # not listening yet, or still booting
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")
