"""Benchmark: import contacts from CSV through the real HTTP API and print time and memory.

Usage: python -m bench.contacts_import [--rows 100000]
Uses BENCH_DATABASE_URL (a server; a throwaway database is created there and dropped),
otherwise an embedded PostgreSQL in a temporary folder. The CSV is streamed to a gunicorn
server in chunks; the server's peak resident memory (VmHWM) shows whether memory stays bounded.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests

from bench.benchdb import bench_database, free_port, when_healthy


def csv_chunks(rows: int, chunk_rows: int = 2000):
    """The CSV body, generated on the fly: a header, then `rows` contacts (1 in 100 invalid)."""
    yield "telefone,nome,tags\n".encode()
    for start in range(0, rows, chunk_rows):
        lines = []
        for i in range(start, min(rows, start + chunk_rows)):
            phone = "not-a-phone" if i % 100 == 99 else f"119{i:08d}"
            lines.append(f"{phone},Cliente {i},lote{i % 7};vip\n")
        yield "".join(lines).encode()


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory of a process and its children, in MB."""
    total = 0
    for child in [pid, *children(pid)]:
        for line in Path(f"/proc/{child}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                total = max(total, int(line.split()[1]))
    return total / 1024


def children(pid: int) -> list[int]:
    """The pids of a process's children."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def start_server(database_url: str, admin_key: str, port: int) -> subprocess.Popen:
    """The app under gunicorn (one worker), once its /healthz answers."""
    env = {**os.environ, "DATABASE_URL": database_url, "ADMIN_API_KEY": admin_key,
           "SECRET_KEY": uuid.uuid4().hex, "ZAPFLEET_ENV_FILE": os.devnull}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
                               "--workers", "1", "--timeout", "120", "web.wsgi:app"],
                              env=env, stderr=subprocess.DEVNULL)
    return when_healthy(server, port)


def run(rows_list: list[int], database_url: str) -> None:
    """Import each number of rows into a new account through the server; print the table."""
    admin_key = uuid.uuid4().hex
    port = free_port()
    server = start_server(database_url, admin_key, port)
    base = f"http://127.0.0.1:{port}"
    try:
        print(f"{'rows':>8} {'seconds':>8} {'rows/s':>8} {'created':>8} {'bad rows':>8} {'server peak RSS MB':>19}")
        for rows in rows_list:
            headers = {"Authorization": f"Bearer {admin_key}"}
            account = requests.post(f"{base}/api/accounts", json={"name": f"bench {rows}"},
                                    headers=headers).json()
            started = time.perf_counter()
            report = requests.post(f"{base}/api/accounts/{account['id']}/contacts/import",
                                   data=csv_chunks(rows), headers={**headers, "Content-Type": "text/csv"},
                                   timeout=300).json()
            seconds = time.perf_counter() - started
            print(f"{rows:>8} {seconds:>8.2f} {rows / seconds:>8.0f} {report['created']:>8}"
                  f" {report['error_count']:>8} {peak_rss_mb(server.pid):>19.1f}")
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    """Parse the options; run against a throwaway database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with bench_database() as database_url:
        run(sorted({max(1, args.rows // 10), args.rows}), database_url)


if __name__ == "__main__":
    main()
