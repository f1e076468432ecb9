"""Benchmark: POST /api/accounts/<id>/send at 32 concurrent clients beside a bare INSERT route.

Usage: python -m bench.send_path [--seconds 10] [--rounds 3] [--clients 32] [--client-processes 4]
The app runs under gunicorn (gthread, as in production) with a real supervisord and a linked
sandbox worker; BENCH_DATABASE_URL selects the PostgreSQL server (else an embedded one). The
sends carry an account's API key, as a program's do. Both routes get the same requests (the
bare route ignores the body) from the same client: processes of threads on kept-alive
connections, so that the client is not what limits the bare route.
The routes take turns, `rounds` times (on a shared machine, a slow spell then slows them all).
Before measuring, a few seconds of sends and an ANALYZE bring the new database to the steady
state of a live one (see route_rows). No dispatcher runs: a send that does not wait stays stored.
Prints requests/s, p50 and p99 of each route and their ratios (goals: send ≥ 0.5 × bare; a send
with "wait": false, stored and left to the dispatcher, ≥ 0.7 × bare).
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import requests

from bench import workers as _workers_bench
from bench.benchdb import bench_database, free_port, when_healthy

USER, start_supervisord, stop = _workers_bench.USER, _workers_bench.start_supervisord, _workers_bench.stop
WARM_UP_SECONDS = 3


def start_app(env: dict, port: int) -> subprocess.Popen:
    """gunicorn serving bench.send_path_app; returns once /healthz answers."""
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--worker-class", "gthread", "--workers", "2",
         "--threads", "16", "--bind", f"127.0.0.1:{port}", "bench.send_path_app:app"], env=env, stderr=subprocess.DEVNULL)
    return when_healthy(server, port)


def linked_account(base: str, admin: dict) -> tuple[str, dict]:
    """A new account with its sandbox phone linked; returns (id, its API key's headers)."""
    account = requests.post(f"{base}/api/accounts", json={"name": "Bench"}, headers=admin).json()
    qr = requests.post(f"{base}/api/accounts/{account['id']}/whatsapp/connect", headers=admin).json()
    requests.get(qr["qr"]["code"], timeout=10).raise_for_status()
    deadline = time.monotonic() + 30
    while requests.get(f"{base}/api/accounts/{account['id']}/whatsapp",
                       headers=admin).json()["status"] != "connected":
        if time.monotonic() > deadline:
            raise SystemExit("the sandbox phone did not link")
        time.sleep(0.1)
    key = requests.post(f"{base}/api/accounts/{account['id']}/api-keys", json={"label": "bench"},
                        headers=admin).json()["key"]
    return account["id"], {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}


def send_body(wait: bool = True) -> bytes:
    """A send to a new customer each time, with its own idempotency key (wait false: answered
    once stored, handed over by the dispatcher)."""
    return json.dumps({"phone": f"55119{random.randrange(10**8):08d}",
                       "message": "Olá! Seu horário está confirmado.",
                       "idempotency_key": uuid.uuid4().hex, "wait": wait}).encode()


def client_process(url: str, headers: dict, threads: int, start_at: float, stop_at: float,
                   results: multiprocessing.Queue, wait: bool = True) -> None:
    """threads clients, each POSTing on its own kept-alive connection from start_at to stop_at;
    puts (latencies of the 201/202 answers, the other answers and failures) on results."""
    parts, latencies, errors, lock = urlsplit(url), [], [], threading.Lock()
    random.seed()  # not the parent's sequence

    def client() -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine, failed = [], []
        time.sleep(max(0.0, start_at - time.time()))
        while time.time() < stop_at:
            started = time.perf_counter()
            try:
                connection.request("POST", parts.path, body=send_body(wait), headers=headers)
                answer = connection.getresponse()
                text = answer.read()
            except (OSError, http.client.HTTPException) as exc:
                failed.append(type(exc).__name__)
                connection.close()
                continue
            if answer.status in (201, 202):
                mine.append(time.perf_counter() - started)
            else:
                failed.append(f"HTTP {answer.status}: {text[:200]!r}")
        with lock:
            latencies.extend(mine)
            errors.extend(failed)
    workers = [threading.Thread(target=client) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    results.put((latencies, errors))


def load(url: str, headers: dict, clients: int, processes: int,
         seconds: float, wait: bool = True) -> tuple[float, list[float]]:
    """clients concurrent clients spread over processes, for seconds; (requests/s, latencies)."""
    results: multiprocessing.Queue = multiprocessing.Queue()
    start_at = time.time() + 1  # every process is up before the clock starts
    spawned = [multiprocessing.Process(target=client_process, args=(
        url, headers, clients // processes + (n < clients % processes), start_at,
        start_at + seconds, results, wait)) for n in range(processes)]
    for process in spawned:
        process.start()
    latencies, errors = [], []
    for _ in spawned:
        answered, failed = results.get(timeout=seconds + 60)
        latencies += answered
        errors += failed
    for process in spawned:
        process.join()
    if errors:
        print(f"{url}: {len(errors)} requests failed, e.g. {errors[0]}", file=sys.stderr)
    return len(latencies) / seconds, latencies


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile of values (seconds), in ms."""
    return statistics.quantiles(values, n=100)[int(p) - 1] * 1000


def run(database_url: str, clients: int, processes: int, seconds: float, rounds: int) -> None:
    """Start supervisord and the app, load both routes in turn and print the table."""
    var_dir = Path(tempfile.mkdtemp(prefix="zfb", dir="/tmp"))
    password, port = secrets.token_urlsafe(16), free_port()
    admin_key = secrets.token_urlsafe(24)
    env = {**os.environ, "DATABASE_URL": database_url, "ADMIN_API_KEY": admin_key,
           "SECRET_KEY": secrets.token_urlsafe(24), "ZAPFLEET_ENV_FILE": os.devnull,
           "ZAPFLEET_VAR_DIR": str(var_dir), "ZAPFLEET_BIND": f"127.0.0.1:{port}",
           "SUPERVISOR_USER": USER, "SUPERVISOR_PASSWORD": password, "WORKER_PORT_BASE": "25001",
           "RATE_LIMITS": "off"}
    (var_dir / "supervisor" / "workers").mkdir(parents=True)
    (var_dir / "log").mkdir()
    daemon, app = start_supervisord(var_dir, password), None
    base, admin = f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {admin_key}"}
    try:
        app = start_app(env, port)
        account, headers = linked_account(base, admin)
        rows = route_rows(database_url, base, account, headers, clients, processes, seconds, rounds)
    finally:
        if app is not None:
            app.terminate()
            app.wait()
        stop(daemon, var_dir / "supervisord.conf")
    print(f"{clients} concurrent clients in {processes} processes, {seconds:.0f} s per route"
          f" in {rounds} turns")
    print_routes(rows)


def route_rows(database_url: str, base: str, account: str, headers: dict, clients: int,
               processes: int, seconds: float, rounds: int = 3) -> list[tuple[str, float, list[float]]]:
    """(route, req/s, latencies) of the bare route, the send route and a send that does not
    wait, after a warm-up of sends and an ANALYZE: the steady state of a live database, where
    autovacuum has analyzed the tables (a database made a moment ago would have its hot
    statements planned for empty tables, and kept so by each pooled connection). The routes
    take turns for `rounds` rounds of seconds / rounds each, so that a slower spell of a shared
    machine falls on all of them alike."""
    send = f"{base}/api/accounts/{account}/send"
    load(send, headers, clients, processes, WARM_UP_SECONDS)
    load(send, headers, clients, processes, WARM_UP_SECONDS, wait=False)
    with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
        cur.execute("ANALYZE")
    routes = (("bare INSERT", f"{base}/bench/insert", True), ("POST send", send, True),
              ("send, wait false", send, False))
    answered: dict[str, list[float]] = {name: [] for name, _, _ in routes}
    for _ in range(rounds):
        for name, url, wait in routes:
            settle(database_url)
            answered[name] += load(url, headers, clients, processes, seconds / rounds, wait=wait)[1]
    return [(name, len(latencies) / seconds, latencies) for name, latencies in answered.items()]


def settle(database_url: str, quiet_seconds: float = 2, timeout: float = 120) -> None:
    """Wait until no message changed for quiet_seconds: the worker's reports of the sends before
    (receipts, each one a request to the app) no longer take the machine from the next route."""
    deadline = time.monotonic() + timeout
    with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
        conn.autocommit = True
        while time.monotonic() < deadline:
            cur.execute("SELECT coalesce(now() - max(updated_at) > %s * interval '1 second', true)"
                        " FROM messages", (quiet_seconds,))
            if cur.fetchone()[0]:
                return
            time.sleep(0.5)


def print_routes(rows: list[tuple[str, float, list[float]]]) -> None:
    """The table of route_rows and the ratios to the bare route."""
    print(f"{'route':<16} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for name, rate, latencies in rows:
        print(f"{name:<16} {rate:8.0f} {percentile(latencies, 50):8.1f} {percentile(latencies, 99):8.1f}")
    print(f"ratio send/bare: {rows[1][1] / rows[0][1]:.2f} (goal ≥ 0.5); "
          f"wait false/bare: {rows[2][1] / rows[0][1]:.2f} (goal ≥ 0.7)")


def main() -> None:
    """Parse the options; run against a throwaway database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--client-processes", type=int, default=4)
    args = parser.parse_args()
    with bench_database() as database_url:
        run(database_url, args.clients, args.client_processes, args.seconds, args.rounds)


if __name__ == "__main__":
    main()
